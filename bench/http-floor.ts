/**
 * The floor under the single-send goal: how many SendUSMSMessage-shaped requests a Node HTTP server on this
 * machine answers when it does no work at all, driven by the same wrk script, connections and threads as the
 * single-send scenario of bench/run.ts. Modes (BENCH_FLOOR_MODES, default all):
 *   node     node:http, read the body, JSON.parse it, answer a fixed SendUSMSMessageResponse
 *   fastify  the same route in Fastify (our HTTP framework), logger off
 *   sqlite   fastify + one durable SQLite insert per request, group-committed like the server's SessionWriter
 * Usage: node --import tsx bench/http-floor.ts   (needs wrk, Debian package `wrk`)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { runWrk, type SignedBody } from './wrk.ts';

const SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 10);
const ANSWER = JSON.stringify({ RetCode: 0, Action: 'SendUSMSMessageResponse', Message: '提交发送成功', SessionNo: '0190f0c2-7d2e-7c3a-9f10-6a1b2c3d4e5f', ReqUuid: 'b1b0c4d2-5a9e-4f7b-8c1d-2e3f4a5b6c7d' });

function bodies(): SignedBody[] {
  return Array.from({ length: 10_000 }, (_, i) => ({
    signature: 'ab'.repeat(20),
    body: JSON.stringify({ Action: 'SendUSMSMessage', AccountId: 60000001, PhoneNumbers: [`1380013${String(i).padStart(4, '0')}`], TemplateId: 'UTA1234567890', TemplateParams: ['123456'], SenderId: 'Acme' }),
  }));
}

function nodeServer(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
    });
  });
}

function fastifyServer(onBody?: (body: unknown) => Promise<void>) {
  const app = Fastify({ logger: false });
  app.post('/api', async (req, reply) => {
    if (onBody) await onBody(req.body);
    reply.header('content-type', 'application/json').send(ANSWER);
  });
  return app;
}

/** One insert per request; requests that arrive in the same event-loop turn share one FULL-sync commit. */
function groupCommitter(dir: string) {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table m (id integer primary key, body text not null, created_at integer not null)');
  const insert = db.prepare('insert into m (body, created_at) values (?, ?)');
  const commit = db.transaction((rows: string[]) => { for (const r of rows) insert.run(r, Date.now()); });
  let pending: Array<{ body: string; done: () => void }> = [];
  return {
    write: (body: unknown) => new Promise<void>((done) => {
      if (pending.length === 0) setImmediate(() => {
        const batch = pending;
        pending = [];
        commit(batch.map((p) => p.body));
        for (const p of batch) p.done();
      });
      pending.push({ body: JSON.stringify(body), done });
    }),
    close: () => db.close(),
  };
}

const modes = (process.env.BENCH_FLOOR_MODES ?? 'node,fastify,sqlite').split(',');
const dir = mkdtempSync(join(tmpdir(), 'usms-floor-'));
const signed = bodies();
console.log(`# http floor: wrk -t2 -c50 -d${SECONDS}s, bench/single.lua, node ${process.version}`);
for (const mode of modes) {
  let url: string;
  let close: () => Promise<void>;
  if (mode === 'node') {
    const server = nodeServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  } else {
    const committer = mode === 'sqlite' ? groupCommitter(dir) : undefined;
    const app = fastifyServer(committer?.write);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => { await app.close(); committer?.close(); };
  }
  const r = await runWrk(url, 'AKfloor', SECONDS, signed);
  console.log(JSON.stringify({ mode, requestsPerSecond: Math.round(r.requests / r.seconds), p50ms: r.p50, p99ms: r.p99, errors: r.failures }));
  await close();
}
rmSync(dir, { recursive: true, force: true });
