// Measurement half of bench/kannel/run.sh (run.sh starts and stops the processes; this script drives
// the load, reads bearerbox's status page and prints one JSON object on stdout).
// Usage: node measure.mjs single|smpp   (settings come from KB_* environment variables set by run.sh)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name, fallback) => process.env[name] ?? fallback;
const STATUS_URL = env('KB_STATUS_URL'); // http://127.0.0.1:ADMIN/status.txt?password=...
const SENDSMS = env('KB_SENDSMS_URL'); // http://127.0.0.1:SENDSMS_PORT
const USER = env('KB_USER');
const PASS = env('KB_PASS');
const WAIT_SECONDS = Number(env('KB_WAIT_SECONDS', '120')); // how long to wait for Kannel to drain its queue
const PIDS = Object.fromEntries(env('KB_PIDS', '').split(',').filter(Boolean).map((p) => p.split(':'))); // bearerbox:123,smsbox:456
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 0) => Number(x.toFixed(d));

/** bearerbox's status.txt: the SMSC's sent (= submit_sm answered OK) and failed counts, queues, DLRs. */
async function status() {
  const text = await (await fetch(STATUS_URL)).text();
  const sms = text.match(/SMS: received (\d+) \((\d+) queued\), sent (\d+) \((\d+) queued\)/);
  const smsc = text.match(/sent: sms (\d+) .*?failed (\d+), queued (\d+) msgs/);
  const dlr = text.match(/DLR: received (\d+), sent (\d+)/);
  const online = /\(online \d+s/.test(text);
  if (!sms || !smsc || !dlr) throw new Error(`unexpected status page:\n${text}`);
  return { at: performance.now(), online, sent: +smsc[1], failed: +smsc[2], smscQueued: +smsc[3], outQueued: +sms[4], dlrReceived: +dlr[1] };
}

/** CPU seconds (user + system) used so far by each Kannel box (Linux /proc, 100 ticks a second). */
function cpu() {
  const out = {};
  for (const [name, pid] of Object.entries(PIDS)) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    out[name] = (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return out;
}
const cpuDelta = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, round(b[k] - a[k], 2)]));

/** Waits until `sentSince(status)` reaches `target`; gives up after WAIT_SECONDS. */
async function waitSent(target, base) {
  const deadline = performance.now() + WAIT_SECONDS * 1000;
  let s = await status();
  while (s.sent + s.failed - base.sent - base.failed < target && performance.now() < deadline) {
    await sleep(50);
    s = await status();
  }
  return { s, timedOut: s.sent + s.failed - base.sent - base.failed < target };
}

async function single() {
  const seconds = Number(env('KB_SECONDS', '10'));
  const lua = join(dirname(fileURLToPath(import.meta.url)), 'sendsms.lua');
  const before = await status();
  const cpu0 = cpu();
  const wrk = (child = spawn('wrk', ['-t', env('KB_THREADS', '2'), '-c', env('KB_CONNECTIONS', '50'), '-d', `${seconds}s`, '--latency', '-s', lua, SENDSMS, '--', USER, PASS]));
  let out = '';
  wrk.stdout.on('data', (c) => (out += c));
  wrk.stderr.on('data', (c) => (out += c));
  await new Promise((r) => wrk.on('close', r));
  const after = await status();
  const cpu1 = cpu();
  const line = out.match(/^WRK (\{.*\})$/m);
  if (!line) throw new Error(`wrk failed:\n${out}`);
  const w = JSON.parse(line[1]);
  const accepted = w.requests - w.non2xx;
  const window = (after.at - before.at) / 1000;
  const drained = await waitSent(accepted, before);
  const submitted = after.sent - before.sent;
  return {
    scenario: 'single',
    connections: Number(env('KB_CONNECTIONS', '50')), threads: Number(env('KB_THREADS', '2')), seconds: round(w.seconds, 2),
    requests: w.requests, requestsPerSecond: round(w.requests / w.seconds), non2xx: w.non2xx, socketErrors: w.socketErrors,
    p50ms: round(w.p50us / 1000, 2), p99ms: round(w.p99us / 1000, 2),
    acceptedForDelivery: accepted,
    // what actually went out over SMPP (submit_sm answered) during the wrk window; this can exceed the
    // accepted count a little: wrk does not count the requests still in flight when it stops
    submitsDuringWindow: submitted, submitsPerSecondDuringWindow: round(submitted / window),
    queuedAtEnd: after.outQueued + after.smscQueued, // accepted, not yet submitted when wrk stopped
    secondsUntilAllSubmitted: drained.timedOut ? null : round((drained.s.at - before.at) / 1000, 2),
    submitFailures: drained.s.failed - before.failed,
    cpuSecondsDuringWindow: cpuDelta(cpu0, cpu1),
  };
}

