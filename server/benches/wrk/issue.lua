-- wrk script: every request takes a new ticket as the demo kiosk, with a
-- fresh idempotency key, alternating between the services given.
--   wrk -t2 -c8 -d20s --latency -s issue.lua http://127.0.0.1:PORT -- TOKEN RUN 1,2
-- TOKEN: the kiosk's device token; RUN: a word that keeps this run's keys
-- apart from earlier ones on the same database; then the service ids.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token, run = args[1], args[2]
  services = {}
  for id in string.gmatch(args[3] or "1", "%d+") do
    table.insert(services, id)
  end
  sent = 0
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
end

function request()
  sent = sent + 1
  local service = services[sent % #services + 1]
  local body = string.format(
    '{"service_id": %s, "idempotency_key": "wrk-%s-%d-%d"}', service, run, tid, sent)
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end
