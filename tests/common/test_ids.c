/* Unit tests: prefixed random ids. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>
#include "common/ids.h"
#include "common/limits.h"

Test(ids, have_prefix_and_sixteen_base32_chars)
{
	cr_assert_geq(sodium_init(), 0);
	char id[TL_ID_MAX];
	tl_id_new(id, sizeof(id), "acc");
	cr_assert_eq(strlen(id), 4 + TL_ID_RANDOM_CHARS);
	cr_assert(tl_id_valid(id, "acc"), "%s", id);
	cr_assert_not(tl_id_valid(id, "res"));
}

Test(ids, differ_each_time)
{
	char a[TL_ID_MAX], b[TL_ID_MAX];
	tl_id_new(a, sizeof(a), "evt");
	tl_id_new(b, sizeof(b), "evt");
	cr_assert_str_neq(a, b);
}

Test(ids, validation_rejects_wrong_shapes)
{
	cr_assert_not(tl_id_valid("acc_", "acc"));
	cr_assert_not(tl_id_valid("acc_abcdefghijklmnop1", "acc"));  /* '1' not base32 */
	cr_assert_not(tl_id_valid("acc_ABCDEFGHIJKLMNOP", "acc"));   /* upper case */
	cr_assert_not(tl_id_valid("acc_abcdefghijklmnopq", "acc"));  /* 17 chars */
	cr_assert_not(tl_id_valid("accabcdefghijklmnop", "acc"));
	cr_assert(tl_id_valid("acc_abcdefghijklmnop", "acc"));
}
