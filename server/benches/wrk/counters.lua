-- wrk script: each thread is one counter with one connection, pressing as
-- fast as it is answered: call-next (finishing the citizen it serves),
-- then "start" for the citizen called, and so on (a closed loop).
--   wrk -t8 -c8 -d20s --latency -s counters.lua http://127.0.0.1:PORT -- TOKEN1 … TOKEN8
-- TOKENn: a staff session signed in at counter n. wrk's latencies are of
-- both presses together.

local threads = {}

function setup(thread)
  thread:set("counter", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  headers = {
    ["Authorization"] = "Bearer " .. args[counter],
    ["Content-Type"] = "application/json",
  }
  -- "start" has no body.
  bare = { ["Authorization"] = "Bearer " .. args[counter] }
  call = "/api/v1/counters/" .. counter .. "/call-next"
  called, calling = nil, false
end

function request()
  if called then
    local path = "/api/v1/counters/" .. counter .. "/tickets/" .. called .. "/start"
    called = nil
    return wrk.format("POST", path, bare, "")
  end
  calling = true
  return wrk.format("POST", call, headers, '{"finish_current": true}')
end

function response(status, headers, body)
  if calling then
    calling = false
    if status == 200 then
      called = string.match(body, '"id":(%d+)')
    end
  end
end
