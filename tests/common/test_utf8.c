/* Unit tests: text made safe for JSON. */
#include <criterion/criterion.h>
#include <string.h>
#include "common/err.h"
#include "common/utf8.h"

static void check(const char *in, const char *expected)
{
	char buf[64];
	memcpy(buf, in, strlen(in) + 1);
	tl_utf8_sanitize(buf);
	cr_expect_str_eq(buf, expected, "input \"%s\"", in);
}

Test(utf8, keeps_valid_text)
{
	check("plain", "plain");
	check("Vi\xe1\xbb\x87t Nam \xc4\x91\xe1\xbb\x93ng", "Vi\xe1\xbb\x87t Nam \xc4\x91\xe1\xbb\x93ng");
	check("\xf0\x9f\x92\xb0", "\xf0\x9f\x92\xb0"); /* U+1F4B0 */
}

Test(utf8, replaces_invalid_bytes_and_drops_a_cut_sequence)
{
	check("a\xff" "b", "a?b");
	check("\xc0\xaf", "??");              /* overlong '/' */
	check("\xed\xa0\x80", "???");         /* surrogate */
	check("\xf4\x90\x80\x80", "????");    /* above U+10FFFF */
	check("ok\xe1\xbb", "ok");            /* cut at the end */
	check("\x80" "x", "?x");
}

Test(utf8, error_messages_cut_mid_character_stay_valid)
{
	tl_error e = {0};
	char name[400];
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i + 2 < sizeof(name) - 1; i += 2)
		memcpy(name + i, "\xc3\xa9", 2); /* é repeated, longer than a message */
	tl_error_set(&e, TL_EINVALID, "x", "name %s", name);
	size_t len = strlen(e.message);
	cr_assert_lt(len, sizeof(e.message));
	/* the last character is whole */
	cr_assert_neq((unsigned char)e.message[len - 1], 0xc3);
	json_t *j = json_string(e.message);
	cr_assert_not_null(j, "message is not valid UTF-8");
	json_decref(j);
	tl_error_clear(&e);
}
