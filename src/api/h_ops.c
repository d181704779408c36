/* h_ops.c: liveness and metrics for operators. */
#include "api/api.h"
#include "api/metrics.h"

int tl_h_healthz(tl_request *req, tl_response *res, tl_error *err)
{
	(void)err;
	tl_error ping_err = {0};
	if (tl_store_ping(req->app->store, &ping_err) < 0) {
		tl_respond_json(res, 503, json_pack("{s:s, s:s, s:s}", "status", "unavailable",
						    "database", "unreachable", "reason",
						    ping_err.message));
		tl_error_clear(&ping_err);
		return 0;
	}
	tl_respond_json(res, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
	return 0;
}

int tl_h_metrics(tl_request *req, tl_response *res, tl_error *err)
{
	char *text = tl_metrics_render(req->app->metrics, req->app->store);
	if (text == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_respond_json(res, 200, NULL);
	res->text = text;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}
