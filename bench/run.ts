/**
 * npm run bench: the send path against the server as a separate process, on SQLite.
 *   A. SendBatchUSMSMessage, 1000 numbers a request, concurrency 8, BENCH_BATCH_MESSAGES messages (default 200k)
 *      as fast as the server answers, or with BENCH_BATCH_RATE=30000 paced at that many messages/s (does
 *      delivery keep pace with the accepted rate? deliveryLagSeconds stays near the receipt delay when it does)
 *   B. SendUSMSMessage, one number a request, 50 in flight, keep-alive: with wrk (Debian package `wrk`) for
 *      BENCH_SINGLE_SECONDS (default 15) so the load generator costs little CPU; without wrk, an undici client
 *      for BENCH_SINGLE_REQUESTS requests (default 50k).
 * Prints messages/s, p50/p99 request latency, server CPU seconds per message, and the time until the
 * sandbox carrier (or with BENCH_SEND_CARRIER=smpp one SMPP bind to our simulator) has delivered
 * (receipt DELIVRD stored) everything.
 * Then the SMPP path (smppRows: BENCH_SMPP_MESSAGES, BENCH_SMPP_CASES, BENCH_SMPP_PREFETCH, BENCH_SMPP_RATE) and, with
 * USMS_TEST_DATABASE_URL, PostgreSQL (postgresRows). BENCH_ONLY=send|smpp|postgres|money runs one part
 * (money: batches with billing and content rules on and off, alternating; only when asked for).
 * USMS_SQL_PROFILE=<file> reaches the server: its SQLite connections append their time per statement to it.
 * BENCH_RANDOM_PHONES=1 sends to numbers in a scrambled order instead of counting up.
 * BENCH_WAIT_DELIVERY=0 does not wait for deliveries (with USMS_WORKERS=0 the server runs no delivery at all).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Pool } from 'undici';
import { sign } from '../src/auth/signature.ts';
import { createServer } from 'node:http';
import { ServerProcess, Workspace, type Credentials } from '../test/harness.ts';
import { startSimulator } from '../src/smpp/simulator.ts';
import { outboxReader, until } from './outbox.ts';
import { runWrk } from './wrk.ts';
import { speedProbeMs } from './speed-probe.ts';

const BATCH_MESSAGES = Number(process.env.BENCH_BATCH_MESSAGES ?? 200_000);
/** BENCH_BATCH_RATE=30000: batches sent at that many messages/s (paced, not as fast as possible). */
const BATCH_RATE = Number(process.env.BENCH_BATCH_RATE ?? 0);
const SINGLE_REQUESTS = Number(process.env.BENCH_SINGLE_REQUESTS ?? 50_000);
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 15);
/** Distinct pre-signed SendUSMSMessage bodies (distinct numbers); wrk cycles through them. */
const SINGLE_BODIES = Number(process.env.BENCH_SINGLE_BODIES ?? 100_000);
const TICKS = 100; // USER_HZ on Linux
/** BENCH_WAIT_DELIVERY=0: do not wait for the deliveries (for a server started with USMS_WORKERS=0, say). */
const WAIT_FOR_DELIVERY = process.env.BENCH_WAIT_DELIVERY !== '0';

