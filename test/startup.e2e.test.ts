import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sign } from '../src/auth/signature.ts';
import { admin, e2eOnPostgres } from './databases.ts';
import { ServerProcess, Workspace, fresh, waitFor, type Credentials } from './harness.ts';

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');


/** A signed uSpeedo action that only reads: its RetCode tells whether the key still authenticates. */
async function query(url: string, creds: Credentials): Promise<number> {
  const body = { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [randomUUID()] };
  const res = await fresh(url, 'POST', '/api', {
    'content-type': 'application/json',
    'x-access-key-id': creds.PublicKey,
    'x-signature': sign(body, creds.PrivateKey),
    'x-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-nonce': randomUUID().replace(/-/g, ''),
  }, JSON.stringify(body));
  return (JSON.parse(res.text) as { RetCode: number }).RetCode;
}

/** The HTTP thread's connections counter in a scrape (thread "1" is the second thread). */
async function connectionsOf(url: string, thread: string): Promise<number> {
  const text = (await fresh(url, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith('usms_http_connections_total') && l.includes(`thread="${thread}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('a port already in use', () => {
  test('the start exits non-zero within seconds with a one-line reason, and announces no demo account', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const ws = await Workspace.create();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', String(port)], {
        env: { ...process.env, ...ws.env, USMS_DEMO: '1', USMS_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Generous for a loaded machine (loading the CLI alone takes seconds there); before, it never exited.
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(null);
        }, 30_000);
        child.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      assert.notEqual(code, null, `the server still ran 30 s after it could not listen; stdout: ${stdout}`);
      assert.notEqual(code, 0);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got: ${stderr}`);
      assert.match(lines[0]!, new RegExp(`^usms: cannot listen on 127\\.0\\.0\\.1:${port}: .*\\(EADDRINUSE\\)$`));
      assert.doesNotMatch(stdout, /PrivateKey|demo account|curl/);
      // Nothing half-made: the demo account is created by the next start that listens.
      const { stdout: list } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, 'account', 'list', '--json'], { env: { ...process.env, ...ws.env } });
      assert.deepEqual(JSON.parse(list), { Accounts: [] });
    } finally {
      blocker.close();
      await ws.remove();
    }
  });
});

describe('the demo account', () => {
  test('is announced once the server listens, with the port it listens on, and a lost secret is replaced by key create', async () => {
    const server = await ServerProcess.start({ USMS_DEMO: '1' });
    try {
      const port = new URL(server.url).port;
      const text = server.output.join('\n');
      assert.match(text, /created a demo account for local trials .*USMS_DEMO=0 turns it off/);
      assert.match(text, new RegExp(`curl -s -X POST http://127\\.0\\.0\\.1:${port}/api/v1/usms/SendBatchUSMSMessage`));
      const accountId = /AccountId {2}(\d+)/.exec(text)![1]!;
      const publicKey = /PublicKey {2}(\S+)/.exec(text)![1]!;
      const privateKey = /PrivateKey (\S+)/.exec(text)![1]!;
      const projectId = /ProjectId {2}(\S+)/.exec(text)![1]!;
      const demo = { AccountId: Number(accountId), ProjectId: projectId, PublicKey: publicKey, PrivateKey: privateKey };
      assert.equal(await query(server.url, demo), 0);
      // `account list` shows the id, `key list` no secret: `key create` is how an operator gets a usable one.
      const accounts = await server.cli<{ Accounts: Array<{ id: number; name: string }> }>('account', 'list');
      assert.deepEqual(accounts.Accounts.map((a) => [a.id, a.name]), [[Number(accountId), 'demo']]);
      const keys = await server.cli<{ Keys: Array<Record<string, unknown>> }>('key', 'list', '--account', accountId);
      assert.ok(keys.Keys.every((k) => !('PrivateKey' in k)));
      const pair = await server.cli<{ PublicKey: string; PrivateKey: string }>('key', 'create', '--account', accountId);
      assert.equal(await query(server.url, { ...demo, PublicKey: pair.PublicKey, PrivateKey: pair.PrivateKey }), 0);
    } finally {
      await server.stop();
    }
  });
});

describe('data at rest', () => {
  test('the data dir is 0700, the database files, master key and operator token 0600; looser ones are tightened on start and logged', async () => {
    const ws = await Workspace.create();
    const dir = join(ws.dataDir, 'data');
    const files = ['master.key', 'operator.token', ...(e2eOnPostgres ? [] : ['usms.db', 'usms.db-wal', 'usms.db-shm'])];
    try {
      let server = await ServerProcess.start({ USMS_DATA_DIR: dir }, ws);
      assert.equal(mode(dir), 0o700);
      for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);
      await server.stop(true);

      chmodSync(dir, 0o755);
      for (const f of ['master.key', 'operator.token', 'usms.db']) if (existsSync(join(dir, f))) chmodSync(join(dir, f), 0o644);
      server = await ServerProcess.start({ USMS_DATA_DIR: dir }, ws);
      try {
        assert.equal(mode(dir), 0o700);
        for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);
        const logged = server.output.filter((l) => l.includes('permissions tightened')).map((l) => JSON.parse(l) as { path: string; was: string; now: string });
        assert.deepEqual(logged.find((l) => l.path === dir), { ...logged.find((l) => l.path === dir), was: '0755', now: '0700' });
        assert.equal(logged.find((l) => l.path === join(dir, 'master.key'))?.was, '0644');
      } finally {
        await server.stop(true);
      }
    } finally {
      await ws.remove();
    }
  });
});

