-- wrk script for SendUSMSMessage: cycles through pre-signed bodies; each request gets a fresh X-Nonce
-- (the signature covers the body only, so a body can be reused with a new nonce).
local bodies = {}
local sigs = {}
local keyId, ts, prefix
local counter = 0
local tid = 0
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function init(args)
  local f = io.open(args[1], "r")
  keyId = f:read("*l")
  ts = f:read("*l")
  prefix = f:read("*l")
  for line in f:lines() do
    local sig, body = line:match("^(%x+) (.*)$")
    sigs[#sigs + 1] = sig
    bodies[#bodies + 1] = body
  end
  f:close()
  tid = wrk.thread:get("tid")
end

function request()
  counter = counter + 1
  local i = (counter % #bodies) + 1
  return wrk.format("POST", "/api", {
    ["Content-Type"] = "application/json",
    ["X-Access-Key-Id"] = keyId,
    ["X-Signature"] = sigs[i],
    ["X-Timestamp"] = ts,
    ["X-Nonce"] = prefix .. tid .. "n" .. counter,
  }, bodies[i])
end

function done(summary, latency, requests)
  io.stderr:write(string.format("WRK {\"requests\":%d,\"errors\":%d,\"p50us\":%d,\"p99us\":%d,\"seconds\":%f}\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration / 1e6))
end
