import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { sign } from '../src/auth/signature.ts';
import { createTestDatabase, e2eOnPostgres, type TestDatabase } from './databases.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');

export interface Credentials {
  AccountId: number;
  ProjectId: string;
  PublicKey: string;
  PrivateKey: string;
}

/** A real server process on an OS-chosen port with its own data dir; `stop()` ends it and removes the dir. */
/**
 * Where a server keeps its state: a data dir, and a PostgreSQL database when the e2e suite runs on
 * PostgreSQL (USMS_E2E_DB=postgres). Pass one to a second ServerProcess.start to restart on the same state.
 */
export class Workspace {
  private constructor(
    readonly dataDir: string,
    private readonly database?: TestDatabase,
  ) {}

  static async create(opts: { postgres?: boolean } = {}): Promise<Workspace> {
    const dir = mkdtempSync(join(tmpdir(), 'usms-e2e-'));
    return new Workspace(dir, (opts.postgres ?? e2eOnPostgres) ? await createTestDatabase() : undefined);
  }

  get env(): Record<string, string> {
    return { USMS_DATA_DIR: this.dataDir, ...(this.database ? { USMS_DATABASE_URL: this.database.url } : {}) };
  }

  async remove(): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    await this.database?.drop();
  }
}

export class ServerProcess {
  private constructor(
    readonly url: string,
    readonly workspace: Workspace,
    readonly env: NodeJS.ProcessEnv,
    private child: ChildProcess,
    readonly output: string[],
  ) {}

  get dataDir(): string {
    return this.workspace.dataDir;
  }

  static async start(extraEnv: Record<string, string> = {}, workspace?: Workspace): Promise<ServerProcess> {
    const ws = workspace ?? (await Workspace.create());
    const env = { ...process.env, ...ws.env, USMS_DEMO: '0', USMS_LOG_LEVEL: 'warn', USMS_SANDBOX_RECEIPT_DELAY_MS: '50', ...extraEnv };
    const nodeFlags = process.env.USMS_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', CLI, 'serve', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const onData = (chunk: Buffer) => {
        buf += chunk.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          output.push(line);
          if (line.startsWith('{"url"')) resolve(JSON.parse(line).url);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.join('\n')}`)));
    });
    return new ServerProcess(url, ws, env, child, output);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs `usms <args> --json` against the same data dir and returns its JSON. */
  async cli<T = any>(...args: string[]): Promise<T> {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, ...args, '--json'], { env: this.env });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  /** An account with an approved sender and the given approved templates. */
  async setupAccount(opts: { region?: string; sender?: string; templates: string[] }) {
    const creds = await this.cli<Credentials>('account', 'create', '--name', 'e2e', '--region', opts.region ?? 'CN');
    const sender = opts.sender ?? 'usms';
    await this.cli('sender', 'create', '--account', String(creds.AccountId), '--name', sender, '--approve');
    const templateIds: string[] = [];
    for (const content of opts.templates) {
      const t = await this.cli<{ TemplateId: string }>('template', 'create', '--account', String(creds.AccountId), '--content', content, '--approve');
      templateIds.push(t.TemplateId);
    }
    return { creds, sender, templateIds };
  }

  /** SIGTERM, wait for a clean exit; keeps the workspace (data dir, database) when `keepData`. */
  async stop(keepData = false): Promise<number | null> {
    const code = await this.terminate();
    if (!keepData) await this.workspace.remove();
    return code;
  }

  /** kill -9: no shutdown at all, as in a crash. The workspace stays. */
  crash(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  private terminate(): Promise<number | null> {
    // Ended already (a crash() leaves exitCode null and signalCode SIGKILL): nothing to wait for.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.kill('SIGTERM');
    });
  }
}

/** UCloud signed dialect: GET with the params in the query string. */
export async function ucloudGet(url: string, creds: Credentials, params: Record<string, string>) {
  const all: Record<string, string> = { ...params, PublicKey: creds.PublicKey, ProjectId: creds.ProjectId };
  all.Signature = sign(all, creds.PrivateKey);
  const res = await fetch(`${url}/?${new URLSearchParams(all)}`);
  return { status: res.status, body: (await res.json()) as any };
}

/** UCloud signed dialect: POST as a form body. */
export async function ucloudPostForm(url: string, creds: Credentials, params: Record<string, string>) {
  const all: Record<string, string> = { ...params, PublicKey: creds.PublicKey, ProjectId: creds.ProjectId };
  all.Signature = sign(all, creds.PrivateKey);
  const res = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(all).toString() });
  return { status: res.status, body: (await res.json()) as any };
}

/** uSpeedo action dialect: signed JSON body, X-* headers. */
export async function uspeedoPost(
  url: string,
  creds: Credentials,
  body: Record<string, unknown>,
  opts: { nonce?: string; timestamp?: number; signature?: string; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers = {
    ...opts.headers,
    'content-type': 'application/json',
    'x-access-key-id': creds.PublicKey,
    'x-signature': opts.signature ?? sign(body, creds.PrivateKey),
    'x-timestamp': String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    'x-nonce': opts.nonce ?? randomUUID().replace(/-/g, ''),
  };
  const res = await fetch(`${url}/api`, { method: 'POST', headers, body: opts.rawBody ?? JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

export function basicAuth(creds: Credentials): string {
  return 'Basic ' + Buffer.from(`${creds.PublicKey}:${creds.PrivateKey}`).toString('base64');
}

export async function restPost(url: string, creds: Credentials, path: string, body: unknown, auth = basicAuth(creds)) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request on a connection of its own (no keep-alive agent): with several HTTP threads the kernel picks the thread that accepts it. */
export function fresh(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
