/*
 * store_fixture.h: a fresh, empty store for the store's contract tests
 * (tests/store/). Every store test opens its store through here and never
 * names a driver, so a second driver runs the same tests unchanged: the
 * environment variable TALLY_TEST_STORE picks it ("sqlite", the default,
 * a new database file in a temporary directory).
 */
#ifndef TT_STORE_FIXTURE_H
#define TT_STORE_FIXTURE_H

#include <stdbool.h>
#include <string.h>

#include "store/store.h"

/* Opens a new empty store (migrated to the current schema); fails the
 * current test when it cannot. */
void tt_store_open_fresh(tl_store **out);

/* Closes the store and removes what tt_store_open_fresh made. */
void tt_store_close_fresh(tl_store *store);

/* Runs fn in a write transaction and fails the test unless it returns 0. */
void tt_store_must_write(tl_store *store, tl_tx_fn fn, void *arg);

/* Runs fn in a read transaction and fails the test unless it returns 0. */
void tt_store_must_read(tl_store *store, tl_tx_fn fn, void *arg);

/* Checks inside a transaction function (which may run on the store's
 * writer thread, where a Criterion assertion must not be made): the first
 * check that does not hold ends the function with an error naming its
 * line, which tt_store_must_write / tt_store_must_read then report. The
 * function's tl_error parameter must be named `err`. A store call checked
 * here takes TT_E as its error argument:
 *   TT_OK(tl_store_account_get(tx, id, &a, TT_E));
 *   TT_FAILS(tl_store_account_get(tx, "acc_none", &a, TT_E), TL_ENOTFOUND,
 *            "account_not_found");
 * TT_FAILS wants exactly that return and code (a NULL code: any). */
#define TT_E (&tt_e_)
#define TT_CHECK(cond)                                                                         \
	do {                                                                                   \
		if (!(cond))                                                                   \
			return tl_error_set(err, TL_EINTERNAL, "contract", "%s:%d: %s", __FILE__, \
					    __LINE__, #cond);                                  \
	} while (0)
#define TT_OK(call)                                                                            \
	do {                                                                                   \
		tl_error tt_e_ = {0};                                                          \
		int tt_rc_ = (call);                                                           \
		if (tt_rc_ != 0) {                                                             \
			tl_error_set(err, TL_EINTERNAL, "contract", "%s:%d: %s gave %d %s: %s",   \
				     __FILE__, __LINE__, #call, tt_rc_, tt_e_.code, tt_e_.message); \
			tl_error_clear(&tt_e_);                                                \
			return TL_EINTERNAL;                                                   \
		}                                                                              \
	} while (0)
#define TT_FAILS(call, want_rc, want_code)                                                     \
	do {                                                                                   \
		tl_error tt_e_ = {0};                                                          \
		int tt_rc_ = (call);                                                           \
		const char *tt_want_ = (want_code);                                            \
		bool tt_ok_ = tt_rc_ == (want_rc) &&                                           \
			      (tt_want_ == NULL || strcmp(tt_e_.code, tt_want_) == 0);         \
		if (!tt_ok_)                                                                   \
			tl_error_set(err, TL_EINTERNAL, "contract",                            \
				     "%s:%d: %s gave %d %s (%s), wanted %d %s", __FILE__, __LINE__, \
				     #call, tt_rc_, tt_e_.code, tt_e_.message, (want_rc),       \
				     tt_want_ ? tt_want_ : "");                                 \
		tl_error_clear(&tt_e_);                                                        \
		if (!tt_ok_)                                                                   \
			return TL_EINTERNAL;                                                   \
	} while (0)

#endif
