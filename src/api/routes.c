/* routes.c: the one route table. Every path tallyd serves is a row here;
 * docs/openapi.yaml documents the same rows. */
#include "api/api.h"

const tl_route tl_routes[] = {
	/* operations */
	{"GET", "/healthz", TL_AUTH_NONE, false, tl_h_healthz},
	{"GET", "/metrics", TL_AUTH_NONE, false, tl_h_metrics},

	/* accounts and tokens */
	{"POST", "/v1/accounts", TL_AUTH_ADMIN, false, tl_h_accounts_create},
	{"GET", "/v1/accounts", TL_AUTH_ADMIN, false, tl_h_accounts_list},
	{"GET", "/v1/accounts/{acc}", TL_AUTH_ANY, false, tl_h_accounts_get},
	{"PATCH", "/v1/accounts/{acc}", TL_AUTH_ADMIN, false, tl_h_accounts_change},
	{"POST", "/v1/accounts/{acc}/tokens", TL_AUTH_ADMIN, false, tl_h_tokens_create},

	/* money */
	{"POST", "/v1/accounts/{acc}/credit", TL_AUTH_ADMIN, false, tl_h_credit_top_up},
	{"POST", "/v1/accounts/{acc}/poc-wallets", TL_AUTH_ADMIN, false, tl_h_poc_wallets_create},
	{"PATCH", "/v1/poc-wallets/{id}", TL_AUTH_ADMIN, false, tl_h_poc_wallets_change},
	{"GET", "/v1/wallets", TL_AUTH_ANY, false, tl_h_wallets_get},
	{"POST", "/v1/wallets/top-ups", TL_AUTH_ANY, false, tl_h_top_up_gateway},
	{"GET", "/v1/holds", TL_AUTH_ANY, false, tl_h_holds_list},
	{"POST", "/v1/ledger/transfers", TL_AUTH_ADMIN, false, tl_h_transfers_create},
	{"GET", "/v1/ledger/transfers", TL_AUTH_ADMIN, false, tl_h_transfers_list},
	{"GET", "/v1/ledger/accounts", TL_AUTH_ADMIN, false, tl_h_ledger_accounts_list},
	{"GET", "/v1/ledger/check", TL_AUTH_ADMIN, false, tl_h_ledger_check},

	/* catalog, coupons, checkouts */
	{"GET", "/v1/catalog", TL_AUTH_ANY, false, tl_h_catalog_get},
	{"POST", "/v1/coupons", TL_AUTH_ADMIN, false, tl_h_coupons_create},
	{"GET", "/v1/coupons", TL_AUTH_ADMIN, false, tl_h_coupons_list},
	{"POST", "/v1/coupons/{id}/disable", TL_AUTH_ADMIN, false, tl_h_coupons_disable},
	{"POST", "/v1/checkouts", TL_AUTH_ANY, false, tl_h_checkouts_create},
	{"GET", "/v1/checkouts/{id}", TL_AUTH_ANY, false, tl_h_checkouts_get},
	{"PATCH", "/v1/checkouts/{id}", TL_AUTH_ANY, false, tl_h_checkouts_change},
	{"POST", "/v1/checkouts/{id}/cancel", TL_AUTH_ANY, false, tl_h_checkouts_cancel},
	{"POST", "/v1/checkouts/{id}/pay", TL_AUTH_ANY, false, tl_h_checkouts_pay},

	/* payment gateway */
	{"POST", "/v1/gateway/notify", TL_AUTH_NONE, false, tl_h_gateway_notify},
	{"GET", "/v1/gateway/vnpay/ipn", TL_AUTH_NONE, false, tl_h_vnpay_ipn},
	{"GET", "/v1/gateway/vnpay/return", TL_AUTH_NONE, false, tl_h_vnpay_return},
	{"GET", "/sandbox-gateway/pay", TL_AUTH_NONE, false, tl_h_sandbox_page},
	{"POST", "/sandbox-gateway/pay", TL_AUTH_NONE, false, tl_h_sandbox_action},

	/* resources and Stop POC */
	{"POST", "/v1/resources", TL_AUTH_ANY, false, tl_h_resources_create},
	{"GET", "/v1/resources", TL_AUTH_ANY, false, tl_h_resources_list},
	{"GET", "/v1/resources/{id}", TL_AUTH_ANY, false, tl_h_resources_get},
	{"DELETE", "/v1/resources/{id}", TL_AUTH_ANY, false, tl_h_resources_delete},
	{"POST", "/v1/resources/{id}/stop-poc/preview", TL_AUTH_ANY, false, tl_h_stop_poc_preview},
	{"POST", "/v1/resources/{id}/stop-poc", TL_AUTH_ANY, false, tl_h_stop_poc_confirm},
	{"POST", "/v1/resources/{id}/renew", TL_AUTH_ANY, false, tl_h_resources_renew},
	{"POST", "/v1/usage", TL_AUTH_METERING, false, tl_h_usage_submit},

	/* billing history */
	{"GET", "/v1/invoices", TL_AUTH_ANY, false, tl_h_invoices_list},
	{"GET", "/v1/invoices/{id}", TL_AUTH_ANY, false, tl_h_invoices_get},
	{"GET", "/v1/payments", TL_AUTH_ANY, false, tl_h_payments_list},
	{"GET", "/v1/payments/{id}", TL_AUTH_ANY, false, tl_h_payments_get},

	/* audit trail */
	{"GET", "/v1/events", TL_AUTH_ANY, false, tl_h_events_list},

	/* webhooks */
	{"POST", "/v1/webhook-endpoints", TL_AUTH_ADMIN, false, tl_h_webhook_endpoints_create},
	{"GET", "/v1/webhook-endpoints", TL_AUTH_ADMIN, false, tl_h_webhook_endpoints_list},
	{"GET", "/v1/webhook-endpoints/{id}", TL_AUTH_ADMIN, false, tl_h_webhook_endpoints_get},
	{"PATCH", "/v1/webhook-endpoints/{id}", TL_AUTH_ADMIN, false, tl_h_webhook_endpoints_update},
	{"DELETE", "/v1/webhook-endpoints/{id}", TL_AUTH_ADMIN, false, tl_h_webhook_endpoints_delete},
	{"GET", "/v1/webhook-endpoints/{id}/deliveries", TL_AUTH_ADMIN, false, tl_h_webhook_deliveries_list},
	{"POST", "/v1/webhook-deliveries/{id}/redeliver", TL_AUTH_ADMIN, false, tl_h_webhook_deliveries_redeliver},
	{"GET", "/v1/webhook-events", TL_AUTH_ADMIN, false, tl_h_webhook_events_list},

	/* jobs */
	{"POST", "/v1/admin/jobs/run", TL_AUTH_ADMIN, false, tl_h_jobs_run},
	{"GET", "/v1/admin/jobs", TL_AUTH_ADMIN, false, tl_h_jobs_failures},

	/* operations on the store */
	{"POST", "/v1/admin/backup", TL_AUTH_ADMIN, false, tl_h_admin_backup},

	/* test clock */
	{"GET", "/v1/admin/clock", TL_AUTH_ADMIN, true, tl_h_clock_get},
	{"POST", "/v1/admin/clock", TL_AUTH_ADMIN, true, tl_h_clock_set},
};

const size_t tl_route_count = sizeof(tl_routes) / sizeof(tl_routes[0]);
