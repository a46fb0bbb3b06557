import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './harness.ts';

/*
 * Debian's Kannel (bearerbox + smsbox) as an independent SMPP client (ESME): a config in a temp dir,
 * both boxes started on OS-chosen ports on 127.0.0.1, the SMPP bind waited for on bearerbox's status page,
 * and everything stopped and removed by stop().
 */

export const BEARERBOX = '/usr/sbin/bearerbox';
export const SMSBOX = '/usr/sbin/smsbox';

/** A Kannel test's `skip`: without Kannel it is skipped, except under CI (.ci/run installs it), where it must run. */
export const kannelSkip: string | false =
  existsSync(BEARERBOX) && existsSync(SMSBOX) ? false : process.env.CI ? false : `Kannel is not installed (no ${BEARERBOX}; apt-get install kannel); under CI this is a failure`;

/** `n` distinct free ports: all listened on at once (port 0), then closed. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface KannelOptions {
  /** The SMSC Kannel binds to as a transceiver. */
  smsc: { host: string; port: number; systemId: string; password: string; maxPendingSubmits?: number };
  sendsmsUser: { username: string; password: string; maxMessages?: number };
  /** Inbound messages go to this URL (Kannel's escapes such as %p, %a); none: no sms-service. */
  moGetUrl?: string;
  /** Kannel's log-level in the log files: 0 debug .. 4 panic. Default 0, so a failure has the PDUs to look at. */
  logLevel?: number;
}

