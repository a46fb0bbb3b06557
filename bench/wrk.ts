import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One pre-signed SendUSMSMessage body for bench/single.lua. */
export interface SignedBody {
  signature: string;
  body: string;
}

export interface WrkResult {
  seconds: number;
  requests: number;
  failures: number;
  p50: number;
  p99: number;
}

/**
 * Runs wrk (Debian package `wrk`) with bench/single.lua, 2 threads and 50 connections, cycling through
 * `bodies` with a fresh X-Nonce each request. Latencies in milliseconds.
 */
export async function runWrk(url: string, keyId: string, seconds: number, bodies: SignedBody[]): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'usms-wrk-'));
  try {
    const file = join(dir, 'bodies.txt');
    const lines = [keyId, String(Math.floor(Date.now() / 1000) + 30), Math.random().toString(36).slice(2, 10)];
    for (const b of bodies) lines.push(`${b.signature} ${b.body}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const script = join(import.meta.dirname, 'single.lua');
    const child = spawn('wrk', ['-t2', '-c50', `-d${seconds}s`, '--timeout', '10s', '-s', script, url, '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.resume();
    await new Promise((resolve) => child.once('exit', resolve));
    const m = /WRK (\{.*\})/.exec(err);
    if (!m) throw new Error(`wrk failed: ${err}`);
    const r = JSON.parse(m[1]!) as { requests: number; errors: number; p50us: number; p99us: number; seconds: number };
    return { seconds: r.seconds, requests: r.requests, failures: r.errors, p50: r.p50us / 1000, p99: r.p99us / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
