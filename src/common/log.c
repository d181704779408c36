/* log.c: one JSON object per line on stderr, written with a single write(2)
 * so lines from concurrent threads never interleave. Timestamps are the
 * machine's real time, not the injected clock: logs record when things
 * happened on the machine, the clock records business time. */
#include "common/log.h"
#include "common/timefmt.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_enabled = 1;

void tl_log_set_enabled(int enabled)
{
	atomic_store(&log_enabled, enabled);
}

void tl_log(const char *level, const char *msg, json_t *fields)
{
	if (!atomic_load(&log_enabled)) {
		json_decref(fields);
		return;
	}
	json_t *line = json_object();
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char when[TL_TIME_STR_MAX];
	tl_time_format((int64_t)ts.tv_sec, when);
	json_object_set_new(line, "ts", json_string(when));
	json_object_set_new(line, "level", json_string(level));
	json_object_set_new(line, "msg", json_string(msg));
	if (fields)
		json_object_update(line, fields);
	json_decref(fields);
	char *text = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (text == NULL)
		return;
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps' NUL becomes the newline; length known */
	ssize_t unused = write(STDERR_FILENO, text, len + 1);
	(void)unused; /* nothing useful to do when stderr is gone */
	free(text);
}
