import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import { PLATFORM, setPrices } from '../store/prices.ts';
import type { MessageStatus } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { overview } from './overview.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const OPERATOR: Actor = { userId: 1, email: 'op@example.com', role: 'operator', accountId: null };
const customer = (accountId: number): Actor => ({ userId: 2, email: 'viewer@example.com', role: 'viewer', accountId });
const ctx = (db: Db, actor: Actor): OperatorContext => ({ db, box, actor });

const NOW = Date.UTC(2026, 11, 7, 10, 0); // 2026-12-07 10:00 UTC
const on = (day: number, hour = 12) => Date.UTC(2026, 11, day, hour);

/** Messages with what they were charged (micro-units) and whether that was refunded. */
async function addCharged(db: Db, accountId: number, createdAt: number, region: string, messages: Array<[MessageStatus, number, 0 | 1]>): Promise<void> {
  for (const [status, charge, refunded] of messages) {
    await db.insertInto('messages').values({
      session_no: 'S', account_id: accountId, phone: '1', e164: '+1', region, template_id: 'T', sender: 's', content: 'c', encoding: 'GSM7', segments: 1,
      user_id: '', extend_code: '', status, attempts: 1, next_attempt_at: createdAt, lease_owner: null, lease_until: null, carrier: null, carrier_msg_id: null,
      receipt_code: null, receipt_desc: null, receipt_at: null, sent_at: null, created_at: createdAt, updated_at: createdAt, charge, refunded,
    }).execute();
  }
}

testOnBothDatabases('overview: spend next to volume once billing is on, refunds deducted, the same from the roll-up and live', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  await addCharged(db, a, on(7, 1), 'CN', [['delivered', 50_000, 0], ['unknown', 50_000, 0], ['failed', 50_000, 1]]);
  await addCharged(db, a, on(2), 'CN', [['delivered', 45_000, 0], ['delivered', 45_000, 0]]); // settled: from the roll-up
  await addCharged(db, a, on(2), 'GB', [['undelivered', 100_000, 0], ['failed', 100_000, 1]]);
  await addCharged(db, b, on(7), 'US', [['delivered', 1_000_000, 0]]);

  // Billing off: the answer keeps its shape, though the days it settles keep their spend for later.
  const off = await overview(ctx(db, customer(a)), { days: 7, now: NOW });
  assert.equal('Currency' in off, false);
  assert.equal('Spend' in off.Today, false);
  assert.ok(off.Days.every((d) => !('Spend' in d)) && off.Regions.every((r) => !('Spend' in r)));

  await setPrices(db, PLATFORM, [{ prefix: '86', price: 50_000 }], 'CNY');
  const mine = await overview(ctx(db, customer(a)), { days: 7, now: NOW });
  assert.equal(mine.Currency, 'CNY');
  assert.deepEqual(mine.Today, { Sent: 3, Delivered: 1, Failed: 1, Unknown: 1, Pending: 0, SuccessRate: 0.3333, Spend: '0.10' });
  assert.deepEqual(mine.Days.map((d) => [d.Date, d.Spend]), [
    ['2026-12-01', '0.00'], ['2026-12-02', '0.19'], ['2026-12-03', '0.00'], ['2026-12-04', '0.00'], ['2026-12-05', '0.00'], ['2026-12-06', '0.00'], ['2026-12-07', '0.10'],
  ]);
  assert.deepEqual(mine.Regions.map((r) => [r.Region, r.Spend]), [['CN', '0.19'], ['GB', '0.10']]);
  assert.deepEqual(await overview(ctx(db, customer(a)), { days: 7, now: NOW }), mine, 'called again: the same');

  // Today settles later (billing on now) and is read back from the roll-up on the next call.
  const later = NOW + 6 * 86_400_000;
  const first = await overview(ctx(db, customer(a)), { days: 7, now: later });
  assert.equal(first.Days.find((d) => d.Date === '2026-12-07')?.Spend, '0.10');
  assert.deepEqual(await overview(ctx(db, customer(a)), { days: 7, now: later }), first);

  const all = await overview(ctx(db, OPERATOR), { days: 7, now: NOW });
  assert.equal(all.Today.Spend, '1.10');
  assert.deepEqual(all.Regions.map((r) => [r.Region, r.Spend]), [['CN', '0.19'], ['GB', '0.10'], ['US', '1.00']]);
  assert.equal((await overview(ctx(db, OPERATOR), { accountId: b, days: 7, now: NOW })).Today.Spend, '1.00');
});