/** Polls /readyz until its status is `status`; returns its body. */
async function readyzUntil(url: string, status: number): Promise<{ RetCode: number; Message: string }> {
  return waitFor(`/readyz ${status}`, async () => {
    const res = await fresh(url, 'GET', '/readyz');
    return res.status === status ? JSON.parse(res.text) : undefined;
  }, 30_000);
}

/** `path` 8 times on new connections, until the second HTTP thread answered at least one of them. */
async function everyThread(url: string, path: string): Promise<Array<{ status: number; text: string }>> {
  for (let round = 0; round < 20; round++) {
    const before = await connectionsOf(url, '1');
    const answers: Array<{ status: number; text: string }> = [];
    for (let i = 0; i < 8; i++) answers.push(await fresh(url, 'GET', path));
    // The second scrape's own connection counts at most one.
    if ((await connectionsOf(url, '1')) - before >= 2) return answers;
  }
  throw new Error('the second HTTP thread accepted none of 160 connections');
}

const prlimit = (() => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('readiness: /readyz follows whether the database accepts writes, /healthz only whether the process answers', () => {
  // The server's own writes fail for real: a file-size limit of 0 bytes on the server process makes the
  // kernel refuse every write to a regular file (EFBIG), as a full disk or quota would (ENOSPC/EDQUOT).
  // Two HTTP threads: the second asks the main thread, whichever one a load balancer's probe reaches.
  test('SQLite: every write refused by the kernel', { skip: e2eOnPostgres ? 'runs on SQLite' : !prlimit && 'prlimit (util-linux) not installed' }, async () => {
    const server = await ServerProcess.start({ USMS_HTTP_THREADS: '2' });
    try {
      const { creds, templateIds: [template] } = await server.setupAccount({ templates: ['Your code is {1}'] });
      assert.deepEqual(await readyzUntil(server.url, 200), { RetCode: 0, Message: 'ready' });
      execFileSync('prlimit', ['--pid', String(server.pid), '--fsize=0:']);
      try {
        await readyzUntil(server.url, 503);
        for (const res of await everyThread(server.url, '/readyz')) {
          assert.equal(res.status, 503);
          assert.equal(JSON.parse(res.text).RetCode, 200);
          assert.match(JSON.parse(res.text).Message, /^not ready: database write failed: /);
        }
        for (const res of await everyThread(server.url, '/healthz')) assert.equal(res.status, 200);
        // The API's own commits fail as well.
        assert.notEqual(await sendOne(server.url, creds, template!), 0);
      } finally {
        execFileSync('prlimit', ['--pid', String(server.pid), '--fsize=unlimited:']);
      }
      await readyzUntil(server.url, 200);
      for (const res of await everyThread(server.url, '/readyz')) assert.deepEqual(JSON.parse(res.text), { RetCode: 0, Message: 'ready' });
      assert.equal(await sendOne(server.url, creds, template!), 0);
    } finally {
      await server.stop();
    }
  });

  // The database turns read-only (as a failed-over replica does): new sessions start read-only, and the
  // server's connections are ended so that its pool opens new ones.
  test('PostgreSQL: the database turns read-only', { skip: !e2eOnPostgres && 'runs on PostgreSQL (USMS_E2E_DB=postgres)' }, async () => {
    const server = await ServerProcess.start();
    const name = new URL(server.env.USMS_DATABASE_URL!).pathname.slice(1);
    const reconnect = () => admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
    try {
      const { creds, templateIds: [template] } = await server.setupAccount({ templates: ['Your code is {1}'] });
      assert.deepEqual(await readyzUntil(server.url, 200), { RetCode: 0, Message: 'ready' });
      await admin(`alter database ${name} set default_transaction_read_only = on`);
      try {
        await reconnect();
        const down = await readyzUntil(server.url, 503);
        assert.equal(down.RetCode, 200);
        assert.match(down.Message, /^not ready: database write failed: .*read-only/);
        assert.equal((await fresh(server.url, 'GET', '/healthz')).status, 200);
        assert.notEqual(await sendOne(server.url, creds, template!), 0);
      } finally {
        await admin(`alter database ${name} reset default_transaction_read_only`);
        await reconnect();
      }
      assert.deepEqual(await readyzUntil(server.url, 200), { RetCode: 0, Message: 'ready' });
      await waitFor('a send that commits', async () => ((await sendOne(server.url, creds, template!)) === 0 ? true : undefined), 30_000);
    } finally {
      await server.stop();
    }
  });
});

/** One message through the REST dialect; its RetCode. */
async function sendOne(url: string, creds: Credentials, templateId: string): Promise<number> {
  const auth = 'Basic ' + Buffer.from(`${creds.PublicKey}:${creds.PrivateKey}`).toString('base64');
  const body = JSON.stringify({ TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: [{ Phone: '(86)13800138000', TemplateParams: ['1234'] }] }] });
  const res = await fresh(url, 'POST', '/api/v1/usms/SendBatchUSMSMessage', { authorization: auth, 'content-type': 'application/json' }, body);
  return (JSON.parse(res.text) as { RetCode: number }).RetCode;
}

