-- wrk script: POST /v1/accounts as the admin, one new account per request.
wrk.method = "POST"
wrk.path = "/v1/accounts"
wrk.body = '{"name":"bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TALLY_ADMIN_TOKEN")
