/*
 * resource.h: cloud resources and their billing state, and the pure rules
 * of Stop POC (DESIGN.md rules 1, 7, 8, 10, 11, 12).
 *
 * Billing state of a server or volume:
 *
 *   poc --stop-poc paid (prepaid services)--> prepaid
 *   poc --stop-poc paid (hold settlement)---> postpaid
 *   (load balancers and snapshots are created postpaid and never POC)
 *
 * A cluster also has its own POC flag (cluster_poc): set while the cluster
 * is a POC; cleared when a cluster Stop POC is paid, or at once (action
 * "stop", no payment) when no member is left in POC.
 *
 * Status, and who changes it (every change is a save with an audit event):
 *
 *   (none) --bought (checkout paid) or created-----------------> active
 *            resources.c: tl_resources_create_prepaid, tl_resources_create
 *            (postpaid and POC ones, a cluster's members)    resource.created
 *   active --its prepaid term ended, not renewed----------------> suspended
 *            renewals job (term.suspend)                   resource.suspended
 *   active --its POC wallet expired, or was used up-------------> suspended
 *            POC expiry job (poc_expiry.suspend); POC accrual
 *            (tl_poc_wallet_used_up)                       resource.suspended
 *   active --its account's hold is short (postpaid, hold-settled)-> suspended
 *            daily holds in the reconcile job (hold.suspend)  resource.suspended
 *   suspended --its recovery checkout paid (prepaid)------------> active
 *            checkout payment: tl_resources_convert      resource.recovered
 *   suspended --Stop POC paid within the POC retention period---> active
 *            checkout payment: tl_resources_convert      resource.converted
 *   suspended --its POC wallet extended or topped up again------> active
 *            admin (PATCH /v1/poc-wallets/{id}: tl_poc_wallet_topped_up;
 *            its POC use counts from then)               resource.reactivated
 *   suspended --the hold is covered again-----------------------> active
 *            daily holds in the reconcile job             resource.reactivated
 *   active, suspended --deleted by its account or the admin-----> deleted
 *            tl_resources_delete (a cluster takes its members; the
 *            unused prepaid term is refunded)               resource.deleted
 *   suspended --the grace period after its term ended is over---> deleted
 *            renewals job (term.delete; not while a recovery
 *            checkout is open)                              resource.deleted
 *   active, suspended --the POC retention period is over (POC)--> deleted
 *            POC expiry job (poc_expiry.done)               resource.deleted
 *   deleted: final. The reconciliation still rates a postpaid one up to its
 *   deletion (updated_at) and moves its accrued_until; nothing changes its
 *   status again. An active one also changes in place without changing
 *   status: renewed (resource.renewed), converted by Stop POC
 *   (resource.converted, resource.poc_stopped), in or out of a checkout
 *   (open_checkout_id), its POC use or postpaid use rated (accrued_until).
 *
 * Deleting cancels the resource's open checkout first, so paying it can
 * never bring a deleted resource back.
 *
 * Invariants:
 *   1. A resource keeps its id, configuration and data through Stop POC:
 *      only its billing fields change.
 *   2. A resource is in at most one open checkout (open_checkout_id).
 *   3. Load balancers and snapshots are never POC and never in a Stop POC.
 *   4. stop_poc_available = cluster_poc or some live member is POC.
 *   5. A POC resource suspended at its wallet's expiry can still be
 *      converted during the retention period (and is active again); one
 *      suspended for debt cannot.
 *   6. What tl_resource_assert_valid checks on every save: known type,
 *      status and billing mode; an id, an account and quantity >= 1; only
 *      servers, volumes and clusters are POC, only a cluster has
 *      cluster_poc; a POC resource names its wallet and (but a cluster) only
 *      a POC one does; a prepaid resource (but a cluster, whose term is its
 *      members') has a term of cycle_months >= 1 months, 0 < term_start <
 *      term_end, and (but a cluster) only a prepaid one has a term; a
 *      deleted resource is in no open checkout.
 */
#ifndef TL_RESOURCE_H
#define TL_RESOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"
#include "domain/catalog.h"

typedef struct tl_resource {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
	char type[24];            /* server, volume, cluster, load_balancer, snapshot */
	char name[TL_NAME_MAX + 1];
	char cluster_id[TL_ID_MAX];
	char role[16];            /* node, boot_volume, pvc, load_balancer, snapshot, "" */
	char item_id[TL_CATALOG_ID_MAX];
	char service[TL_CATALOG_ID_MAX];
	int64_t quantity;         /* 1, or GB */
	json_t *spec;             /* owned */
	char status[12];          /* active, suspended, deleted */
	char billing_mode[12];    /* poc, prepaid, postpaid */
	bool cluster_poc;         /* clusters: the cluster's own POC flag */
	char poc_wallet_id[TL_ID_MAX];
	int cycle_months;
	int64_t term_start, term_end;
	bool auto_renew;
	char open_checkout_id[TL_ID_MAX];
	int64_t accrued_until;    /* POC: usage charged up to here */
	int64_t created_at, updated_at;
} tl_resource;

void tl_resource_release(tl_resource *r);

/* The API's form; members (clusters) and stop_poc_available are added by
 * the caller that knows them. */
json_t *tl_resource_to_json(const tl_resource *r);

/* Invariant 6: 0, or TL_EINTERNAL "invalid_resource" naming what is wrong
 * (a save of such a resource is a defect, and is refused). */
int tl_resource_assert_valid(const tl_resource *r, tl_error *err);

/* Can this type be POC? (servers, volumes, clusters) */
bool tl_resource_type_poc_eligible(const char *type);

/* Is r still billed as a POC, i.e. something Stop POC would convert? */
bool tl_resource_in_poc(const tl_resource *r);

/* What a Stop POC of `target` does. For a cluster, members[] are its
 * members; for anything else they are unused. */
#define TL_STOP_POC_MAX TL_CHECKOUT_LINES_MAX /* what one checkout converts */
typedef struct tl_stop_poc_plan {
	bool stop_only;            /* a cluster with nothing left in POC: "stop" */
	size_t count;
	const tl_resource *convert[TL_STOP_POC_MAX]; /* what the checkout will list */
	char warning[320];         /* a member stopped on its own: "" when none */
} tl_stop_poc_plan;

/* TL_ECONFLICT with resource_deleted / resource_suspended / not_poc,
 * TL_ERULE too_many_resources when more than TL_STOP_POC_MAX members are
 * in POC (members[] may hold only those: the others are never converted), or 0
 * with the plan. cluster is target's cluster when target is a member (for
 * the warning), else NULL. */
int tl_stop_poc_plan_make(const tl_resource *target, const tl_resource *cluster,
			  const tl_resource *members, size_t member_count,
			  tl_stop_poc_plan *out, tl_error *err);

/* Rule 12: a cluster's Stop POC is available while it or a live member is
 * POC. */
bool tl_cluster_stop_poc_available(const tl_resource *cluster, const tl_resource *members,
				   size_t member_count);

#endif
