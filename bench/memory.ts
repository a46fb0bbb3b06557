/**
 * npm run bench:memory: memory of the compiled server (dist/, `npm run build` first) and its recovery
 * from a crash with a backlog of receipts. One JSON line per row:
 *   idle        RSS of a fresh server after BENCH_MEMORY_SETTLE_S seconds (default 15)
 *   queued      N messages (BENCH_MEMORY_MESSAGES, default 1M) queued behind an SMPP carrier that cannot be
 *               reached: peak RSS while they are accepted, and RSS once accepted and settled
 *   recovery    N messages sent through the sandbox whose receipts are due an hour later, kill -9, then a
 *               restart with a 200 ms receipt delay: peak RSS and seconds until every receipt is stored,
 *               and the CPU the server uses in the 10 s after that (none left over); at each size of
 *               BENCH_MEMORY_RECOVERY (default "250000,1000000")
 * RSS is read from /proc/<pid>/status: rss = anon (heaps, SQLite page caches) + file (the node binary,
 * the database pages mapped by SQLite). BENCH_MEMORY_ROWS=idle,queued,recovery picks rows;
 * BENCH_MEMORY_NODE_FLAGS passes node flags to the server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { sign } from '../src/auth/signature.ts';
import { Workspace, type Credentials } from '../test/harness.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'index.js');
const MESSAGES = Number(process.env.BENCH_MEMORY_MESSAGES ?? 1_000_000);
const RECOVERY = (process.env.BENCH_MEMORY_RECOVERY ?? '250000,1000000').split(',').map(Number).filter((n) => n > 0);
const SETTLE_S = Number(process.env.BENCH_MEMORY_SETTLE_S ?? 15);
const ROWS = (process.env.BENCH_MEMORY_ROWS ?? 'idle,queued,recovery').split(',');
/** BENCH_MEMORY_NODE_FLAGS="--max-semi-space-size=2": node flags for the server. */
const NODE_FLAGS = process.env.BENCH_MEMORY_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
const TICKS = 100; // USER_HZ on Linux
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rss {
  rssMB: number;
  anonMB: number;
  fileMB: number;
}

function rss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const mb = (n: number) => Math.round(n / 1024);
  return { rssMB: mb(kb('VmRSS')), anonMB: mb(kb('RssAnon')), fileMB: mb(kb('RssFile')) };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Samples RSS every 200 ms; `stop` returns the peak. */
function sampleRss(pid: number): { stop(): Rss } {
  let peak: Rss = rss(pid);
  const t = setInterval(() => {
    try {
      const now = rss(pid);
      if (now.rssMB > peak.rssMB) peak = now;
    } catch {
      // exited
    }
  }, 200);
  return {
    stop() {
      clearInterval(t);
      return peak;
    },
  };
}

/** The compiled server (node dist/cli/index.js serve) on an OS-chosen port. */
class Server {
  private constructor(readonly url: string, readonly child: ChildProcess, readonly env: NodeJS.ProcessEnv) {}

