-- wrk script: GET one account with its own account token (auth + read tx).
wrk.method = "GET"
wrk.path = "/v1/accounts/" .. os.getenv("BENCH_ACCOUNT")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
