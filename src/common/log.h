/*
 * log.h: JSON-lines logging on stderr, one object per line, so operators can
 * pipe tallyd's output into any log shipper. Access lines come from the api
 * layer; everything else uses tl_log.
 */
#ifndef TL_LOG_H
#define TL_LOG_H

#include <jansson.h>

/* Writes {"ts":..., "level":..., "msg":..., <fields>} and a newline.
 * Steals the reference to fields (may be NULL). Thread-safe: one write(2). */
void tl_log(const char *level, const char *msg, json_t *fields);

/* Silences logging (tests of code that logs on purpose). */
void tl_log_set_enabled(int enabled);

#endif
