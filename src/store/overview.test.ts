import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import { countsByDayAndRegion, liveCountsByDayAndRegion, type DayRegionCounts } from './overview.ts';
import type { MessageStatus } from './schema.ts';
import { DAY_MS } from './statistics.ts';

const TODAY = Math.floor(Date.UTC(2026, 11, 7) / DAY_MS);
const NOW = TODAY * DAY_MS + 10 * 3_600_000; // 10:00 UTC

async function add(db: Db, accountId: number, day: number, region: string, statuses: MessageStatus[]): Promise<number[]> {
  const ids: number[] = [];
  for (const status of statuses) {
    const at = day * DAY_MS + 3_600_000;
    const row = await db.insertInto('messages').values({
      session_no: 'S', account_id: accountId, phone: '1', e164: '+1', region, template_id: 'T', sender: 's', content: 'c', encoding: 'GSM7', segments: 1,
      user_id: '', extend_code: '', status, attempts: 1, next_attempt_at: at, lease_owner: null, lease_until: null, carrier: null, carrier_msg_id: null,
      receipt_code: null, receipt_desc: null, receipt_at: null, sent_at: null, created_at: at, updated_at: at,
    }).returning('id').executeTakeFirstOrThrow();
    ids.push(Number(row.id));
  }
  return ids;
}

const settledDays = async (db: Db) => (await sql<{ day: number }>`select day from message_days_settled order by day`.execute(db)).rows.map((r) => Number(r.day) - TODAY);
const sorted = (rows: DayRegionCounts[]) => [...rows].sort((x, y) => x.day - y.day || x.region.localeCompare(y.region));

testOnBothDatabases('overview roll-up: days settle 3 days after they end, once nothing of theirs is pending', async (db) => {
  await add(db, 1, TODAY, 'CN', ['delivered', 'queued']);
  await add(db, 1, TODAY - 3, 'CN', ['delivered']);
  await add(db, 1, TODAY - 4, 'CN', ['delivered', 'unknown']);
  await add(db, 2, TODAY - 4, 'US', ['failed']);
  const [stuck] = await add(db, 2, TODAY - 6, 'US', ['sent']);
  await add(db, 2, TODAY - 6, 'US', ['delivered']);
  const q = { firstDay: TODAY - 9, lastDay: TODAY, now: NOW };
  const live = (accountId?: number) => liveCountsByDayAndRegion(db, { accountId, from: q.firstDay * DAY_MS, to: (q.lastDay + 1) * DAY_MS });

  assert.deepEqual(sorted(await countsByDayAndRegion(db, q)), sorted(await live()));
  // Days 9..4 before today have ended at least 3 days ago; day 6 still has a message waiting for its receipt.
  assert.deepEqual(await settledDays(db), [-9, -8, -7, -5, -4], 'empty days are marked too, so they are not counted again');
  for (const accountId of [1, 2, 3]) {
    assert.deepEqual(sorted(await countsByDayAndRegion(db, { ...q, accountId })), sorted(await live(accountId)), `account ${accountId}, from the roll-up`);
  }

  // The late receipt arrives: day 6 settles on the next call, with its final counts.
  await db.updateTable('messages').set({ status: 'delivered' }).where('id', '=', stuck!).execute();
  const after = sorted(await countsByDayAndRegion(db, q));
  assert.deepEqual(after, sorted(await live()));
  assert.deepEqual(after.find((g) => g.day === TODAY - 6), { day: TODAY - 6, region: 'US', sent: 2, delivered: 2, failed: 0, unknown: 0, pending: 0 });
  assert.deepEqual(await settledDays(db), [-9, -8, -7, -6, -5, -4]);

  // A settled day is not counted again (store/overview.ts): a receipt that comes days after the message became unknown is not reflected.
  await db.updateTable('messages').set({ status: 'delivered' }).where('status', '=', 'unknown').execute();
  const day4 = (await countsByDayAndRegion(db, q)).find((g) => g.day === TODAY - 4 && g.region === 'CN');
  assert.deepEqual(day4, { day: TODAY - 4, region: 'CN', sent: 2, delivered: 1, failed: 0, unknown: 1, pending: 0 });
  // Unsettled days are always counted live: day 3 before today changes at once.
  await add(db, 1, TODAY - 3, 'CN', ['undelivered']);
  assert.deepEqual((await countsByDayAndRegion(db, q)).find((g) => g.day === TODAY - 3), { day: TODAY - 3, region: 'CN', sent: 2, delivered: 1, failed: 1, unknown: 0, pending: 0 });
});

testOnBothDatabases('overview roll-up: an overview of recent days only rolls nothing up', async (db) => {
  await add(db, 1, TODAY - 1, 'CN', ['delivered']);
  const counts = await countsByDayAndRegion(db, { firstDay: TODAY - 2, lastDay: TODAY, now: NOW });
  assert.deepEqual(counts, [{ day: TODAY - 1, region: 'CN', sent: 1, delivered: 1, failed: 0, unknown: 0, pending: 0 }]);
  assert.deepEqual(await settledDays(db), []);
});
