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

/* The file a URL path names, relative to the console's directory ("/" is
 * "index.html"), into out; false when the path cannot name a console
 * file. */
bool tl_static_file_name(const char *url_path, char *out, size_t size);

/* Its Content-Type by extension; NULL for a type the console never uses. */
const char *tl_static_content_type(const char *file_name);

/* A response streaming web_dir/url_path with its headers set (type,
 * caching, and for pages a Content-Security-Policy that allows only the
 * console's own files); NULL when there is no such file. */
struct MHD_Response *tl_static_response(const char *web_dir, const char *url_path);

#endif
