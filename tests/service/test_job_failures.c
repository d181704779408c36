/* Unit: the backoff of a subject a job keeps failing on. */
#include <criterion/criterion.h>
#include "service/job_failures.h"

Test(job_failures, the_wait_doubles_from_the_minimum_up_to_the_maximum)
{
	cr_assert_eq(tl_job_retry_delay(1), TL_JOB_RETRY_MIN_S);
	cr_assert_eq(tl_job_retry_delay(2), 2 * TL_JOB_RETRY_MIN_S);
	cr_assert_eq(tl_job_retry_delay(3), 4 * TL_JOB_RETRY_MIN_S);
	int64_t before = 0;
	for (int64_t n = 1; n < 200; n++) {
		int64_t d = tl_job_retry_delay(n);
		cr_assert_geq(d, before, "never shorter after another failure");
		cr_assert_leq(d, TL_JOB_RETRY_MAX_S);
		before = d;
	}
	cr_assert_eq(tl_job_retry_delay(200), TL_JOB_RETRY_MAX_S);
	cr_assert_eq(tl_job_retry_delay(INT64_MAX), TL_JOB_RETRY_MAX_S, "no overflow");
}
