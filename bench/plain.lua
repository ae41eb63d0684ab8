-- A fixed request (the URL and -H headers given to wrk): no request() here,
-- so wrk sends it without calling into Lua. done() prints the RESULT line
-- bench/run.sh reads.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