  static async start(ws: Workspace, extraEnv: Record<string, string> = {}): Promise<Server> {
    const env = { ...process.env, ...ws.env, USMS_DEMO: '0', USMS_LOG_LEVEL: 'warn', USMS_RATE_LIMIT: '0', ...extraEnv };
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'serve', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          output.push(line);
          if (line.startsWith('{"url"')) resolve(JSON.parse(line).url);
        }
      });
      child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.join('\n')}`)));
    });
    return new Server(url, child, env);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async cli<T = any>(...args: string[]): Promise<T> {
    const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], { env: this.env });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  async metric(pattern: RegExp): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const m = pattern.exec(text);
    return m ? Number(m[1]) : 0;
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  crash(): Promise<void> {
    return this.end('SIGKILL');
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

async function setupAccount(server: Server): Promise<{ creds: Credentials; templateId: string }> {
  const creds = await server.cli<Credentials>('account', 'create', '--name', 'bench', '--region', 'CN');
  await server.cli('sender', 'create', '--account', String(creds.AccountId), '--name', 'usms', '--approve');
  const t = await server.cli<{ TemplateId: string }>('template', 'create', '--account', String(creds.AccountId), '--content', 'Your verification code is {1}', '--approve');
  return { creds, templateId: t.TemplateId };
}

function phone(n: number): string {
  // 139 + 8 digits, skipping the sandbox's ...0000 / ...0001 rules: every message gets DELIVRD
  const tail = 10_000_000 + (n % 80_000_000);
  const s = `139${tail}`;
  return s.endsWith('0000') || s.endsWith('0001') ? `139${tail + 2}`.slice(0, 11) : s;
}

/** Sends `count` messages, 1,000 a SendBatchUSMSMessage request, 4 in flight; returns how many were accepted. */
async function sendBatches(server: Server, creds: Credentials, templateId: string, count: number): Promise<number> {
  const pool = new Pool(server.url, { connections: 4, pipelining: 1, keepAliveTimeout: 60_000 });
  const requests = Math.ceil(count / 1000);
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    for (let b = next++; b < requests; b = next++) {
      const body = {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: Array.from({ length: Math.min(1000, count - b * 1000) }, (_, i) => ({ Phone: phone(b * 1000 + i), TemplateParams: [String(i)] })) }],
      };
      const res = await pool.request({
        path: '/api', method: 'POST',
        headers: {
          'content-type': 'application/json', 'x-access-key-id': creds.PublicKey, 'x-signature': sign(body, creds.PrivateKey),
          'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-nonce': randomUUID().replace(/-/g, ''),
        },
        body: JSON.stringify(body),
      });
      const json = (await res.body.json()) as { RetCode: number; SuccessCount?: number; Message?: string };
      if (json.RetCode !== 0) throw new Error(`send failed: ${JSON.stringify(json)}`);
      accepted += json.SuccessCount ?? body.TaskContent[0]!.Target.length;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  await pool.close();
  return accepted;
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function dbMB(ws: Workspace): number {
  let bytes = 0;
  for (const f of ['usms.db', 'usms.db-wal']) {
    try {
      bytes += statSync(join(ws.dataDir, f)).size;
    } catch {
      // absent
    }
  }
  return Math.round(bytes / 1048576);
}

function row(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ node: process.version, ...(NODE_FLAGS.length ? { nodeFlags: NODE_FLAGS.join(' ') } : {}), ...fields }));
}

async function idleRow(): Promise<void> {
  const ws = await Workspace.create({ postgres: false });
  const server = await Server.start(ws);
  try {
    await sleep(SETTLE_S * 1000);
    row({ row: 'idle', settleSeconds: SETTLE_S, ...rss(server.pid) });
  } finally {
    await server.stop();
    await ws.remove();
  }
}

async function queuedRow(n: number): Promise<void> {
  const ws = await Workspace.create({ postgres: false });
  const server = await Server.start(ws, { USMS_CARRIER_POLL_MS: '500' });
  try {
    const { creds, templateId } = await setupAccount(server);
    await server.cli('carrier', 'add', '--name', 'down', '--host', '127.0.0.1', '--port', String(await closedPort()), '--system-id', 'usms', '--password', 'secret1', '--default');
    await sleep(1500); // the route is in force before the first message
    const before = rss(server.pid);
    const peak = sampleRss(server.pid);
    const t0 = performance.now();
    const accepted = await sendBatches(server, creds, templateId, n);
    const sendSeconds = (performance.now() - t0) / 1000;
    await sleep(SETTLE_S * 1000);
    const depth = await server.metric(/^usms_queue_depth (\d+)/m);
    row({ row: 'queued', messages: accepted, queueDepth: depth, sendSeconds: +sendSeconds.toFixed(1), idleRssMB: before.rssMB, peakRssMB: peak.stop().rssMB, settled: rss(server.pid), dbMB: dbMB(ws) });
  } finally {
    await server.stop();
    await ws.remove();
  }
}

async function recoveryRow(n: number): Promise<void> {
  const ws = await Workspace.create({ postgres: false });
  try {
    // Receipts an hour away: everything is sent and waits for its receipt when the server dies.
    const first = await Server.start(ws, { USMS_SANDBOX_RECEIPT_DELAY_MS: '3600000' });
    const { creds, templateId } = await setupAccount(first);
    const t0 = performance.now();
    const accepted = await sendBatches(first, creds, templateId, n);
    while ((await first.metric(/^usms_queue_depth (\d+)/m)) > 0) await sleep(500);
    const sentSeconds = (performance.now() - t0) / 1000;
    const beforeCrash = rss(first.pid);
    await first.crash();

    const t1 = performance.now();
    const second = await Server.start(ws, { USMS_SANDBOX_RECEIPT_DELAY_MS: '200' });
    try {
      const peak = sampleRss(second.pid);
      // Done when no message waits for its receipt any more (read from the database: the receipt counter
      // also counts a receipt issued twice).
      const reader = new Database(join(ws.dataDir, 'usms.db'), { readonly: true, fileMustExist: true });
      const waiting = () => (reader.prepare(`select count(*) as n from messages where status = 'sent'`).get() as { n: number }).n;
      const deadline = Date.now() + 30 * 60_000;
      let left = waiting();
      while (Date.now() < deadline && left > 0) {
        await sleep(500);
        left = waiting();
      }
      reader.close();
      const recoverySeconds = (performance.now() - t1) / 1000;
      const stored = accepted - left;
      const cpu0 = cpuSeconds(second.pid);
      await sleep(10_000);
      const cpuAfter = cpuSeconds(second.pid) - cpu0;
      const duplicates = (await second.metric(/^usms_deliveries_total\{outcome="DELIVRD"\} (\d+)/m)) - accepted;
      row({
        row: 'recovery', messages: accepted, sendAndSentSeconds: +sentSeconds.toFixed(1), rssBeforeCrashMB: beforeCrash.rssMB,
        receiptsStored: stored, stillWaiting: left, recoverySeconds: +recoverySeconds.toFixed(1), perSecond: Math.round(accepted / recoverySeconds),
        peakRss: peak.stop(), cpuSecondsIn10sAfter: +cpuAfter.toFixed(2), receiptsCountedTwice: duplicates, dbMB: dbMB(ws),
      });
    } finally {
      await second.stop();
    }
  } finally {
    await ws.remove();
  }
}

try {
  statSync(CLI);
} catch {
  console.error('bench:memory runs the compiled server: run `npm run build` first');
  process.exit(1);
}
if (ROWS.includes('idle')) await idleRow();
if (ROWS.includes('queued')) await queuedRow(MESSAGES);
if (ROWS.includes('recovery')) for (const n of RECOVERY) await recoveryRow(n);