/** One Kannel: bearerbox and smsbox, their config and logs in `dir`. */
export class Kannel {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly adminPort: number,
    readonly sendsmsPort: number,
    private readonly options: KannelOptions,
  ) {}

  static readonly adminPassword = 'kannel-admin';

  /** Writes the config, starts bearerbox and smsbox, and resolves once the SMPP bind is up and sendsms answers. */
  static async start(options: KannelOptions, timeoutMs = 60_000): Promise<Kannel> {
    for (const bin of [BEARERBOX, SMSBOX]) if (!existsSync(bin)) throw new Error(`Kannel is not installed: no ${bin} (apt-get install kannel)`);
    const dir = mkdtempSync(join(tmpdir(), 'usms-kannel-'));
    const [adminPort, smsboxPort, sendsmsPort] = await freePorts(3);
    const k = new Kannel(dir, adminPort!, sendsmsPort!, options);
    try {
      writeFileSync(k.configPath, k.config(smsboxPort!));
      k.spawn(BEARERBOX, 'bearerbox');
      await k.until("bearerbox's admin port", async () => (await k.status().catch(() => '')) !== '', timeoutMs);
      k.spawn(SMSBOX, 'smsbox');
      await k.until('the SMPP bind (Kannel SMSC online)', async () => /SMPP:.*\(online /.test(await k.status()), timeoutMs);
      await k.until('smsbox connected to bearerbox', async () => /smsbox:.*on-line/.test(await k.status()), timeoutMs);
      await k.until("smsbox's sendsms port", () => fetch(`http://127.0.0.1:${k.sendsmsPort}/`).then(() => true, () => false), timeoutMs);
    } catch (err) {
      const logs = k.logs();
      await k.stop();
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
    return k;
  }

  /** Waits for `ok`; fails at once when a box has exited (a config error, a panic). */
  private until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<true> {
    return waitFor(what, async () => {
      const gone = this.children.find((c) => c.exitCode !== null || c.signalCode !== null);
      if (gone) throw new Error(`${gone.spawnfile} exited (${gone.exitCode ?? gone.signalCode}) while waiting for ${what}`);
      return (await ok()) ? true : undefined;
    }, timeoutMs);
  }

  get configPath(): string {
    return join(this.dir, 'kannel.conf');
  }

  private config(smsboxPort: number): string {
    const { smsc, sendsmsUser, moGetUrl } = this.options;
    const level = this.options.logLevel ?? 0;
    const groups = [
      // Receipts are matched in memory (dlr-storage internal); no message store: nothing outlives the test.
      `group = core
admin-port = ${this.adminPort}
admin-interface = 127.0.0.1
admin-password = ${Kannel.adminPassword}
admin-allow-ip = 127.0.0.1
smsbox-port = ${smsboxPort}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "${join(this.dir, 'bearerbox.log')}"
log-level = ${level}
dlr-storage = internal`,
      // No msg-id-type: Kannel compares the submit_sm_resp id and the receipt's id as plain strings (usms ids are UUIDs).
      `group = smsc
smsc = smpp
smsc-id = usms
host = ${smsc.host}
port = ${smsc.port}
transceiver-mode = true
smsc-username = ${smsc.systemId}
smsc-password = ${smsc.password}
system-type = VMA
max-pending-submits = ${smsc.maxPendingSubmits ?? 10}
enquire-link-interval = 30
reconnect-delay = 1`,
      `group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${smsboxPort}
sendsms-port = ${this.sendsmsPort}
sendsms-interface = 127.0.0.1
log-file = "${join(this.dir, 'smsbox.log')}"
log-level = ${level}`,
      // concatenation: a long text goes out as UDH parts, at most max-messages of them.
      `group = sendsms-user
username = ${sendsmsUser.username}
password = ${sendsmsUser.password}
concatenation = true
max-messages = ${sendsmsUser.maxMessages ?? 10}`,
    ];
    // max-messages 0: the service only forwards, it sends no reply to the handset.
    if (moGetUrl) groups.push(`group = sms-service
keyword = default
get-url = "${moGetUrl}"
max-messages = 0
catch-all = true`);
    return groups.join('\n\n') + '\n';
  }

  private spawn(bin: string, name: string): void {
    // -v 4: only panics on the console; the log files (log-level above) hold the rest.
    const out = openSync(join(this.dir, `${name}.out`), 'a');
    try {
      const child = spawn(bin, ['-v', '4', this.configPath], { stdio: ['ignore', out, out] });
      child.on('error', () => {});
      this.children.push(child);
    } finally {
      closeSync(out);
    }
  }

  /** bearerbox's status page (text). */
  async status(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.adminPort}/status.txt?password=${Kannel.adminPassword}`);
    return res.text();
  }

  /** GET /cgi-bin/sendsms with the sendsms user's credentials and `params`. */
  async sendsms(params: Record<string, string>): Promise<{ status: number; text: string }> {
    const q = new URLSearchParams({ username: this.options.sendsmsUser.username, password: this.options.sendsmsUser.password, ...params });
    const res = await fetch(`http://127.0.0.1:${this.sendsmsPort}/cgi-bin/sendsms?${q}`);
    return { status: res.status, text: await res.text() };
  }

  /** The end of each log without the debug lines (but with the receipt matching, DLR), for a failure's message. */
  logs(lines = 30): string {
    const parts = ['bearerbox.log', 'smsbox.log', 'bearerbox.out', 'smsbox.out'].map((f) => {
      const path = join(this.dir, f);
      const kept = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l && (!l.includes(' DEBUG: ') || /DLR/.test(l))) : [];
      return kept.length ? `--- ${f}\n${kept.slice(-lines).join('\n')}` : '';
    });
    return parts.filter(Boolean).join('\n') + '\n(USMS_KANNEL_KEEP=1 keeps the whole logs, PDUs included)';
  }

  /** smsbox, then bearerbox: SIGTERM (bearerbox unbinds), SIGKILL after `graceMs`; then the temp dir is removed. */
  async stop(graceMs = 10_000): Promise<void> {
    for (const child of this.children.splice(0).reverse()) await stopChild(child, graceMs);
    // USMS_KANNEL_KEEP=1 keeps the config and the logs for a look.
    if (process.env.USMS_KANNEL_KEEP === '1') console.error(`# Kannel's config and logs kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
