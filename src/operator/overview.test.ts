import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import type { MessageStatus } from '../store/schema.ts';
import { OperatorError, type Actor } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { overview } from './overview.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const OPERATOR: Actor = { userId: 1, email: 'op@example.com', role: 'operator', accountId: null };
const customer = (accountId: number): Actor => ({ userId: 2, email: 'viewer@example.com', role: 'viewer', accountId });
const ctx = (db: Db, actor: Actor): OperatorContext => ({ db, box, actor });

const NOW = Date.UTC(2026, 11, 7, 10, 0); // 2026-12-07 10:00 UTC
const on = (day: number, hour = 12) => Date.UTC(2026, 11, day, hour); // a time on that day of December 2026

async function addMessages(db: Db, accountId: number, createdAt: number, region: string, statuses: MessageStatus[]): Promise<void> {
  for (const status of statuses) {
    await db.insertInto('messages').values({
      session_no: 'S', account_id: accountId, phone: '1', e164: '+1', region, template_id: 'T', sender: 's', content: 'c', encoding: 'GSM7', segments: 1,
      user_id: '', extend_code: '', status, attempts: 1, next_attempt_at: createdAt, lease_owner: null, lease_until: null, carrier: null, carrier_msg_id: null,
      receipt_code: null, receipt_desc: null, receipt_at: null, sent_at: null, created_at: createdAt, updated_at: createdAt,
    }).execute();
  }
}

const zero = { Sent: 0, Delivered: 0, Failed: 0, Unknown: 0, Pending: 0, SuccessRate: 0 };

testOnBothDatabases('overview: totals today, per day and per region, on a known data set', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  await addMessages(db, a, on(7, 0), 'CN', ['delivered', 'delivered', 'delivered', 'queued', 'sending']);
  await addMessages(db, a, on(7, 9), 'GB', ['sent']);
  await addMessages(db, a, on(6, 23), 'GB', ['delivered', 'delivered', 'undelivered']);
  await addMessages(db, a, on(6, 0), 'CN', ['expired', 'failed', 'unknown']);
  await addMessages(db, a, on(2), 'CN', ['delivered']);
  await addMessages(db, a, on(30, 23) - 30 * 86_400_000, 'CN', ['delivered', 'delivered']); // 2026-11-30: before the 7 days
  await addMessages(db, b, on(7), 'US', ['delivered', 'delivered']);
  await addMessages(db, b, on(3), 'US', ['failed']);

  const mine = await overview(ctx(db, customer(a)), { days: 7, now: NOW });
  assert.deepEqual(mine.Today, { Sent: 6, Delivered: 3, Failed: 0, Unknown: 0, Pending: 3, SuccessRate: 0.5 });
  assert.deepEqual(mine.Days, [
    { Date: '2026-12-01', ...zero },
    { Date: '2026-12-02', Sent: 1, Delivered: 1, Failed: 0, Unknown: 0, Pending: 0, SuccessRate: 1 },
    { Date: '2026-12-03', ...zero },
    { Date: '2026-12-04', ...zero },
    { Date: '2026-12-05', ...zero },
    { Date: '2026-12-06', Sent: 6, Delivered: 2, Failed: 3, Unknown: 1, Pending: 0, SuccessRate: 0.3333 },
    { Date: '2026-12-07', Sent: 6, Delivered: 3, Failed: 0, Unknown: 0, Pending: 3, SuccessRate: 0.5 },
  ]);
  assert.deepEqual(mine.Regions, [
    { Region: 'CN', Sent: 9, Delivered: 4, Failed: 2, Unknown: 1, Pending: 2, SuccessRate: 0.4444 },
    { Region: 'GB', Sent: 4, Delivered: 2, Failed: 1, Unknown: 0, Pending: 1, SuccessRate: 0.5 },
  ]);

  const all = await overview(ctx(db, OPERATOR), { days: '7', now: NOW });
  assert.deepEqual(all.Today, { Sent: 8, Delivered: 5, Failed: 0, Unknown: 0, Pending: 3, SuccessRate: 0.625 });
  assert.deepEqual(all.Days[2], { Date: '2026-12-03', Sent: 1, Delivered: 0, Failed: 1, Unknown: 0, Pending: 0, SuccessRate: 0 });
  assert.deepEqual(all.Regions.map((r) => [r.Region, r.Sent, r.SuccessRate]), [['CN', 9, 0.4444], ['GB', 4, 0.5], ['US', 3, 0.6667]]);
  assert.deepEqual(await overview(ctx(db, OPERATOR), { accountId: b, days: 7, now: NOW }).then((o) => o.Regions.map((r) => r.Region)), ['US'], 'an operator names one account');

  // Called again: settled days now come from the roll-up, with the same answers.
  assert.deepEqual(await overview(ctx(db, customer(a)), { days: 7, now: NOW }), mine);
  assert.deepEqual(await overview(ctx(db, OPERATOR), { days: 7, now: NOW }), all);

  const month = await overview(ctx(db, customer(a)), { now: NOW });
  assert.equal(month.Days.length, 30, '30 days by default');
  assert.equal(month.Days[0]!.Date, '2026-11-08');
  assert.deepEqual(month.Days.find((d) => d.Date === '2026-11-30'), { Date: '2026-11-30', Sent: 2, Delivered: 2, Failed: 0, Unknown: 0, Pending: 0, SuccessRate: 1 });
  assert.deepEqual((await overview(ctx(db, customer(a)), { days: 1, now: NOW })).Days.map((d) => d.Date), ['2026-12-07']);
});

testOnBothDatabases('overview: scoped to the customer; bad days refused', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  await addMessages(db, b, on(7), 'US', ['delivered']);
  const empty = await overview(ctx(db, customer(a)), { days: 2, now: NOW });
  assert.deepEqual(empty, { Today: zero, Days: [{ Date: '2026-12-06', ...zero }, { Date: '2026-12-07', ...zero }], Regions: [] });
  const refused = async (q: Parameters<typeof overview>[1], kind: OperatorError['kind'], actor = customer(a)) =>
    assert.rejects(() => overview(ctx(db, actor), q), (err: unknown) => err instanceof OperatorError && err.kind === kind);
  await refused({ accountId: b }, 'not-found');
  await refused({ days: 0 }, 'bad-input');
  await refused({ days: 367 }, 'bad-input');
  await refused({ days: 'a week' }, 'bad-input');
  await refused({ accountId: 'x' }, 'bad-input', OPERATOR);
});
