import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { accountLimits } from '../store/account-limits.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { getSendLimits, setSendLimits } from './send-limits.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind'], message?: RegExp) => (e: unknown) =>
  e instanceof OperatorError && e.kind === kind && (!message || message.test(e.message));

testOnBothDatabases('send limits: the defaults until changed; per purpose, replaced whole; countries; audited', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const shown = await getSendLimits(op, a.AccountId);
  assert.deepEqual(shown, {
    AccountId: a.AccountId,
    AllCountries: true,
    Countries: [],
    Limits: [
      { Purpose: 1, Name: 'verification codes', PerPhone: ['1/1m', '5/1h', '10/1d'], RangeBurst: '10/10m', Custom: false },
      { Purpose: 2, Name: 'notifications', PerPhone: [], RangeBurst: null, Custom: false },
      { Purpose: 3, Name: 'marketing messages', PerPhone: [], RangeBurst: null, Custom: false },
    ],
  });

  let v = await setSendLimits(op, a.AccountId, { Countries: 'cn, US', PerPhone: { 1: ['5/1h', '20/1d'], 3: '2/1d' }, RangeBurst: { 2: '50/1h' } });
  assert.deepEqual(v.Countries, ['CN', 'US']);
  assert.equal(v.AllCountries, false);
  assert.deepEqual(v.Limits.map((l) => [l.PerPhone, l.RangeBurst, l.Custom]), [
    [['5/1h', '20/1d'], '10/10m', true],
    [[], '50/1h', true],
    [['2/1d'], null, true],
  ]);
  assert.deepEqual(await accountLimits(db, a.AccountId), {
    allowedRegions: 'CN,US',
    sendLimits: '{"1":{"perPhone":["5/1h","20/1d"]},"2":{"rangeBurst":"50/1h"},"3":{"perPhone":["2/1d"]}}',
  });
  const [entry] = await auditPage(db, { accountId: a.AccountId, limit: 1 });
  assert.equal(entry!.Action, 'account.limits');
  assert.deepEqual(entry!.Detail, {
    Countries: ['CN', 'US'],
    Limits: [
      { Purpose: 1, PerPhone: ['5/1h', '20/1d'], RangeBurst: '10/10m' },
      { Purpose: 2, PerPhone: [], RangeBurst: '50/1h' },
      { Purpose: 3, PerPhone: ['2/1d'], RangeBurst: null },
    ],
  });

  // Fields left out are kept; 'off' and 'default'; every country again.
  v = await setSendLimits(op, a.AccountId, { PerPhone: { 1: 'off' }, RangeBurst: { 1: 'off', 2: 'default' } });
  assert.deepEqual(v.Countries, ['CN', 'US']);
  assert.deepEqual(v.Limits.map((l) => [l.PerPhone, l.RangeBurst]), [[[], null], [[], null], [['2/1d'], null]]);
  v = await setSendLimits(op, a.AccountId, { Countries: 'all', PerPhone: { 1: 'default', 3: 'default' }, RangeBurst: { 1: 'default' } });
  assert.equal(v.AllCountries, true);
  assert.deepEqual(await accountLimits(db, a.AccountId), { allowedRegions: '', sendLimits: '' });
  assert.deepEqual(await getSendLimits(op, a.AccountId), shown);
  v = await setSendLimits(op, a.AccountId, { Countries: [] });
  assert.equal(v.AllCountries, true);
});

testOnBothDatabases('send limits: bad input is refused with the field named; nothing is stored', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const cases: Array<[Parameters<typeof setSendLimits>[2], RegExp]> = [
    [{}, /nothing to change/],
    [{ Countries: 'US,XX' }, /^Countries: "XX" is not an ISO 3166/],
    [{ Countries: 42 }, /^Countries must be/],
    [{ PerPhone: { 4: '1/1h' } }, /^PerPhone: unknown Purpose "4"/],
    [{ PerPhone: ['1/1h'] }, /^PerPhone must map a Purpose/],
    [{ PerPhone: { 1: '5/1w' } }, /^PerPhone of Purpose 1: "5\/1w" is not a rate/],
    [{ PerPhone: { 1: ['1/1h', '2/60m'] } }, /^PerPhone: two limits for the same window 1h/],
    [{ PerPhone: { 1: ['1/1s', '1/2s', '1/3s', '1/4s', '1/5s'] } }, /at most 4 per-phone limits/],
    [{ PerPhone: { 1: [5] } }, /a rate is text/],
    [{ RangeBurst: { 1: '10/2d' } }, /^RangeBurst of Purpose 1: "10\/2d": the window must be 1s to 1d/],
  ];
  for (const [changes, message] of cases) {
    await assert.rejects(setSendLimits(op, a.AccountId, changes), refused('bad-input', message), JSON.stringify(changes));
  }
  assert.deepEqual(await accountLimits(db, a.AccountId), { allowedRegions: '', sendLimits: '' });
  await assert.rejects(setSendLimits(op, 99_999_999, { Countries: 'US' }), refused('not-found'));
});

testOnBothDatabases('send limits: an account admin changes their own; other roles read them; nobody sees another account', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const b = await createAccount(op, { Name: 'other' });
  const v = await setSendLimits(as(db, user(a.AccountId, 'admin')), undefined, { PerPhone: { 2: '3/1d' } });
  assert.deepEqual(v.Limits[1]!.PerPhone, ['3/1d']);
  const [entry] = await auditPage(db, { accountId: a.AccountId, limit: 1 });
  assert.equal(entry!.Actor, 'admin@example.com');
  await assert.rejects(setSendLimits(as(db, user(a.AccountId, 'developer')), undefined, { Countries: 'US' }), refused('forbidden'));
  await assert.rejects(setSendLimits(as(db, user(a.AccountId, 'viewer')), undefined, { Countries: 'US' }), refused('forbidden'));
  await assert.rejects(setSendLimits(as(db, user(a.AccountId, 'admin')), b.AccountId, { Countries: 'US' }), refused('not-found'));
  assert.deepEqual((await getSendLimits(as(db, user(a.AccountId, 'viewer')), undefined)).Limits[1]!.PerPhone, ['3/1d']);
  await assert.rejects(getSendLimits(as(db, user(a.AccountId, 'viewer')), b.AccountId), refused('not-found'));
  await assert.rejects(getSendLimits(op, undefined), refused('bad-input'));
  assert.equal((await accountLimits(db, b.AccountId))!.allowedRegions, '', "the other account's are untouched");
});
