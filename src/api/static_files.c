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

void tl_static_etag(unsigned long long inode, long long size, long long mtime_sec,
		    long mtime_nsec, char *out, size_t size_out)
{
	unsigned long long mtime_ns = (unsigned long long)mtime_sec * 1000000000ULL +
				      (unsigned long long)mtime_nsec;
	snprintf(out, size_out, "\"%llx-%llx-%llx\"", inode, (unsigned long long)size, mtime_ns);
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

bool tl_static_etag_matches(const char *if_none_match, const char *etag)
{
	if (if_none_match == NULL || etag == NULL)
		return false;
	size_t etag_len = strlen(etag);
	const char *p = if_none_match;
	while (*p) {
		while (ows(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '*') {
			const char *q = p + 1;
			while (ows(*q))
				q++;
			if (*q == '\0' || *q == ',')
				return true;
		}
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		const char *end = p;
		if (*p == '"') { /* an opaque tag runs to its closing quote */
			end = strchr(p + 1, '"');
			end = end ? end + 1 : p + strlen(p);
		} else {
			while (*end && *end != ',' && !ows(*end))
				end++;
		}
		const char *after = end;
		while (ows(*after))
			after++;
		if ((*after == '\0' || *after == ',') && (size_t)(end - p) == etag_len &&
		    strncmp(p, etag, etag_len) == 0)
			return true;
		p = end;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

/* The headers every answer for a console file carries, 200 or 304. */
static bool common_headers(struct MHD_Response *r, const char *name, const char *etag)
{
	/* no-cache: revalidate each time (the ETag makes that a 304 without a
	 * body), so a new tallyd's console is never mixed with an old one's
	 * cached scripts. A page without its CSP is not served at all. */
	bool page = strstr(name, ".html") != NULL;
	return MHD_add_response_header(r, "Cache-Control", "no-cache") == MHD_YES &&
	       MHD_add_response_header(r, "ETag", etag) == MHD_YES &&
	       MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	       MHD_add_response_header(r, "Referrer-Policy", "no-referrer") == MHD_YES &&
	       (!page || MHD_add_response_header(r, "Content-Security-Policy", CONSOLE_CSP) == MHD_YES);
}

struct MHD_Response *tl_static_response(const char *web_dir, const char *url_path,
					const char *if_none_match, unsigned *status)
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
	char etag[TL_STATIC_ETAG_MAX];
	tl_static_etag((unsigned long long)st.st_ino, (long long)st.st_size,
		       (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, etag, sizeof(etag));
	struct MHD_Response *r;
	if (tl_static_etag_matches(if_none_match, etag)) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
	} else {
		/* Once created, the response owns fd and closes it when destroyed. */
		r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		if (r == NULL)
			close(fd);
		*status = MHD_HTTP_OK;
		if (r != NULL &&
		    MHD_add_response_header(r, "Content-Type", tl_static_content_type(name)) != MHD_YES) {
			MHD_destroy_response(r);
			return NULL;
		}
	}
	if (r == NULL)
		return NULL;
	if (!common_headers(r, name, etag)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}
