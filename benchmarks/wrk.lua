-- One endpoint under load; the request comes from the environment, the summary
-- goes out as one JSON line with the percentiles wrk measured.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local cookie = os.getenv("WRK_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
local csrf = os.getenv("WRK_CSRF")
if csrf and csrf ~= "" then wrk.headers["X-CSRFToken"] = csrf end
if os.getenv("WRK_HX") == "1" then wrk.headers["HX-Request"] = "true" end

-- WRK_PATHS names a file of paths, one a line: each request takes the next one. Each of
-- the WRK_THREADS threads starts its own share of the list: started together, they asked
-- the same path at the same moment, and the second was answered from what the first
-- left in the server's caches.
local made = 0
function setup(thread)
  thread:set("thread_index", made)
  made = made + 1
end

local paths, next_path = {}, nil
local paths_file = os.getenv("WRK_PATHS")
if paths_file and paths_file ~= "" then
  for line in io.lines(paths_file) do paths[#paths + 1] = line end
  local threads = tonumber(os.getenv("WRK_THREADS") or "1")
  request = function()
    if next_path == nil then
      next_path = math.floor((thread_index or 0) * #paths / threads)
    end
    next_path = next_path % #paths + 1
    return wrk.format(nil, paths[next_path])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
