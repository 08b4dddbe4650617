-- bench/npm/cap.lua - bounds every wrk run in count as well as time: each thread stops after
-- BENCH_MAX_REQUESTS / threads requests (bench.py treats reaching it as an error, not as a rate).
local req, sent, cap
function init(args)
  req = wrk.format()
  sent = 0
  cap = tonumber(args[1])
end
function request()
  sent = sent + 1
  if sent > cap then
    wrk.thread:stop()
  end
  return req
end
