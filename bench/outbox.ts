import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/store/db.ts';
import type { Workspace } from '../test/harness.ts';

/** Reads the outbox of a workspace directly: how many messages reached `delivered`. */
export async function outboxReader(ws: Workspace): Promise<{ delivered(): Promise<number>; close(): Promise<void> }> {
  const db: Db = await openDatabase({ ...loadConfig(ws.env), migrateOnStart: false });
  return {
    async delivered() {
      const row = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'delivered').executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    close: () => db.destroy(),
  };
}

/** Polls until `count()` reaches `target`; returns the seconds since `since` (performance.now()). */
export async function until(target: number, count: () => Promise<number>, since: number, timeoutMs = 600_000): Promise<number> {
  while ((await count()) < target) {
    if (performance.now() - since > timeoutMs) throw new Error(`only ${await count()} of ${target} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - since) / 1000;
}
