import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import { claimItems, markDelivered, MsgType, setCallbackUrl } from '../store/callbacks.ts';
import type { Db } from '../store/db.ts';
import { applyPartReceipts, saveParts } from '../store/message-parts.ts';
import { applyReceipts, claimDue, recordOutcomes } from '../store/messages.ts';
import type { MessageStatus, MessageTable } from '../store/schema.ts';
import { writeSessions } from '../store/sessions.ts';
import { OperatorError, type Actor } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { messageDetail, searchMessages, type MessageSearchInput } from './messages.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const OPERATOR: Actor = { userId: 1, email: 'op@example.com', role: 'operator', accountId: null };
const customer = (accountId: number): Actor => ({ userId: 2, email: 'viewer@example.com', role: 'viewer', accountId });
const ctx = (db: Db, actor: Actor): OperatorContext => ({ db, box, actor });

const T0 = Date.UTC(2026, 10, 1);

type NewMessage = Omit<MessageTable, 'id' | 'charge' | 'refunded' | 'avoid_carrier'>;
function message(accountId: number, i: number, over: Partial<NewMessage> = {}): NewMessage {
  return {
    session_no: `S${i}`, account_id: accountId, phone: '13800138000', e164: '+8613800138000', region: 'CN', template_id: 'UTA1', sender: 'USMS',
    content: `m${i}`, encoding: 'GSM7', segments: 1, user_id: '', extend_code: '', status: 'delivered', attempts: 1, next_attempt_at: T0,
    lease_owner: null, lease_until: null, carrier: 'sandbox', carrier_msg_id: `c${i}`, receipt_code: 'DELIVRD', receipt_desc: '', receipt_at: T0 + i * 1000 + 500,
    sent_at: T0 + i * 1000 + 100, created_at: T0 + i * 1000, updated_at: T0 + i * 1000 + 500, ...over,
  };
}

async function insert(db: Db, rows: NewMessage[]): Promise<number[]> {
  const ids: number[] = [];
  for (const row of rows) ids.push(Number((await db.insertInto('messages').values(row).returning('id').executeTakeFirstOrThrow()).id));
  return ids;
}