describe('key revocation', () => {
  test('usms key revoke through the running server: the very next request with the key answers 172, on every HTTP thread', async () => {
    const server = await ServerProcess.start({ USMS_HTTP_THREADS: '2', USMS_RATE_LIMIT: '0' });
    try {
      const { creds } = await server.setupAccount({ templates: ['Your code is {1}'] });
      // Both threads cache the key: requests on new connections until the second thread has served some.
      const served = await connectionsOf(server.url, '1');
      await waitFor('the second HTTP thread to serve the key', async () => {
        for (let i = 0; i < 4; i++) assert.equal(await query(server.url, creds), 0);
        return (await connectionsOf(server.url, '1')) > served + 2 ? true : undefined;
      }, 30_000);

      const revoked = await server.cli('key', 'revoke', '--account', String(creds.AccountId), '--key', creds.PublicKey, '--server', server.url);
      assert.deepEqual(revoked, { Revoked: creds.PublicKey, Server: server.url, Immediate: true });
      const before = await connectionsOf(server.url, '1');
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push(await query(server.url, creds));
      assert.deepEqual(codes, Array(12).fill(172));
      assert.ok((await connectionsOf(server.url, '1')) > before, 'the second thread answered some of them');
    } finally {
      await server.stop();
    }
  });

  test('POST /operator/keys/revoke needs the operator token and a key of the account; without a server the CLI revokes in the database and says so', async () => {
    const server = await ServerProcess.start();
    try {
      const { creds } = await server.setupAccount({ templates: [] });
      const other = await server.cli<Credentials>('account', 'create', '--name', 'other');
      const route = (body: unknown, token?: string) => fresh(server.url, 'POST', '/operator/keys/revoke', {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      }, JSON.stringify(body));
      const token = readFileSync(join(server.dataDir, 'operator.token'), 'utf8').trim();
      const refusal = async (body: unknown, t?: string) => {
        const res = await route(body, t);
        return [res.status, (JSON.parse(res.text) as { RetCode: unknown }).RetCode];
      };
      assert.deepEqual(await refusal({ AccountId: creds.AccountId, PublicKey: creds.PublicKey }), [401, 170]);
      assert.deepEqual(await refusal({ AccountId: creds.AccountId, PublicKey: creds.PublicKey }, 'wrong'), [401, 171]);
      assert.deepEqual(await refusal({ PublicKey: creds.PublicKey }, token), [400, 18003]);
      // Another account's key is not this account's to revoke.
      const foreign = await route({ AccountId: creds.AccountId, PublicKey: other.PublicKey }, token);
      assert.deepEqual([foreign.status, JSON.parse(foreign.text).RetCode], [404, 172]);
      assert.equal(await query(server.url, other), 0);

      assert.equal(await query(server.url, creds), 0);
      const ok = await route({ AccountId: creds.AccountId, PublicKey: creds.PublicKey }, token);
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.text), { RetCode: 0, Message: 'revoked', Revoked: creds.PublicKey, AccountId: creds.AccountId, Threads: 1 });
      assert.equal(await query(server.url, creds), 172);

      // No server at --server: revoked in the database all the same, and the answer says how soon servers notice.
      const nowhere = await server.cli('key', 'revoke', '--account', String(other.AccountId), '--key', other.PublicKey, '--server', 'http://127.0.0.1:9');
      assert.equal(nowhere.Revoked, other.PublicKey);
      assert.equal(nowhere.Immediate, false);
      assert.match(nowhere.Note, /no usms server answered at http:\/\/127\.0\.0\.1:9 .*within 1 s/);
      const keys = await server.cli<{ Keys: Array<{ PublicKey: string; Status: string }> }>('key', 'list', '--account', String(other.AccountId));
      assert.deepEqual(keys.Keys.map((k) => k.Status), ['revoked']);
      await waitFor('the revoked key refused', async () => ((await query(server.url, other)) === 172 ? true : undefined), 2_000);
    } finally {
      await server.stop();
    }
  });
});
