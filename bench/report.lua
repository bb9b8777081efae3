-- wrk reporter: one machine-readable line after the run (bench/run.py reads it).
-- bench/rotate.lua loads this file for the same line.
function bench_report(summary, latency)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"connect_errors\": %d, \"read_errors\": %d, \"write_errors\": %d, " ..
    "\"status_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end

done = function(summary, latency, requests)
  bench_report(summary, latency)
end
