import { resolve } from 'node:path';

/**
 * One SQLite write lock per process, handed between threads without polling. The API's connection and
 * the delivery thread's connections share SQLite's single write lock; when one finds it taken, SQLite
 * answers SQLITE_BUSY and the only portable wait is a retry on a timer (store/db.ts), which overshoots:
 * under load the API's event loop sat idle for milliseconds after the delivery thread had already
 * committed, with all its requests waiting for that commit. Connections in one process take this gate
 * first (shared memory, Atomics), and a release wakes the next waiter at once. Writers in other
 * processes (the CLI) still meet SQLITE_BUSY and retry as before.
 *
 * Cell 0: 0 free, 1 held, 2 released to the waiters. Cell 1: how many are waiting. Cell 2: how many times
 * the gate was released to waiters. Only a connection that was already waiting at that release may take
 * a gate released to the waiters, so a thread that writes in a tight loop cannot starve the others
 * (unless nobody eligible takes it within RECHECK_MS: then anyone may).
 */
const FREE = 0;
const HELD = 1;
const HANDED_OVER = 2;
/** A wait that wakes up anyway after this long, in case a wake-up was missed. */
const RECHECK_MS = 50;

/** Atomics.waitAsync (Node >= 16; not yet in TypeScript's ES2022 lib). */
const waitAsync = (Atomics as unknown as {
  waitAsync(cells: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

export class WriteGate {
  private readonly cells: Int32Array;

  constructor(readonly memory: SharedArrayBuffer = new SharedArrayBuffer(12)) {
    this.cells = new Int32Array(memory);
  }

  /** Resolves once this caller holds the gate; rejects after `timeoutMs` with code SQLITE_BUSY. */
  async acquire(timeoutMs: number): Promise<void> {
    const c = this.cells;
    if (Atomics.compareExchange(c, 0, FREE, HELD) === FREE) return;
    const deadline = Date.now() + timeoutMs;
    const waitingSince = Atomics.load(c, 2);
    Atomics.add(c, 1, 1);
    let handedOverSeenAt = 0;
    try {
      for (;;) {
        if (Atomics.compareExchange(c, 0, FREE, HELD) === FREE) return;
        const state = Atomics.load(c, 0);
        if (state === HANDED_OVER) {
          const now = Date.now();
          handedOverSeenAt ||= now;
          const eligible = Atomics.load(c, 2) !== waitingSince || now - handedOverSeenAt >= RECHECK_MS;
          if (eligible && Atomics.compareExchange(c, 0, HANDED_OVER, HELD) === HANDED_OVER) return;
        } else {
          handedOverSeenAt = 0;
        }
        if (Date.now() > deadline) throw Object.assign(new Error('database is locked (write gate)'), { code: 'SQLITE_BUSY' });
        const wait = waitAsync(c, 0, state, RECHECK_MS);
        if (!wait.async) continue;
        // A pending waitAsync does not keep Node's event loop alive (nodejs/node#44729): a timer does.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([wait.value, new Promise((r) => (timer = setTimeout(r, RECHECK_MS)))]);
        clearTimeout(timer);
      }
    } finally {
      Atomics.sub(c, 1, 1);
    }
  }

  release(): void {
    const c = this.cells;
    if (Atomics.load(c, 1) > 0) {
      Atomics.add(c, 2, 1);
      Atomics.store(c, 0, HANDED_OVER);
    } else {
      Atomics.store(c, 0, FREE);
    }
    Atomics.notify(c, 0);
  }
}

/** One gate per database file (resolved path): writes to unrelated databases never wait for each other. */
const gates = new Map<string, WriteGate>();

/** The gate of a database file, shared by every connection to it in this thread and in joined threads. */
export function writeGateFor(file: string): WriteGate {
  const path = resolve(file);
  let gate = gates.get(path);
  if (!gate) gates.set(path, (gate = new WriteGate()));
  return gate;
}

/** This thread's gates, to pass to a worker thread in workerData. */
export function shareWriteGates(): Record<string, SharedArrayBuffer> {
  return Object.fromEntries([...gates].map(([path, gate]) => [path, gate.memory]));
}

/** A worker thread joins its parent's gates before opening its databases. */
export function joinWriteGates(shared: Record<string, SharedArrayBuffer>): void {
  for (const [path, memory] of Object.entries(shared)) gates.set(path, new WriteGate(memory));
}
