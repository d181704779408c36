/* Unit tests: the injected clock. */
#include <criterion/criterion.h>
#include <time.h>
#include "common/clock.h"
#include "common/err.h"

Test(clock, test_clock_stands_still_until_moved)
{
	tl_clock c;
	tl_clock_init(&c, true);
	int64_t start = tl_clock_now(&c);
	struct timespec pause = {1, 100000000};
	nanosleep(&pause, NULL);
	cr_assert_eq(tl_clock_now(&c), start);
	cr_assert_eq(tl_clock_advance(&c, 86400), 0);
	cr_assert_eq(tl_clock_now(&c), start + 86400);
	cr_assert_eq(tl_clock_set(&c, 1795255200), 0);
	cr_assert_eq(tl_clock_now(&c), 1795255200);
	tl_clock_destroy(&c);
}

Test(clock, refuses_overflow_and_negative_time)
{
	tl_clock c;
	tl_clock_init(&c, true);
	cr_assert_eq(tl_clock_advance(&c, INT64_MAX), TL_EINVALID);
	cr_assert_eq(tl_clock_set(&c, -1), TL_EINVALID);
	cr_assert_eq(tl_clock_set(&c, 0), 0);
	cr_assert_eq(tl_clock_advance(&c, -1), TL_EINVALID);
	cr_assert_eq(tl_clock_now(&c), 0);
	tl_clock_destroy(&c);
}

Test(clock, real_clock_cannot_be_moved)
{
	tl_clock c;
	tl_clock_init(&c, false);
	cr_assert_eq(tl_clock_set(&c, 0), TL_EINVALID);
	cr_assert_eq(tl_clock_advance(&c, 1), TL_EINVALID);
	int64_t now = (int64_t)time(NULL);
	cr_assert_leq(now - tl_clock_now(&c), 1);
	tl_clock_destroy(&c);
}
