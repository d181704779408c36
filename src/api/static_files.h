/*
 * static_files.h: the web console's files (web/), served by tallyd itself
 * for GET and HEAD paths that no API route claims. Only names made of
 * [A-Za-z0-9._-] segments that do not start with a dot, with a known
 * extension, are ever opened: no "..", no hidden files, no directories.
 */
#ifndef TL_STATIC_FILES_H
#define TL_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

struct MHD_Response;

#define TL_STATIC_PATH_MAX 128
/* '"' + three 16-digit hex numbers + two '-' + '"' + NUL, with room. */
#define TL_STATIC_ETAG_MAX 64

/* The file a URL path names, relative to the console's directory ("/" is
 * "index.html"), into out; false when the path cannot name a console
 * file. */
bool tl_static_file_name(const char *url_path, char *out, size_t size);

/* Its Content-Type by extension; NULL for a type the console never uses. */
const char *tl_static_content_type(const char *file_name);

/* The validator of a file: a strong ETag ("inode-size-mtime", hex, mtime
 * in nanoseconds), which changes whenever the file is written or replaced. */
void tl_static_etag(unsigned long long inode, long long size, long long mtime_sec,
		    long mtime_nsec, char *out, size_t size_out);

/* Whether an If-None-Match header value (a list of entity tags, or "*")
 * names etag, by the weak comparison RFC 9110 13.1.2 asks for: a W/ prefix
 * is ignored. NULL or empty matches nothing. */
bool tl_static_etag_matches(const char *if_none_match, const char *etag);

/* A response for web_dir/url_path with its headers set (type, caching,
 * ETag, and for pages a Content-Security-Policy that allows only the
 * console's own files): the file with *status 200, or an empty 304 Not
 * Modified when if_none_match (may be NULL) names its ETag; NULL when
 * there is no such file. */
struct MHD_Response *tl_static_response(const char *web_dir, const char *url_path,
					const char *if_none_match, unsigned *status);

#endif
