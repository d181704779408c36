/* clock.c: real or test time behind one lock. */
#include "common/clock.h"
#include "common/err.h"

#include <time.h>

/* 9999-12-31T23:59:59Z: the last time RFC 3339 can write with four digits. */
#define TL_CLOCK_MAX_S INT64_C(253402300799)

static int64_t real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void tl_clock_init(tl_clock *c, bool is_test)
{
	c->is_test = is_test;
	c->test_now_s = real_now();
	pthread_mutex_init(&c->lock, NULL);
}

void tl_clock_destroy(tl_clock *c)
{
	pthread_mutex_destroy(&c->lock);
}

int64_t tl_clock_now(tl_clock *c)
{
	if (!c->is_test)
		return real_now();
	pthread_mutex_lock(&c->lock);
	int64_t now = c->test_now_s;
	pthread_mutex_unlock(&c->lock);
	return now;
}

int tl_clock_set(tl_clock *c, int64_t now_s)
{
	if (!c->is_test || now_s < 0 || now_s > TL_CLOCK_MAX_S)
		return TL_EINVALID;
	pthread_mutex_lock(&c->lock);
	c->test_now_s = now_s;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int tl_clock_advance(tl_clock *c, int64_t seconds)
{
	if (!c->is_test)
		return TL_EINVALID;
	int rc = 0;
	pthread_mutex_lock(&c->lock);
	int64_t next;
	if (__builtin_add_overflow(c->test_now_s, seconds, &next) || next < 0 ||
	    next > TL_CLOCK_MAX_S)
		rc = TL_EINVALID;
	else
		c->test_now_s = next;
	pthread_mutex_unlock(&c->lock);
	return rc;
}
