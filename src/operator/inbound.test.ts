import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import type { Db } from '../store/db.ts';
import { storeInbound } from '../store/inbound.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { listInbound } from './inbound.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases("inbound: a customer pages through their account's replies; operators see any account or the unowned ones", async (db) => {
  const a = await createAccount(as(db, CLI_ACTOR), { Name: 'a' });
  const b = await createAccount(as(db, CLI_ACTOR), { Name: 'b' });
  const mo = (owner: number | null, content: string) =>
    storeInbound(db, { carrier: 'smsc', phone: '+8613800138000', toAddr: '1069', extendCode: '', content, receivedAt: Date.now(), moAccount: owner });
  for (let i = 1; i <= 5; i++) await mo(a.AccountId, `a${i}`);
  await mo(b.AccountId, 'b1');
  await mo(null, 'nobody');
  const viewer = as(db, { userId: 3, email: 'v@example.com', role: 'viewer', accountId: a.AccountId });

  const first = await listInbound(viewer, { Limit: 2 });
  assert.deepEqual(first.Messages.map((m) => m.Content), ['a5', 'a4']);
  const second = await listInbound(viewer, { Limit: '2', Cursor: String(first.Next) });
  assert.deepEqual(second.Messages.map((m) => m.Content), ['a3', 'a2']);
  const last = await listInbound(viewer, { Limit: 2, Cursor: second.Next });
  assert.deepEqual([last.Messages.map((m) => m.Content), last.Next], [['a1'], null]);

  await assert.rejects(listInbound(viewer, { AccountId: b.AccountId }), refused('not-found'));
  await assert.rejects(listInbound(viewer, { Unowned: true }), refused('forbidden'));
  await assert.rejects(listInbound(viewer, { Cursor: 'x' }), refused('bad-input'));

  const op = as(db, CLI_ACTOR);
  assert.deepEqual((await listInbound(op, { Unowned: true })).Messages.map((m) => [m.Content, m.AccountId]), [['nobody', null]]);
  assert.deepEqual((await listInbound(op, { AccountId: b.AccountId })).Messages.map((m) => m.Content), ['b1']);
  assert.equal((await listInbound(op, {})).Messages.length, 7, 'every account');
});
