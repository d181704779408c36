/* Unit tests: errors are recorded once and map to HTTP. */
#include <criterion/criterion.h>
#include "common/err.h"

Test(err, first_message_wins)
{
	tl_error e = {0};
	cr_assert_eq(tl_error_set(&e, TL_ENOTFOUND, "account_not_found", "no account %s", "x"),
		     TL_ENOTFOUND);
	tl_error_set(&e, TL_EINTERNAL, "store_error", "later failure");
	cr_assert_eq(e.err, TL_ENOTFOUND);
	cr_assert_str_eq(e.code, "account_not_found");
	cr_assert_str_eq(e.message, "no account x");
	tl_error_clear(&e);
	cr_assert_eq(e.err, 0);
}

Test(err, kinds_map_to_statuses)
{
	cr_assert_eq(tl_err_http_status(TL_EINVALID), 400);
	cr_assert_eq(tl_err_http_status(TL_EAUTH), 401);
	cr_assert_eq(tl_err_http_status(TL_EFORBIDDEN), 403);
	cr_assert_eq(tl_err_http_status(TL_ENOTFOUND), 404);
	cr_assert_eq(tl_err_http_status(TL_EMETHOD), 405);
	cr_assert_eq(tl_err_http_status(TL_ECONFLICT), 409);
	cr_assert_eq(tl_err_http_status(TL_ETOOLARGE), 413);
	cr_assert_eq(tl_err_http_status(TL_ERULE), 422);
	cr_assert_eq(tl_err_http_status(TL_EFUNDS), 422);
	cr_assert_eq(tl_err_http_status(TL_ELIMIT), 429);
	cr_assert_eq(tl_err_http_status(TL_EUNAVAILABLE), 503);
	cr_assert_eq(tl_err_http_status(-999), 500);
	cr_assert_str_eq(tl_err_default_code(TL_EFUNDS), "insufficient_credit");
}