/** CPU seconds of a process, or with `thread` of one of its threads (the main thread's id is the pid). */
function cpuSeconds(pid: number, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

async function metric(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

const delivered = (url: string) => metric(url, /^usms_deliveries_total\{outcome="DELIVRD"\} (\d+)/m);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Prepared {
  body: string;
  signature: string;
  messages: number;
}

/** `requestsPerSecond` > 0: request i is not sent before start + i / requestsPerSecond (a paced load). */
async function drive(url: string, creds: Credentials, requests: number, concurrency: number, bodies: Prepared[], requestsPerSecond = 0) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies = new Float64Array(requests);
  let next = 0;
  let accepted = 0;
  let failures = 0;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests) return;
      const p = bodies[i % bodies.length]!;
      if (requestsPerSecond > 0) {
        const due = start + (i * 1000) / requestsPerSecond;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      }
      const t0 = performance.now();
      const res = await pool.request({
        path: '/api',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-access-key-id': creds.PublicKey,
          'x-signature': p.signature,
          'x-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-nonce': randomUUID().replace(/-/g, ''),
        },
        body: p.body,
      });
      const json = (await res.body.json()) as { RetCode: number; SuccessCount?: number };
      latencies[i] = performance.now() - t0;
      if (json.RetCode === 0) accepted += json.SuccessCount ?? p.messages;
      else if (failures++ < 3) console.error('request failed:', JSON.stringify(json));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort();
  return { seconds, accepted, failures, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version
    return (err as { status?: number }).status === 1;
  }
}

const acceptedTotal = (url: string) => metric(url, /^usms_messages_accepted_total (\d+)/m);

/** BENCH_RANDOM_PHONES=1: numbers in a scrambled order, as real traffic has them (an index on the phone then
 * takes its entries at random places instead of appending). */
const RANDOM_PHONES = process.env.BENCH_RANDOM_PHONES === '1';

function phone(n: number): string {
  // 139 + 8 digits; skip the sandbox's ...0000/...0001 rules so every message gets DELIVRD.
  // Scrambled: n times an odd constant modulo 2^26 is a permutation, so numbers stay distinct.
  const k = RANDOM_PHONES ? Number((BigInt(n) * 2654435761n) % 67108864n) : n;
  const tail = 10_000_000 + (k % 80_000_000);
  const s = `139${tail}`;
  return s.endsWith('0000') || s.endsWith('0001') ? `139${tail + 2}`.slice(0, 11) : s;
}

type Driven = { seconds: number; accepted: number; failures: number; p50: number; p99: number; requests: number; generator: string };