async function smpp() {
  const messages = Number(env('KB_MESSAGES', '20000'));
  const batch = Number(env('KB_BATCH', '100'));
  const concurrency = Number(env('KB_CONCURRENCY', '8'));
  const dlrUrl = env('KB_DLR_URL', '');
  const dlrMask = env('KB_DLR_MASK', '3');
  const receiverStats = env('KB_RECEIVER_STATS', '');
  const sampleMs = Number(env('KB_SAMPLE_MS', '100'));

  const before = await status();
  const cpu0 = cpu();
  const t0 = before.at;
  // Samples of the SMSC's sent count: the submit rate in steady state is taken over the middle 80% of the run.
  const samples = [[t0, 0]];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(sampleMs);
      const s = await status();
      samples.push([s.at, s.sent - before.sent]);
    }
  })();

  // Push: GET /cgi-bin/sendsms with `batch` numbers in `to` (space separated; smsbox makes one message per number).
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = (path) =>
    new Promise((resolve, reject) => {
      http.get(SENDSMS + path, { agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
  const requests = Math.ceil(messages / batch);
  let next = 0;
  let accepted = 0;
  const failures = [];
  const extra = dlrUrl ? `&dlr-mask=${dlrMask}&dlr-url=${encodeURIComponent(dlrUrl)}` : '';
  const worker = async () => {
    while (next < requests) {
      const r = next++;
      const n = Math.min(batch, messages - r * batch);
      const to = Array.from({ length: n }, (_, i) => String(8613000000000 + r * batch + i)).join('+');
      const code = String(100000 + (r % 900000));
      const res = await get(`/cgi-bin/sendsms?username=${USER}&password=${PASS}&from=12345&to=${to}&text=Your+verification+code+is+${code}${extra}`);
      if (res.status === 202 || res.status === 200) accepted += n;
      else if (failures.length < 5) failures.push(`${res.status} ${res.body.trim()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const pushSeconds = (performance.now() - t0) / 1000;
  agent.destroy();

  const drained = await waitSent(accepted, before);
  sampling = false;
  await sampler;
  const total = samples.at(-1)[1];
  // when the count crossed `fraction` of the total, interpolated linearly between the two samples around it
  const at = (fraction) => {
    const goal = fraction * total;
    const i = samples.findIndex(([, n]) => n >= goal);
    if (i <= 0) return samples[0][0];
    const [t1, n1] = samples[i - 1];
    const [t2, n2] = samples[i];
    return t1 + ((goal - n1) / (n2 - n1)) * (t2 - t1);
  };
  const ta = at(0.1);
  const tb = at(0.9);
  const result = {
    scenario: 'smpp', messages, batch, pushConcurrency: concurrency, accepted, pushFailures: failures,
    acceptPerSecond: round(accepted / pushSeconds), secondsUntilPushed: round(pushSeconds, 2),
    submitted: drained.s.sent - before.sent, submitFailures: drained.s.failed - before.failed,
    secondsUntilAllSubmitted: drained.timedOut ? null : round((drained.s.at - t0) / 1000, 2),
    submitsPerSecond: round((0.8 * total * 1000) / (tb - ta)), // middle 80% (10% -> 90% of the submits)
    submitsPerSecondOverall: round((total * 1000) / (samples.at(-1)[0] - t0)),
    samples: samples.length,
    receipts: Boolean(dlrUrl),
  };
  if (dlrUrl) {
    // Wait for the DLR callbacks (one per message with dlr-mask 1 or 3: the final state).
    const deadline = performance.now() + WAIT_SECONDS * 1000;
    let r = await (await fetch(receiverStats)).json();
    while (r.callbacks < accepted && performance.now() < deadline) {
      await sleep(100);
      r = await (await fetch(receiverStats)).json();
    }
    const end = await status();
    Object.assign(result, {
      dlrMask: Number(dlrMask), dlrCallbacks: r.callbacks, dlrCallbacksByType: r.byType,
      secondsUntilAllCallbacks: r.callbacks < accepted ? null : round((r.lastAt - performance.timeOrigin - t0) / 1000, 2),
      kannelDlrReceived: end.dlrReceived - before.dlrReceived,
    });
  }
  result.cpuSeconds = cpuDelta(cpu0, cpu()); // from the push's start until everything was submitted (and called back)
  return result;
}

let child; // wrk, while it runs: stopped with us
process.once('SIGTERM', () => {
  child?.kill();
  process.exit(143);
});

const which = process.argv[2];
const result = which === 'single' ? await single() : which === 'smpp' ? await smpp() : null;
if (!result) throw new Error('usage: node measure.mjs single|smpp');
process.stdout.write(JSON.stringify(result) + '\n');
