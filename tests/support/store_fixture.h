/*
 * store_fixture.h: a fresh, empty store for the store's contract tests
 * (tests/store/). Every store test opens its store through here and never
 * names a driver, so a second driver runs the same tests unchanged: the
 * environment variable TALLY_TEST_STORE picks it ("sqlite", the default,
 * a new database file in a temporary directory).
 */
#ifndef TT_STORE_FIXTURE_H
#define TT_STORE_FIXTURE_H

#include "store/store.h"

/* Opens a new empty store (migrated to the current schema); fails the
 * current test when it cannot. */
void tt_store_open_fresh(tl_store **out);

/* Closes the store and removes what tt_store_open_fresh made. */
void tt_store_close_fresh(tl_store *store);

/* Runs fn in a write transaction and fails the test unless it returns 0. */
void tt_store_must_write(tl_store *store, tl_tx_fn fn, void *arg);

#endif
