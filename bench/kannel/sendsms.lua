-- wrk script for Kannel's sendsms interface (smsbox): one GET a message, each with its own number.
-- Usage: wrk -t2 -c50 -d10s --latency -s sendsms.lua http://127.0.0.1:PORT -- USERNAME PASSWORD
-- done() writes one line to stderr: WRK {"requests":..,"non2xx":..,"socketErrors":..,"p50us":..,"p99us":..,"seconds":..}
local user, pass
local counter = 0
local tid = 0
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function init(args)
  user = args[1]
  pass = args[2]
  tid = tonumber(wrk.thread:get("tid"))
end

function request()
  counter = counter + 1
  local n = counter % 1000000
  local path = string.format(
    "/cgi-bin/sendsms?username=%s&password=%s&from=12345&to=86139%02d%06d&text=Your+verification+code+is+%06d",
    user, pass, tid, n, n)
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.stderr:write(string.format(
    "WRK {\"requests\":%d,\"non2xx\":%d,\"socketErrors\":%d,\"p50us\":%d,\"p99us\":%d,\"seconds\":%f}\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration / 1e6))
end
