-- wrk script for the new-query scenarios: every request asks for another address.
-- Arguments (after --): a file of addresses, one a line, and the index to start at.
-- Thread t of T sends start + t, start + t + T, start + t + 2T, ... (wrapping at the end of
-- the file, which bench/run.py reports as repeats), so no two requests of a run share one.
-- After the run one line BENCH_ROTATE says how far the addresses went.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")

local threads = {}
local counter = 1

setup = function(thread)
  thread:set("id", counter - 1)
  table.insert(threads, thread)
  counter = counter + 1
end

init = function(args)
  paths = {}
  for line in io.lines(args[1]) do
    table.insert(paths, line)
  end
  start = tonumber(args[2]) or 0
  stride = tonumber(args[3]) or 1
  sent = 0
end

request = function()
  local index = (start + id + sent * stride) % #paths
  sent = sent + 1
  return wrk.format(nil, paths[index + 1])
end

done = function(summary, latency, requests)
  bench_report(summary, latency)
  local most = 0
  for _, thread in ipairs(threads) do
    local n = thread:get("sent") or 0
    if n > most then most = n end
  end
  io.write(string.format("BENCH_ROTATE {\"used\": %d}\n", most * #threads))
end