async function scenario(name: string, server: ServerProcess, concurrency: number, pid: number, load: () => Promise<Driven>) {
  const before = await delivered(server.url);
  const cpu0 = cpuSeconds(pid);
  const main0 = cpuSeconds(pid, pid);
  const t0 = performance.now();
  const r = await load();
  const requests = r.requests;
  const cpuAccept = cpuSeconds(pid) - cpu0;
  // The HTTP thread's share: with one HTTP event loop, its CPU a request bounds the request rate.
  const mainAccept = cpuSeconds(pid, pid) - main0;
  let done = 0;
  while ((done = (await delivered(server.url)) - before) < r.accepted) {
    if (!WAIT_FOR_DELIVERY || performance.now() - t0 > 600_000) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const untilDelivered = (performance.now() - t0) / 1000;
  const cpuTotal = cpuSeconds(pid) - cpu0;
  if (r.failures > 0) console.error('server errors:', server.output.filter((l) => /"level":50/.test(l)).slice(0, 2).join('\n').slice(0, 2000));
  const row = {
    scenario: name,
    loadGenerator: r.generator,
    requests,
    concurrency,
    accepted: r.accepted,
    failures: r.failures,
    acceptSeconds: +r.seconds.toFixed(2),
    messagesPerSecond: Math.round(r.accepted / r.seconds),
    requestsPerSecond: Math.round(requests / r.seconds),
    p50ms: +r.p50.toFixed(2),
    p99ms: +r.p99.toFixed(2),
    serverCpuMsPerMessageAccept: +((cpuAccept * 1000) / r.accepted).toFixed(4),
    // The main thread's CPU only: with USMS_HTTP_THREADS > 1 it serves just its share of the requests
    // (Node 20 cannot tell which task ids are the other HTTP threads).
    httpThreadCpuMsPerRequest: +((mainAccept * 1000) / requests).toFixed(4),
    httpThreads: Number(process.env.USMS_HTTP_THREADS ?? 1),
    serverCpuMsPerMessageTotal: +((cpuTotal * 1000) / r.accepted).toFixed(4),
    deliveredAll: done >= r.accepted,
    secondsUntilDelivered: +untilDelivered.toFixed(2),
    deliveredPerSecond: Math.round(done / untilDelivered),
    // How long after the last answer the last message was delivered: about the sandbox's receipt delay
    // (50 ms here) plus the receipt's gathering when delivery keeps pace with the accepted rate.
    deliveryLagSeconds: +(untilDelivered - r.seconds).toFixed(2),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main() {
  const server = await ServerProcess.start({
    USMS_RATE_LIMIT: '0',
    USMS_LOG_LEVEL: 'warn',
    USMS_SANDBOX_RECEIPT_DELAY_MS: '200',
    ...(process.env.USMS_SQLITE_SYNC ? { USMS_SQLITE_SYNC: process.env.USMS_SQLITE_SYNC } : {}),
  });
  const pid = server.pid;
  // BENCH_SEND_CARRIER=smpp: the send path delivers through one SMPP bind to our simulator (answers at
  // once, receipts after 20 ms) instead of the sandbox: the API's commits and the SMPP delivery's both wait for the disk.
  const sim = process.env.BENCH_SEND_CARRIER === 'smpp'
    ? await startSimulator({ systemId: 'usms', password: 'secret1', receiptDelayMs: 20, responseDelayMs: 0, keepSubmitted: 0 })
    : undefined;
  try {
    const { creds, templateIds } = await server.setupAccount({ templates: ['Your verification code is {1}'] });
    if (sim) {
      await server.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1', '--default');
      while (sim.stats.activeBinds < 1) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`# usms bench: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, SQLite synchronous=${process.env.USMS_SQLITE_SYNC ?? 'full'}`);

    // Every request has its own numbers: nothing on the server can profit from seeing a number twice.
    const batchBodies: Prepared[] = Array.from({ length: Math.ceil(BATCH_MESSAGES / 1000) }, (_, b) => {
      const body = {
        Action: 'SendBatchUSMSMessage',
        AccountId: creds.AccountId,
        TaskContent: [{
          TemplateId: templateIds[0], SenderId: 'usms',
          Target: Array.from({ length: 1000 }, (_, i) => ({ Phone: phone(b * 1000 + i), TemplateParams: [String(100000 + i)] })),
        }],
      };
      return { body: JSON.stringify(body), signature: sign(body, creds.PrivateKey), messages: 1000 };
    });
    const batchRequests = Math.ceil(BATCH_MESSAGES / 1000);
    await scenario(`SendBatchUSMSMessage x1000${BATCH_RATE > 0 ? `, paced at ${BATCH_RATE}/s` : ''}`, server, 8, pid, async () => ({
      ...(await drive(server.url, creds, batchRequests, 8, batchBodies, BATCH_RATE / 1000)),
      requests: batchRequests,
      generator: 'undici',
    }));

    if (SINGLE_SECONDS <= 0) return; // BENCH_SINGLE_SECONDS=0: the batch scenario only
    const singleBodies: Prepared[] = Array.from({ length: SINGLE_BODIES }, (_, i) => {
      const body = {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: [phone(BATCH_MESSAGES + 1000 + i)],
        TemplateId: templateIds[0], TemplateParams: [String(i)], SenderId: 'usms',
      };
      return { body: JSON.stringify(body), signature: sign(body, creds.PrivateKey), messages: 1 };
    });
    await scenario('SendUSMSMessage x1', server, 50, pid, async () => {
      if (!hasWrk()) return { ...(await drive(server.url, creds, SINGLE_REQUESTS, 50, singleBodies)), requests: SINGLE_REQUESTS, generator: 'undici' };
      const before = await acceptedTotal(server.url);
      const w = await runWrk(server.url, creds.PublicKey, SINGLE_SECONDS, singleBodies);
      return { ...w, accepted: (await acceptedTotal(server.url)) - before, generator: 'wrk' };
    });
  } finally {
    await server.stop();
    await sim?.close();
  }
}

function batchBodies(creds: Credentials, templateId: string, count: number, from: number): Prepared[] {
  return Array.from({ length: Math.ceil(count / 1000) }, (_, b) => {
    const body = {
      Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: Array.from({ length: 1000 }, (_, i) => ({ Phone: phone(from + b * 1000 + i), TemplateParams: [String(i)] })) }],
    };
    return { body: JSON.stringify(body), signature: sign(body, creds.PrivateKey), messages: 1000 };
  });
}

/**
 * PostgreSQL: one API process and 1, 2 and 4 worker processes (sandbox carrier) on one database;
 * SendBatchUSMSMessage x1000, concurrency 8. Needs USMS_TEST_DATABASE_URL (a server to create databases on).
 */
async function postgresRows() {
  const messages = Number(process.env.BENCH_PG_MESSAGES ?? 100_000);
  for (const workers of [1, 2, 4]) {
    const ws = await Workspace.create({ postgres: true });
    const env = { USMS_RATE_LIMIT: '0', USMS_LOG_LEVEL: 'warn', USMS_SANDBOX_RECEIPT_DELAY_MS: '200', USMS_DB_POOL: '10' };
    const nodes = [await ServerProcess.start({ ...env, USMS_ROLE: 'api' }, ws)];
    for (let i = 0; i < workers; i++) nodes.push(await ServerProcess.start({ ...env, USMS_ROLE: 'worker' }, ws));
    const outbox = await outboxReader(ws);
    try {
      const api = nodes[0]!;
      const { creds, templateIds } = await api.setupAccount({ templates: ['Your verification code is {1}'] });
      const bodies = batchBodies(creds, templateIds[0]!, messages, 0);
      const t0 = performance.now();
      const r = await drive(api.url, creds, bodies.length, 8, bodies);
      const endToEnd = await until(r.accepted, outbox.delivered, t0);
      console.log(JSON.stringify({
        scenario: `PostgreSQL: 1 API + ${workers} worker process(es), SendBatchUSMSMessage x1000`, accepted: r.accepted, failures: r.failures,
        messagesPerSecond: Math.round(r.accepted / r.seconds), p50ms: +r.p50.toFixed(1), p99ms: +r.p99.toFixed(1),
        secondsUntilDelivered: +endToEnd.toFixed(2), deliveredPerSecond: Math.round(r.accepted / endToEnd),
      }));
    } finally {
      await outbox.close();
      for (const n of nodes) await n.stop(true);
      await ws.remove();
    }
  }
}

/**
 * SMPP: USMS API -> our connector (one bind) -> our simulator, receipts on and pushed to a callback
 * receiver. (a) an SMSC that answers at once; (b) answers after 10 ms with a window of 100
 * (ideal: 100 / 10 ms = 10,000/s); (c) a throughput cap of 2,000/s.
 */
async function smppRows() {
  const messages = Number(process.env.BENCH_SMPP_MESSAGES ?? 100_000);
  let pushed = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      pushed += (JSON.parse(body) as { Data: unknown[] }).Data.length;
      res.setHeader('content-type', 'application/json');
      res.end('{"code":0,"message":"ok"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/cb`;
  const cases = [
    { name: 'SMSC answers at once, window 100', delay: 0, window: 100, throughput: 0, count: messages },
    { name: 'SMSC answers after 10 ms, window 100', delay: 10, window: 100, throughput: 0, count: messages / 2 },
    { name: 'throughput cap 2000/s, window 100', delay: 0, window: 100, throughput: 2000, count: 20_000 },
  ];
  // BENCH_SMPP_CASES=0,2 runs only those rows (0: at once, 1: after 10 ms, 2: cap). BENCH_SMPP_PREFETCH=N
  // gives the carrier that prefetch instead of the default (its window). BENCH_SMPP_RATE=10000 paces the
  // API load of the uncapped rows at that many messages/s: does the whole path keep pace with it end to end?
  // (pushLagSeconds, the last push after the last answer, stays near the receipt delay when it does.)
  const pacedRate = Number(process.env.BENCH_SMPP_RATE ?? 0);
  const picked = process.env.BENCH_SMPP_CASES?.split(',').map(Number);
  try {
    for (const c of cases.filter((_, i) => !picked || picked.includes(i))) {
      const sim = await startSimulator({ systemId: 'usms', password: 'secret1', receiptDelayMs: 20, responseDelayMs: c.delay, keepSubmitted: 0 });
      const server = await ServerProcess.start({ USMS_RATE_LIMIT: '0', USMS_LOG_LEVEL: 'warn', USMS_CARRIER_POLL_MS: '500', USMS_CALLBACK_POLL_MS: '100' });
      const outbox = await outboxReader(server.workspace);
      try {
        const { creds, templateIds } = await server.setupAccount({ templates: ['Your verification code is {1}'] });
        await server.cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', receiverUrl);
        await server.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1',
          '--default', '--window', String(c.window), '--throughput', String(c.throughput),
          ...(process.env.BENCH_SMPP_PREFETCH ? ['--prefetch', process.env.BENCH_SMPP_PREFETCH] : []));
        while (sim.stats.activeBinds < 1) await new Promise((r) => setTimeout(r, 100));
        const bodies = batchBodies(creds, templateIds[0]!, c.count, 0);
        pushed = 0;
        const t0 = performance.now();
        const cpu0 = cpuSeconds(server.pid);
        const own0 = process.cpuUsage();
        // Submit rate in steady state: samples of the SMSC's count, rate over the middle 80% of the run.
        const answered0 = [sim.stats.accepted + sim.stats.throttled, sim.stats.answerMsTotal];
        const samples: Array<[number, number, number]> = [];
        const sampler = setInterval(() => samples.push([performance.now(), sim.stats.submits, sim.stats.inFlight]), 50);
        const paced = c.throughput ? 0 : pacedRate;
        const r = await drive(server.url, creds, bodies.length, 8, bodies, paced / bodies[0]!.messages);
        const endToEnd = await until(r.accepted, outbox.delivered, t0);
        clearInterval(sampler);
        const pushedAll = await until(r.accepted, async () => pushed, t0);
        const serverCpu = cpuSeconds(server.pid) - cpu0;
        const own = process.cpuUsage(own0);
        const total = samples.at(-1)![1] - samples[0]![1];
        const at = (fraction: number) => samples.find(([, n]) => n - samples[0]![1] >= fraction * total)!;
        const [ta, na] = at(0.1);
        const [tb, nb] = at(0.9);
        const submitRate = ((nb - na) * 1000) / (tb - ta);
        // The SMSC's real latency (its timers fire late on a busy loop), and the submits it held unanswered
        // on average over the middle stretch: the window in use. Little's law: rate = meanInFlight / latency.
        const answerMs = (sim.stats.answerMsTotal - answered0[1]!) / Math.max(1, sim.stats.accepted + sim.stats.throttled - answered0[0]!);
        const middle = samples.filter(([t]) => t >= ta && t <= tb);
        const meanInFlight = middle.reduce((sum, [, , f]) => sum + f, 0) / Math.max(1, middle.length);
        console.log(JSON.stringify({
          scenario: `SMPP: ${c.name}`, accepted: r.accepted, acceptPerSecond: Math.round(r.accepted / r.seconds),
          secondsUntilDelivered: +endToEnd.toFixed(2), deliveredPerSecond: Math.round(r.accepted / endToEnd),
          secondsUntilPushed: +pushedAll.toFixed(2), ...(paced ? { pacedAt: paced, pushLagSeconds: +(pushedAll - r.seconds).toFixed(2) } : {}), maxInFlight: sim.stats.maxInFlight, meanInFlight: +meanInFlight.toFixed(1), smscAnswerMs: +answerMs.toFixed(2), submitsPerSecond: Math.round(submitRate),
          // CPU of the server process (API, delivery, pusher) and of this one (load, simulator, receiver) per message.
          serverCpuMsPerMessage: +((serverCpu * 1000) / r.accepted).toFixed(4),
          benchCpuMsPerMessage: +((own.user + own.system) / 1000 / r.accepted).toFixed(4),
          ...(c.throughput ? { capDeviationPercent: +((100 * (submitRate - c.throughput)) / c.throughput).toFixed(2), busiestSecond: busiestSecond(samples) } : {}),
        }));
      } finally {
        await outbox.close();
        await server.stop();
        await sim.close();
      }
    }
  } finally {
    receiver.close();
  }
}

/** The most submits the SMSC counted within one second (from 50 ms samples: at most a second apart). */
function busiestSecond(samples: Array<[number, number, number]>): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    while (j + 1 < samples.length && samples[j + 1]![0] - samples[i]![0] <= 1000) j++;
    most = Math.max(most, samples[j]![1] - samples[i]![1]);
  }
  return most;
}


