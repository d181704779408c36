-- wrk script: one durable transfer per request, each with a fresh id, from
-- the gateway clearing account to one of 1,000 customer wallets (named by
-- BENCH_WALLETS, a file with one wallet id per line).
local wallets = {}
for line in io.lines(os.getenv("BENCH_WALLETS")) do wallets[#wallets + 1] = line end
local counter = 0
local thread_tag = ""

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end

function init(args)
  thread_tag = tag or tostring(math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  local wallet = wallets[(counter % #wallets) + 1]
  local body = string.format(
    '{"transfers":[{"id":"s%s-%d","debit_account":"sys_gateway_clearing_vnd",' ..
    '"credit_account":"%s","amount":1000,"code":"top_up"}]}', thread_tag, counter, wallet)
  return wrk.format("POST", "/v1/ledger/transfers", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("TALLY_ADMIN_TOKEN"),
  }, body)
end
