/* store_fixture.c: see store_fixture.h. */
#include "store_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fresh_dir[64];

void tt_store_open_fresh(tl_store **out)
{
	const char *driver = getenv("TALLY_TEST_STORE");
	cr_assert(driver == NULL || driver[0] == '\0' || strcmp(driver, "sqlite") == 0,
		  "TALLY_TEST_STORE=%s: no such driver here", driver);
	snprintf(fresh_dir, sizeof(fresh_dir), "/tmp/tally-store-XXXXXX");
	cr_assert_not_null(mkdtemp(fresh_dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/t.db", fresh_dir);
	tl_error e = {0};
	cr_assert_eq(tl_store_open(out, path, &e), 0, "%s", e.message);
}

void tt_store_close_fresh(tl_store *store)
{
	if (store == NULL) /* the open failed (an unknown TALLY_TEST_STORE) */
		return;
	tl_store_close(store);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fresh_dir);
	cr_assert_eq(system(cmd), 0);
}

void tt_store_must_write(tl_store *store, tl_tx_fn fn, void *arg)
{
	tl_error e = {0};
	int rc = tl_store_write(store, fn, arg, &e);
	cr_assert_eq(rc, 0, "%s: %s", e.code, e.message);
}

void tt_store_must_read(tl_store *store, tl_tx_fn fn, void *arg)
{
	tl_error e = {0};
	int rc = tl_store_read(store, fn, arg, &e);
	cr_assert_eq(rc, 0, "%s: %s", e.code, e.message);
}
