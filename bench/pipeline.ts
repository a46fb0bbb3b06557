/**
 * npm run bench:pipeline: what one SendUSMSMessage costs in the API process without HTTP, by stage, in one
 * process and one thread (no profiler, so system calls are not over-counted). The stages run one after the
 * other over the same distinct prepared bodies the single-send scenario of bench/run.ts uses; `whole action`
 * is uspeedoRequest end to end with a writer that commits nothing (so it includes the stages before it).
 * BENCH_PIPELINE_REQUESTS (default 20000) bodies, each stage run over all of them BENCH_PIPELINE_ROUNDS times
 * (default 3; the best round is printed, in microseconds a request). Then, for BENCH_PIPELINE_HTTP_SECONDS
 * (default 6, needs wrk), the same bodies through buildApp's real HTTP server in this process, with nothing
 * else running in it: its CPU a request, to set beside the server's HTTP thread in `npm run bench`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import pino from 'pino';
import { sendGuards } from '../src/actions/send-guards.ts';
import { Lookups } from '../src/actions/lookups.ts';
import type { Services } from '../src/actions/context.ts';
import { SecretBox } from '../src/auth/secrets.ts';
import { sign } from '../src/auth/signature.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { uspeedoRequest } from '../src/http/dialects/uspeedo.ts';
import { IdempotencyGuard, requestHash } from '../src/http/idempotency.ts';
import { Metrics } from '../src/http/metrics.ts';
import { NonceCache } from '../src/http/nonces.ts';
import { RateLimiter } from '../src/http/rate-limit.ts';
import { normalizePhone } from '../src/sms/phone.ts';
import { createAccount } from '../src/store/accounts.ts';
import { openDatabase } from '../src/store/db.ts';
import { createSender } from '../src/store/senders.ts';
import { SessionWriter, type WriteUnit } from '../src/store/sessions.ts';
import { createTemplate } from '../src/store/templates.ts';
import { runWrk } from './wrk.ts';

const REQUESTS = Number(process.env.BENCH_PIPELINE_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 3);
/** Then the same bodies through the real HTTP app in this process (wrk, 50 connections), with the same no-op writer; 0 skips. */
const HTTP_SECONDS = Number(process.env.BENCH_PIPELINE_HTTP_SECONDS ?? 6);

const dir = mkdtempSync(join(tmpdir(), 'usms-pipeline-'));
const config = loadConfig({ USMS_DATA_DIR: dir, USMS_RATE_LIMIT: '0' });
const db = await openDatabase(config);
const box = SecretBox.open(dir, config.masterKey);
const account = await createAccount(db, box, { name: 'pipeline' });
const templateId = await createTemplate(db, { accountId: account.AccountId, content: 'Your verification code is {1}', name: 'code', purpose: 1, approve: true });
await createSender(db, { accountId: account.AccountId, name: 'usms', approve: true });

let units: WriteUnit[] = [];
const writer = new SessionWriter(db, async (batch) => {
  units = batch;
  return new Map();
});
const services: Services = { config, db, writer, lookups: new Lookups(db, box), box, ...sendGuards(db), metrics: new Metrics(undefined, { processWide: false }), log: pino({ level: 'silent' }) };
const limiter = new RateLimiter(0);
const guard = new IdempotencyGuard(services);

const phones = Array.from({ length: REQUESTS }, (_, i) => `139${10_000_002 + i}`);
const bodies = phones.map((p, i) => ({ Action: 'SendUSMSMessage', AccountId: account.AccountId, PhoneNumbers: [p], TemplateId: templateId, TemplateParams: [String(i)], SenderId: 'usms' }));
const texts = bodies.map((b) => JSON.stringify(b));
const signatures = bodies.map((b) => sign(b, account.PrivateKey));

/** The main thread's CPU time (its task id is the pid), in microseconds; Linux only. */
function mainThreadCpuUs(): number {
  const fields = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6; // utime + stime, USER_HZ 100
}

