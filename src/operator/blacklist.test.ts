import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import { storeInbound } from '../store/inbound.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { addBlacklisted, listBlacklisted, removeBlacklisted } from './blacklist.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases("blacklist: numbers read in the account's region, scoped, viewers read only, audited", async (db) => {
  const us = await createAccount(as(db, CLI_ACTOR), { Name: 'us', Region: 'US' });
  const cn = await createAccount(as(db, CLI_ACTOR), { Name: 'cn', Region: 'CN' });
  const dev = as(db, user(us.AccountId, 'developer'));

  assert.deepEqual(await addBlacklisted(dev, { Phone: '650 253 0000' }), { AccountId: us.AccountId, Phone: '+16502530000', Blacklisted: true });
  assert.deepEqual(await addBlacklisted(as(db, CLI_ACTOR), { AccountId: cn.AccountId, Phone: '18512340608' }), { AccountId: cn.AccountId, Phone: '+8618512340608', Blacklisted: true });
  await assert.rejects(addBlacklisted(dev, { Phone: '12' }), (e: unknown) => refused('bad-input')(e) && /^Phone 12: /.test((e as Error).message));
  await assert.rejects(addBlacklisted(as(db, user(us.AccountId, 'viewer')), { Phone: '6502530001' }), refused('forbidden'));
  await assert.rejects(addBlacklisted(dev, { AccountId: cn.AccountId, Phone: '18512340609' }), refused('not-found'));
  await assert.rejects(listBlacklisted(dev, { AccountId: cn.AccountId }), refused('not-found'));

  assert.deepEqual(await listBlacklisted(as(db, user(us.AccountId, 'viewer')), {}), { Phones: ['+16502530000'], OptedOut: [] });
  assert.deepEqual(await removeBlacklisted(dev, { Phone: '+1 650 253 0000' }), { AccountId: us.AccountId, Phone: '+16502530000', Removed: true });
  assert.deepEqual(await removeBlacklisted(dev, { Phone: '6502530000' }), { AccountId: us.AccountId, Phone: '+16502530000', Removed: false });

  const entries = await auditPage(db, { accountId: us.AccountId, limit: 10 });
  assert.deepEqual(entries.slice(0, 3).map((e) => [e.Action, e.Target]), [
    ['blacklist.remove', '+16502530000'], ['blacklist.remove', '+16502530000'], ['blacklist.add', '+16502530000'],
  ]);
});

testOnBothDatabases('blacklist listing: numbers that opted out by replying are shown as such, with the time in unix seconds', async (db) => {
  const us = await createAccount(as(db, CLI_ACTOR), { Name: 'us', Region: 'US' });
  await addBlacklisted(as(db, CLI_ACTOR), { AccountId: us.AccountId, Phone: '6502530000' });
  const reply = (phone: string, content: string, receivedAt: number) =>
    storeInbound(db, { carrier: 'c1', phone, toAddr: '1069000', extendCode: '', content, receivedAt, moAccount: us.AccountId });
  await reply('+14155550123', 'STOP', 1_700_000_000_999);
  await reply('+16502530000', 'STOP', 1_700_000_001_000);
  assert.deepEqual(await listBlacklisted(as(db, user(us.AccountId, 'viewer')), {}), {
    Phones: ['+14155550123', '+16502530000'],
    OptedOut: [{ Phone: '+14155550123', OptedOutAt: 1_700_000_000 }],
  });
});