async function twoAccounts(db: Db) {
  const a = (await createAccount(db, box, { name: 'a', region: 'CN' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b', region: 'GB' })).AccountId;
  return { a, b };
}

const contents = (r: { Messages: Array<{ Content: string }> }) => r.Messages.map((m) => m.Content);

async function rejects(run: () => Promise<unknown>, kind: OperatorError['kind'], pattern?: RegExp) {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof OperatorError, `expected an OperatorError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

testOnBothDatabases('message log: each filter, newest first', async (db) => {
  const { a, b } = await twoAccounts(db);
  await insert(db, [
    message(a, 1, { phone: '+86 138 0013 8000' }),
    message(a, 2, { e164: '+8613900139000', phone: '13900139000', user_id: 'u-7' }),
    message(a, 3, { session_no: 'S1', template_id: 'UTA2', status: 'failed', receipt_code: 'ESME_RINVDSTADR' }),
    message(a, 4, { status: 'sent', receipt_code: null, receipt_at: null }),
    message(b, 5, { e164: '+447400123456', phone: '07400 123456', region: 'GB', user_id: 'u-7', session_no: 'S1' }),
  ]);
  const search = (q: MessageSearchInput, actor: Actor = customer(a)) => searchMessages(ctx(db, actor), q);

  assert.deepEqual(contents(await search({})), ['m4', 'm3', 'm2', 'm1'], 'newest first, own account only');
  // A phone in any form the customer types, read in the account's region.
  for (const phone of ['13800138000', '138 0013 8000', '+86 138-0013-8000', '(86)13800138000', '008613800138000']) {
    assert.deepEqual(contents(await search({ phone })), ['m4', 'm3', 'm1'], phone);
  }
  assert.deepEqual(contents(await search({ phone: '07400 123456' }, customer(b))), ['m5'], 'a GB account reads national numbers as British');
  assert.deepEqual(contents(await search({ phone: '+44 7400 123456' }, OPERATOR)), ['m5'], 'an operator across accounts');
  assert.deepEqual(contents(await search({ sessionNo: 'S1' })), ['m3', 'm1'], 'SessionNo, own account only');
  assert.deepEqual(contents(await search({ sessionNo: 'S1' }, OPERATOR)), ['m5', 'm3', 'm1']);
  assert.deepEqual(contents(await search({ userId: 'u-7' })), ['m2']);
  assert.deepEqual(contents(await search({ templateId: 'UTA2' })), ['m3']);
  assert.deepEqual(contents(await search({ status: 'failed' })), ['m3']);
  assert.deepEqual(contents(await search({ status: 'sent' })), ['m4']);
  assert.deepEqual(contents(await search({ status: 'queued' })), []);
  assert.deepEqual(contents(await search({ from: T0 + 2000, to: T0 + 4000 })), ['m3', 'm2'], 'from inclusive, to exclusive');
  assert.deepEqual(contents(await search({ from: String(T0 + 2000), to: String(T0 + 4000) })), ['m3', 'm2'], 'times as query-string text');
  assert.deepEqual(contents(await search({ phone: '13800138000', from: T0 + 2000, status: 'sent' })), ['m4'], 'filters combine');
  assert.equal(contents(await search({ phone: '', sessionNo: '', status: '', cursor: '' })).length, 4, 'empty fields are no filter');

  const [m3] = (await search({ status: 'failed' })).Messages;
  assert.deepEqual(m3, {
    Id: m3!.Id, AccountId: a, SessionNo: 'S1', Phone: '13800138000', Region: 'CN', TemplateId: 'UTA2', Sender: 'USMS', Content: 'm3', Encoding: 'GSM7',
    Segments: 1, UserId: '', Status: 'failed', Carrier: 'sandbox', CarrierMsgId: 'c3', ReceiptCode: 'ESME_RINVDSTADR', ReceiptDesc: '',
    ReceiptTime: T0 + 3500, SentTime: T0 + 3100, CreateTime: T0 + 3000,
  });
});

testOnBothDatabases('message log: pages by cursor, without duplicates or gaps, also across equal times', async (db) => {
  const { a, b } = await twoAccounts(db);
  // 23 messages of account a, many created in the same millisecond (one batch), interleaved with account b's.
  const rows: NewMessage[] = [];
  for (let i = 0; i < 23; i++) {
    rows.push(message(a, i, { created_at: T0 + Math.floor(i / 5) * 1000, session_no: i < 10 ? 'SA' : 'SB' }));
    rows.push(message(b, 100 + i, { created_at: T0 + Math.floor(i / 5) * 1000 }));
  }
  await insert(db, rows);
  const expected = (await db.selectFrom('messages').select(['id', 'created_at', 'content']).where('account_id', '=', a).execute())
    .sort((x, y) => Number(y.created_at) - Number(x.created_at) || Number(y.id) - Number(x.id))
    .map((r) => r.content);

  for (const [limit, filter] of [[4, {}], [5, {}], [1, {}], [23, {}], [3, { sessionNo: 'SA' }], [2, { phone: '13800138000' }], [4, { from: T0 + 1000, to: T0 + 4000 }]] as const) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchMessages(ctx(db, customer(a)), { ...filter, limit, cursor });
      assert.ok(page.Messages.length <= limit);
      assert.ok(page.Messages.length > 0, 'a page that has a cursor is never empty');
      seen.push(...contents(page));
      cursor = page.Next ?? undefined;
      pages++;
      assert.ok(pages < 100);
    } while (cursor);
    const want = contents(await searchMessages(ctx(db, customer(a)), { ...filter, limit: 200 }));
    assert.ok(want.length >= 10);
    assert.deepEqual(seen, want, `limit ${limit} ${JSON.stringify(filter)}`);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  }
  const all = await searchMessages(ctx(db, customer(a)), { limit: 200 });
  assert.deepEqual(contents(all), expected);
  assert.equal(all.Next, null);
  assert.equal((await searchMessages(ctx(db, customer(a)), {})).Messages.length, 23, 'default page 50');
  assert.equal((await searchMessages(ctx(db, OPERATOR), { limit: 1000 })).Messages.length, 46, 'limit is capped at 200, not refused');
  assert.equal((await searchMessages(ctx(db, OPERATOR), { limit: 10 })).Messages.length, 10);
});

testOnBothDatabases('message log: a customer never sees another account, by search or by id', async (db) => {
  const { a, b } = await twoAccounts(db);
  const [mine, theirs] = await insert(db, [message(a, 1), message(b, 2, { session_no: 'S1' })]);
  const asA = ctx(db, customer(a));
  assert.deepEqual(contents(await searchMessages(asA, {})), ['m1']);
  assert.deepEqual(contents(await searchMessages(asA, { sessionNo: 'S1' })), ['m1'], "the other account's message in the same session is not shown");
  await rejects(() => searchMessages(asA, { accountId: b }), 'not-found');
  assert.deepEqual(contents(await searchMessages(asA, { accountId: a })), ['m1'], 'naming its own account is fine');
  assert.equal((await messageDetail(asA, mine!)).Message.Content, 'm1');
  await rejects(() => messageDetail(asA, theirs!), 'not-found', new RegExp(`no message ${theirs}`));
  await rejects(() => messageDetail(asA, 999_999), 'not-found', /no message 999999/);
  await rejects(() => messageDetail(asA, theirs!, { accountId: b }), 'not-found');

  const op = ctx(db, OPERATOR);
  assert.deepEqual(contents(await searchMessages(op, {})), ['m2', 'm1'], 'an operator sees every account');
  assert.deepEqual(contents(await searchMessages(op, { accountId: String(b) })), ['m2'], 'or one');
  assert.equal((await messageDetail(op, String(theirs))).Message.AccountId, b);
  await rejects(() => messageDetail(op, theirs!, { accountId: a }), 'not-found', undefined);
});

testOnBothDatabases('message log: bad input is refused as bad-input', async (db) => {
  const { a } = await twoAccounts(db);
  await insert(db, [message(a, 1), message(a, 2)]);
  const asA = ctx(db, customer(a));
  const { Next } = await searchMessages(asA, { limit: 1 });
  assert.ok(Next);
  for (const cursor of ['nope', '!!!', Buffer.from('12.x').toString('base64url'), Buffer.from('1').toString('base64url'), 'a'.repeat(80)]) {
    await rejects(() => searchMessages(asA, { cursor }), 'bad-input', /cursor/);
  }
  await rejects(() => searchMessages(asA, { status: 'rejected' }), 'bad-input', /status must be one of queued, sending, sent, delivered/);
  await rejects(() => searchMessages(asA, { from: 'yesterday' }), 'bad-input', /from/);
  await rejects(() => searchMessages(asA, { to: -1 }), 'bad-input', /to/);
  await rejects(() => searchMessages(asA, { from: 2, to: 1 }), 'bad-input', /from is after to/);
  await rejects(() => searchMessages(asA, { phone: 'call me' }), 'bad-input', /phone/);
  await rejects(() => searchMessages(asA, { phone: '12' }), 'bad-input', /phone/);
  await rejects(() => messageDetail(asA, 'abc'), 'bad-input', /message id/);
  await rejects(() => messageDetail(asA, 0), 'bad-input', /message id/);
  await rejects(() => searchMessages(ctx(db, OPERATOR), { accountId: 'x' }), 'bad-input', /account/);
  await rejects(() => searchMessages(ctx(db, OPERATOR), { accountId: 42, phone: '13800138000' }), 'not-found', /no account 42/);
  assert.equal((await searchMessages(asA, { cursor: Next! })).Messages.length, 1, 'the cursor it gave works');
});

async function sendOne(db: Db, accountId: number, segments = 1) {
  await writeSessions(db, [{
    sessionNo: `S-${randomBytes(4).toString('hex')}`, accountId, action: 'SendUSMSMessage', reqUuid: 'r',
    messages: [{ phone: '13800138000', e164: '+8613800138000', region: 'CN', templateId: 'UTA1', sender: 'USMS', content: 'code 1234', encoding: 'GSM7', segments, userId: 'order-9', extendCode: '' }],
  }]);
}

testOnBothDatabases('message detail: the timeline of a message, its receipt and its pushes', async (db) => {
  const { a, b } = await twoAccounts(db);
  await setCallbackUrl(db, a, 'https://example.com/hook');
  await setCallbackUrl(db, b, 'https://example.com/hook-b');
  // Other messages around it, whose pushes must not be taken for its own: one to the same phone in another session, one of another account.
  await sendOne(db, a);
  await sendOne(db, a);
  await sendOne(db, b);
  const claimed = await claimDue(db, 'w', 10, 30_000, 'smpp-a');
  assert.equal(claimed.length, 3);
  await recordOutcomes(db, 'w', claimed.map((m) => ({ id: m.id, result: 'sent' as const, carrierMsgId: `cid-${m.id}` })));
  const at = Date.now();
  await applyReceipts(db, 'smpp-a', claimed.map((m) => ({ carrierMsgId: `cid-${m.id}`, code: 'DELIVRD', desc: 'ok', at })));
  const [first, second] = claimed.filter((m) => Number(m.account_id) === a).map((m) => m.id);
  const pushed = await claimItems(db, 'pusher', a, MsgType.Receipt, 1, 30_000);
  await markDelivered(db, 'pusher', pushed.map((p) => p.id));

  const detail = await messageDetail(ctx(db, customer(a)), first!);
  assert.equal(detail.Message.Status, 'delivered');
  assert.deepEqual(detail.Parts, []);
  assert.deepEqual(detail.Timeline.map((e) => e.Event), ['accepted', 'submitted', 'receipt', 'push-queued', 'push-delivered']);
  const [accepted, submitted, receipt, queued] = detail.Timeline;
  assert.equal(accepted!.Time, detail.Message.CreateTime);
  assert.match(accepted!.Detail, new RegExp(`session ${detail.Message.SessionNo}, 1 segment`));
  assert.equal(submitted!.Detail, `to smpp-a as cid-${first}`);
  assert.equal(receipt!.Time, at);
  assert.equal(receipt!.Detail, 'delivered (DELIVRD ok)');
  assert.equal(queued!.Detail, `receipt push ${detail.Pushes[0]!.Id}: Success`);
  assert.equal(detail.Pushes.length, 1);
  assert.equal(detail.Pushes[0]!.Status, 'delivered');
  // The item as the customer receives it, not the store's record of it.
  assert.deepEqual(detail.Pushes[0]!.Data, {
    SessionNo: detail.Message.SessionNo, Phone: detail.Message.Phone, CostCount: 1, ReceiptTime: Math.floor(at / 1000), ReceiptResult: 'Success',
    ReceiptCode: 'DELIVRD', ReceiptDesc: 'ok', UserId: detail.Message.UserId,
  });
  assert.deepEqual(Object.keys(detail.Pushes[0]!.Data), ['SessionNo', 'Phone', 'CostCount', 'ReceiptTime', 'ReceiptResult', 'ReceiptCode', 'ReceiptDesc', 'UserId']);

  const other = await messageDetail(ctx(db, customer(a)), second!);
  assert.equal(other.Pushes.length, 1, 'the other message to the same phone has its own push');
  assert.notEqual(other.Pushes[0]!.Id, detail.Pushes[0]!.Id);
  assert.equal(other.Pushes[0]!.Status, 'pending');
  assert.deepEqual(other.Timeline.map((e) => e.Event), ['accepted', 'submitted', 'receipt', 'push-queued']);
});

testOnBothDatabases('message detail: parts, their receipts, a submit failure, a message still queued', async (db) => {
  const { a } = await twoAccounts(db);
  await sendOne(db, a, 2);
  await sendOne(db, a, 1);
  const [long, refused] = await claimDue(db, 'w', 10, 30_000, 'smpp-a');
  await saveParts(db, 'smpp-a', [1, 2].map((partNo) => ({ messageId: long!.id, partNo, total: 2, carrierMsgId: `p${partNo}`, ref: 7, e164: '+8613800138000' })));
  await recordOutcomes(db, 'w', [
    { id: long!.id, result: 'sent' },
    { id: refused!.id, result: 'failed', code: 'ESME_RINVDSTADR', desc: 'bad address' },
  ]);
  await applyPartReceipts(db, 'smpp-a', [
    { carrierMsgId: 'p2', code: 'DELIVRD', desc: '', at: 2_000 },
    { carrierMsgId: 'p1', code: 'DELIVRD', desc: '', at: 1_000 },
  ]);
  const detail = await messageDetail(ctx(db, OPERATOR), long!.id);
  assert.deepEqual(detail.Parts.map((p) => [p.PartNo, p.CarrierMsgId, p.Status, p.ReceiptCode, p.ReceiptTime]), [[1, 'p1', 'delivered', 'DELIVRD', 1_000], [2, 'p2', 'delivered', 'DELIVRD', 2_000]]);
  assert.deepEqual(detail.Timeline.map((e) => [e.Event, e.Detail]), [
    ['accepted', `session ${detail.Message.SessionNo}, 2 segments (GSM7)`],
    ['submitted', 'part 1/2 to smpp-a as p1'],
    ['submitted', 'part 2/2 to smpp-a as p2'],
    ['part-receipt', 'part 1/2: delivered (DELIVRD)'],
    ['part-receipt', 'part 2/2: delivered (DELIVRD)'],
    ['receipt', 'delivered (DELIVRD)'],
  ]);
  assert.equal(detail.Timeline.at(-1)!.Time, 2_000, 'the last part decides');

  const failed = await messageDetail(ctx(db, OPERATOR), refused!.id);
  assert.deepEqual(failed.Timeline.map((e) => [e.Event, e.Detail]), [
    ['accepted', `session ${failed.Message.SessionNo}, 1 segment (GSM7)`],
    ['submit-failed', 'smpp-a refused it: ESME_RINVDSTADR bad address'],
  ]);
  assert.deepEqual(failed.Pushes, []);

  await sendOne(db, a);
  const { Messages } = await searchMessages(ctx(db, customer(a)), { status: 'queued' satisfies MessageStatus });
  const queued = await messageDetail(ctx(db, customer(a)), Messages[0]!.Id);
  assert.deepEqual(queued.Timeline.map((e) => e.Event), ['accepted']);
});

testOnBothDatabases('message detail: a carrier\'s refusal and the carrier that sent it instead are both in the timeline', async (db) => {
  const { a } = await twoAccounts(db);
  const [id] = await insert(db, [message(a, 1, { carrier: 'smsc-b', carrier_msg_id: 'b-1' })]);
  await db.insertInto('message_attempts').values({ message_id: id!, carrier: 'smsc-a', result: 'retry', code: 'SMPP_CLOSED', detail: 'not sent: connection closed', at: T0 + 1050 }).execute();
  const detail = await messageDetail(ctx(db, customer(a)), id!);
  assert.deepEqual(detail.Attempts, [{ Carrier: 'smsc-a', Result: 'retry', Code: 'SMPP_CLOSED', Detail: 'not sent: connection closed', Time: T0 + 1050 }]);
  assert.deepEqual(detail.Timeline.map((e) => e.Event).slice(0, 3), ['accepted', 'carrier-refused', 'submitted']);
  assert.equal(detail.Timeline[1]!.Detail, 'smsc-a: SMPP_CLOSED not sent: connection closed; tried again');
  assert.equal(detail.Timeline[2]!.Detail, 'to smsc-b as b-1');
});