const acceptedCount = (metrics: string) => Number(/^usms_messages_accepted_total (\d+)/m.exec(metrics)?.[1] ?? 0);

/** Runs `run` over every body; an asynchronous stage runs IN_FLIGHT at a time, as 50 connections would. */
const IN_FLIGHT = 50;
async function stage(name: string, run: (i: number, round: number) => unknown): Promise<void> {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i += IN_FLIGHT) {
      const pending: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(i + IN_FLIGHT, REQUESTS); j++) {
        const r = run(j, round);
        if (r instanceof Promise) pending.push(r);
      }
      if (pending.length) await Promise.all(pending);
    }
    best = Math.min(best, performance.now() - started);
  }
  console.log(JSON.stringify({ stage: name, usPerRequest: +((best * 1000) / REQUESTS).toFixed(2) }));
}

console.log(`# pipeline: ${REQUESTS} distinct SendUSMSMessage bodies, best of ${ROUNDS} rounds, node ${process.version}`);
await stage('JSON.parse of the body', (i) => JSON.parse(texts[i]!));
await stage('signature (sign the body, SHA1)', (i) => sign(bodies[i]!, account.PrivateKey));
await stage('idempotency hash (canonical JSON, SHA256)', (i) => requestHash('uspeedo SendUSMSMessage', bodies[i]!));
await stage('phone normalisation (libphonenumber-js max)', (i) => normalizePhone(phones[i]!, 'CN'));
const nonces = new NonceCache(config.timestampSkewSeconds * 2000);
let answer: unknown;
await stage('whole action (uspeedoRequest, writer commits nothing)', async (i, round) => {
  answer = await uspeedoRequest(services, limiter, nonces, JSON.parse(texts[i]!), undefined, {
    keyId: account.PublicKey, signature: signatures[i], timestamp: String(Math.floor(Date.now() / 1000)), nonce: `r${round}n${i}`,
  }, `req-${round}-${i}`, guard);
});
await stage('JSON.stringify of the answer', () => JSON.stringify(answer));
// The hand-off to the writer thread: what SessionWriterThread posts for a batch, here 25 requests' units.
const { port1, port2 } = new MessageChannel();
const batch = units.length ? Array.from({ length: 25 }, () => ({ sessions: units[0]!.sessions, record: units[0]!.record })) : [];
let received = 0;
port2.on('message', () => received++);
await stage('writer hand-off (postMessage of a 25-unit batch, a request\'s share)', (i) => {
  if (i % 25 === 0) port1.postMessage({ id: i, units: batch });
});
port1.close();
await new Promise((r) => setImmediate(r));
console.log(JSON.stringify({ note: 'whole action includes the signature, hash and phone stages', unitsInLastBatch: units.length, batchesReceived: received }));
if (HTTP_SECONDS > 0) {
  const app = buildApp(services, 'pipeline-operator-token', { api: true, limiter });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const main0 = mainThreadCpuUs();
  const accepted0 = acceptedCount(await services.metrics.text());
  const cpu0 = process.cpuUsage();
  const r = await runWrk(url, account.PublicKey, HTTP_SECONDS, texts.map((body, i) => ({ body, signature: signatures[i]! })));
  const cpu = process.cpuUsage(cpu0);
  const mainUs = mainThreadCpuUs() - main0;
  await app.close();
  console.log(JSON.stringify({
    stage: 'through the HTTP app in this process (wrk -c50, no-op writer)',
    requestsPerSecond: Math.round(r.requests / r.seconds), p50ms: +r.p50.toFixed(2), p99ms: +r.p99.toFixed(2),
    processCpuUsPerRequest: +((cpu.user + cpu.system) / r.requests).toFixed(1), mainThreadCpuUsPerRequest: +(mainUs / r.requests).toFixed(1),
    accepted: acceptedCount(await services.metrics.text()) - accepted0, requests: r.requests, wrkErrors: r.failures,
  }));
}
await db.destroy();
rmSync(dir, { recursive: true, force: true });