/**
 * Batches with billing and content rules on against the same batches with them off, on one server in
 * alternating rounds (BENCH_MONEY_ROUNDS, default 3, of BENCH_MONEY_MESSAGES, default 50k): account
 * "off" is free and has no rules of its own; account "on" is prepaid (charged in the write
 * transaction, one ledger row a request) and has 50 blocked words and 5 patterns that its texts never
 * match, so every message is checked against all of them.
 */
async function moneyRows() {
  const messages = Number(process.env.BENCH_MONEY_MESSAGES ?? 50_000);
  const rounds = Number(process.env.BENCH_MONEY_ROUNDS ?? 3);
  const server = await ServerProcess.start({ USMS_RATE_LIMIT: '0', USMS_LOG_LEVEL: 'warn', USMS_SANDBOX_RECEIPT_DELAY_MS: '200' });
  try {
    await server.cli('price', 'set', '--prefix', '86', '--price', '0.01');
    const off = await server.setupAccount({ templates: ['Your verification code is {1}'] });
    const on = await server.setupAccount({ templates: ['Your verification code is {1}'] });
    await server.cli('account', 'billing', '--account', String(off.creds.AccountId), '--mode', 'free');
    await server.cli('account', 'billing', '--account', String(on.creds.AccountId), '--mode', 'prepaid');
    await server.cli('account', 'topup', '--account', String(on.creds.AccountId), '--amount', '1000000');
    const id = String(on.creds.AccountId);
    for (let i = 0; i < 50; i++) await server.cli('content', 'block', '--account', id, '--pattern', `forbidden${i}`);
    for (let i = 0; i < 5; i++) await server.cli('content', 'block', '--account', id, '--regex', '--pattern', `casino\\s*${i}\\d+`);
    console.log(`# money rows: ${rounds} alternating rounds of ${messages} messages, SendBatchUSMSMessage x1000, concurrency 8`);
    let next = 0;
    for (let round = 0; round < rounds; round++) {
      for (const [label, acct] of [['off', off], ['on', on]] as const) {
        const bodies = batchBodies(acct.creds, acct.templateIds[0]!, messages, next);
        next += messages;
        await scenario(`SendBatchUSMSMessage x1000, billing and content rules ${label} (round ${round + 1})`, server, 8, server.pid, async () => ({
          ...(await drive(server.url, acct.creds, bodies.length, 8, bodies)),
          requests: bodies.length,
          generator: 'undici',
        }));
      }
    }
  } finally {
    await server.stop();
  }
}

console.log(`# machine speed probe: ${speedProbeMs()} ms (lower is faster)`);
const only = process.env.BENCH_ONLY; // send | postgres | smpp | money
if (only === 'money') await moneyRows();
if (!only || only === 'send') await main();
if (!only || only === 'smpp') await smppRows();
if (!only || only === 'postgres') {
  if (process.env.USMS_TEST_DATABASE_URL) await postgresRows();
  else console.log('# PostgreSQL rows skipped: set USMS_TEST_DATABASE_URL=postgres://... (a server where databases may be created)');
}
