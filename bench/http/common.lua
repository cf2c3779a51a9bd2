-- Shared by read.lua and write.lua: the dossier ids, the credentials, and the summary line
-- that bench/http.sh parses. wrk runs init() in each thread's own Lua state.
ids = {}

function load_ids(path)
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  if #ids == 0 then error("no dossier id in " .. path) end
end

function random_id()
  return ids[math.random(#ids)]
end

function seed(salt)
  math.randomseed(os.time() * 1000 + salt)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
