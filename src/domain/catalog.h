/*
 * catalog.h: what can be bought and at what price. Loaded once at start from
 * a versioned JSON file (--catalog); a file that fails validation stops
 * tallyd with the file, the field and the reason. Immutable after loading:
 * every thread reads it without locks. A checkout copies the prices it
 * uses, so a later catalog cannot change a checkout's price.
 *
 * File format (version 1), all money in minor units:
 *   {"version": 1, "currency": "VND", "currencies": ["VND", "USD"],
 *    "tax_rate_bp": 1000, "hold_days": 3,
 *    "cycles":   [{"months": 1, "discount_bp": 0}, ...],
 *    "services": [{"id": "vserver", "settlement": "prepaid"}, ...],
 *    "items":    [{"id": "srv.g2.2c4g", "type": "server", "service": "vserver",
 *                  "name": "General 2 vCPU 4 GiB", "poc_eligible": true,
 *                  "monthly_price": 900000, "unit": "month"},
 *                 {"id": "lb.basic", "type": "load_balancer", "service": "vlb",
 *                  "name": "LB", "poc_eligible": false, "unit": "month",
 *                  "billing": "running_time",
 *                  "prices": {"VND": 400000, "USD": 1600}}, ...]}
 *
 * Currencies: `currency` is the default (what `monthly_price` is in, what
 * the admin sees); `currencies` (default: [currency]) names every currency
 * the catalog prices. An item gives either `monthly_price` (in `currency`)
 * or `prices` (a monthly price per currency of `currencies`). An account is
 * only ever priced in its own currency: an item with no price in it is
 * "currency_not_offered" (tl_catalog_price), never converted.
 *
 * Billing: `billing` (default "running_time") says what an item's use is
 * rated on in the monthly reconciliation: its resource's running time, or
 * the metered records the provider submits (POST /v1/usage) -- never a
 * mix. Only items that are never POC-billed or bought by term (load
 * balancers, snapshots) may be "metered".
 *
 * Clusters: a cluster has no fee of its own (it costs what its servers
 * and volumes cost), so a cluster item carries no price; the loader
 * refuses one, as it refuses any price no flow charges.
 */
#ifndef TL_CATALOG_H
#define TL_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define TL_CATALOG_ID_MAX 48
#define TL_CATALOG_NAME_MAX 96
#define TL_CATALOG_CYCLES_MAX 8
#define TL_CATALOG_SERVICES_MAX 16
#define TL_CATALOG_ITEMS_MAX 512
#define TL_CATALOG_CURRENCIES_MAX 8

/* The terms a prepaid purchase may choose: 1, 3, 6, 12, 24, 36 months. */
typedef struct tl_catalog_cycle {
	int months;
	int64_t discount_bp; /* 0 .. 9999 */
} tl_catalog_cycle;

typedef enum { TL_SETTLE_PREPAID, TL_SETTLE_HOLD } tl_settlement;

typedef struct tl_catalog_service {
	char id[TL_CATALOG_ID_MAX]; /* vserver, vks, vcontainer, vlb, snapshot */
	tl_settlement settlement;
} tl_catalog_service;

typedef enum { TL_UNIT_MONTH, TL_UNIT_GB_MONTH } tl_price_unit;

/* What an item's use is rated on: its running time, or metered records. */
typedef enum { TL_BILLING_RUNNING_TIME, TL_BILLING_METERED } tl_billing_kind;

typedef struct tl_catalog_item {
	char id[TL_CATALOG_ID_MAX];
	char type[24];    /* server, volume, cluster, load_balancer, snapshot */
	char service[TL_CATALOG_ID_MAX];
	char name[TL_CATALOG_NAME_MAX];
	bool poc_eligible;
	tl_billing_kind billing;
	/* per unit (per month, or per GB and month), one per currency of the
	 * catalog (same index as tl_catalog.currencies); offered[i] false: no
	 * price in that currency. Read through tl_catalog_price. */
	bool offered[TL_CATALOG_CURRENCIES_MAX];
	int64_t prices[TL_CATALOG_CURRENCIES_MAX];
	tl_price_unit unit;
} tl_catalog_item;

typedef struct tl_catalog {
	int version;
	char currency[4]; /* the default: currencies[0] */
	char currencies[TL_CATALOG_CURRENCIES_MAX][4];
	size_t currency_count;
	int64_t tax_rate_bp;   /* 0 .. 10000; default 1000 (10%) */
	int hold_days;         /* days of use a hold reserves; default 3 */
	tl_catalog_cycle cycles[TL_CATALOG_CYCLES_MAX];
	size_t cycle_count;
	tl_catalog_service services[TL_CATALOG_SERVICES_MAX];
	size_t service_count;
	tl_catalog_item items[TL_CATALOG_ITEMS_MAX];
	size_t item_count;
} tl_catalog;

/* Parses and validates a catalog. On failure err's message names the field
 * (JSON path, e.g. "items[3].monthly_price") and the reason, and its details
 * hold {"field": path}. */
int tl_catalog_parse(const json_t *root, tl_catalog *out, tl_error *err);

/* Reads and parses a file; the message then starts with the file's path. */
int tl_catalog_load(const char *path, tl_catalog *out, tl_error *err);

const tl_catalog_item *tl_catalog_item_find(const tl_catalog *c, const char *id);
const tl_catalog_service *tl_catalog_service_find(const tl_catalog *c, const char *id);
/* NULL when the catalog offers no such term. */
const tl_catalog_cycle *tl_catalog_cycle_find(const tl_catalog *c, int months);

/* The item's monthly price per unit in `currency` into *out. TL_ERULE
 * "currency_not_offered" (details {item_id, currency}) when the catalog
 * does not price the item in that currency (a cluster item: in none). */
int tl_catalog_price(const tl_catalog *c, const tl_catalog_item *item, const char *currency,
		     int64_t *out, tl_error *err);

/* True when the catalog prices anything in currency. */
bool tl_catalog_has_currency(const tl_catalog *c, const char *currency);

/* A price for one hour of use, for display only (rounded half up):
 * monthly_price * 60 / 43,200. Billing always works by the minute. */
int64_t tl_catalog_hourly_price(int64_t monthly_price);

/* API.md's GET /v1/catalog shape, with each item's monthly_price and
 * hourly_price in `currency` (null where it has none). currency NULL (the
 * admin): in the default currency, plus every item's `prices` in all. */
json_t *tl_catalog_to_json(const tl_catalog *c, const char *currency);

const char *tl_settlement_name(tl_settlement s);
const char *tl_price_unit_name(tl_price_unit u);
const char *tl_billing_kind_name(tl_billing_kind b);

#endif
