/*
 * utf8.h: making text safe to put in JSON. Error messages quote what a
 * client sent (a path, a field, a currency) and are cut to fixed buffers;
 * jansson refuses a string that is not valid UTF-8, which would turn an
 * error answer into an empty body.
 */
#ifndef TL_UTF8_H
#define TL_UTF8_H

/* In place: replaces each byte that does not start a valid UTF-8 sequence
 * with '?', and drops a sequence cut off at the end. */
void tl_utf8_sanitize(char *s);

#endif
