-- wrk script for bench/run.py: POST JSON bodies read from a file (one body per line), cycling through
-- them, and print the figures as one JSON line the runner parses.
--
--   wrk -t1 -c4 -d5s --latency -s bench/post.lua http://127.0.0.1:PORT/graphql -- BODIES_FILE

local requests = {}
local n = 0
local i = 0

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then
      n = n + 1
      requests[n] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
    end
  end
  f:close()
  assert(n > 0, "no request bodies in " .. args[1])
end

function request()
  i = i % n + 1
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
