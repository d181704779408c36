/* static_files.c: serving the web console's files; see static_files.h. */
#include "api/static_files.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The console runs only its own scripts and styles; nothing may frame it. */
#define CONSOLE_CSP                                                                  \
	"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " \
	"frame-ancestors 'none'; form-action 'self'"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

bool tl_static_file_name(const char *url_path, char *out, size_t size)
{
	if (url_path == NULL || url_path[0] != '/')
		return false;
	const char *name = strcmp(url_path, "/") == 0 ? "index.html" : url_path + 1;
	size_t len = strlen(name);
	if (len == 0 || len >= size || len >= TL_STATIC_PATH_MAX)
		return false;
	bool segment_start = true;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			if (segment_start) /* "//" or a trailing "/" */
				return false;
			segment_start = true;
			continue;
		}
		/* A leading dot would allow "..", "." and hidden files. */
		if (!name_char(*p) || (segment_start && *p == '.'))
			return false;
		segment_start = false;
	}
	if (segment_start)
		return false;
	memcpy(out, name, len + 1);
	return tl_static_content_type(out) != NULL;
}

const char *tl_static_content_type(const char *file_name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(file_name, '.');
	if (dot == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

struct MHD_Response *tl_static_response(const char *web_dir, const char *url_path)
{
	char name[TL_STATIC_PATH_MAX], full[4096];
	if (web_dir == NULL || web_dir[0] == '\0' ||
	    !tl_static_file_name(url_path, name, sizeof(name)))
		return NULL;
	int n = snprintf(full, sizeof(full), "%s/%s", web_dir, name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return NULL;
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	/* Once created, the response owns fd and closes it when destroyed. */
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (r == NULL) {
		close(fd);
		return NULL;
	}
	/* no-cache: revalidate each time, so a new tallyd's console is never
	 * mixed with an old one's cached scripts. A page without its CSP is
	 * not served at all. */
	bool page = strstr(name, ".html") != NULL;
	if (MHD_add_response_header(r, "Content-Type", tl_static_content_type(name)) != MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", "no-cache") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(r, "Referrer-Policy", "no-referrer") != MHD_YES ||
	    (page && MHD_add_response_header(r, "Content-Security-Policy", CONSOLE_CSP) != MHD_YES)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}
