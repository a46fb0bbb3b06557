import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import { auditPage } from '../store/audit.ts';
import { CLI_ACTOR } from './actor.ts';
import { activeSession, LOCKOUT_MS, login, logout, MAX_FAILED_LOGINS, resetPassword, SESSION_IDLE_MS } from './auth.ts';
import { createUser, issueResetLink, updateUser } from './users.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));

testOnBothDatabases('login: a session any node can read, sliding expiry, logout ends it', async (db) => {
  const { AccountId } = await createAccount(db, box, { name: 'a' });
  const ctx = { db, box, actor: CLI_ACTOR };
  await createUser(ctx, { Email: 'Dev@Example.com', Role: 'developer', AccountId, Password: 'a long password' });
  const t0 = 1_000_000;
  const ok = await login(db, ' dev@example.COM ', 'a long password', t0);
  assert.ok(ok.ok);
  assert.deepEqual(ok.user, { UserId: ok.user.UserId, Email: 'dev@example.com', Role: 'developer', AccountId, Language: 'en' });
  const s = await activeSession(db, ok.token, t0 + 1000);
  assert.equal(s?.actor.accountId, AccountId);
  assert.equal(s?.csrf, ok.csrf);
  // Used 11 h later: the idle clock starts again, so it is alive 11 h after that.
  assert.ok(await activeSession(db, ok.token, t0 + SESSION_IDLE_MS - 3600_000));
  assert.ok(await activeSession(db, ok.token, t0 + 2 * SESSION_IDLE_MS - 7200_000));
  assert.equal(await activeSession(db, ok.token, t0 + 4 * SESSION_IDLE_MS), undefined);
  assert.equal(await activeSession(db, 'not-a-token', t0), undefined);
  const again = await login(db, 'dev@example.com', 'a long password', t0);
  assert.ok(again.ok);
  await logout(db, again.token);
  assert.equal(await activeSession(db, again.token, t0), undefined);
});

testOnBothDatabases('lockout after five wrong passwords, for 15 minutes, recorded in the audit log', async (db) => {
  const ctx = { db, box, actor: CLI_ACTOR };
  await createUser(ctx, { Email: 'op@example.com', Role: 'operator', Password: 'operator password' });
  const t0 = 5_000_000;
  for (let i = 1; i < MAX_FAILED_LOGINS; i++) assert.deepEqual(await login(db, 'op@example.com', 'wrong password', t0 + i), { ok: false, reason: 'bad-credentials' });
  const locked = await login(db, 'op@example.com', 'wrong password', t0 + 10);
  assert.equal(locked.ok, false);
  assert.equal(!locked.ok && locked.reason, 'locked');
  // The right password does not help while locked, then works after the lock.
  const stillLocked = await login(db, 'op@example.com', 'operator password', t0 + 20);
  assert.equal(!stillLocked.ok && stillLocked.reason, 'locked');
  assert.ok((await login(db, 'op@example.com', 'operator password', t0 + 10 + LOCKOUT_MS)).ok);
  const audit = await auditPage(db, { limit: 10 });
  assert.ok(audit.some((e) => e.Action === 'user.locked' && e.Target === 'op@example.com'));
  assert.deepEqual(await login(db, 'nobody@example.com', 'whatever pass', t0), { ok: false, reason: 'bad-credentials' });
});

testOnBothDatabases('a disabled user cannot log in and loses its sessions; a reset link works once', async (db) => {
  const { AccountId } = await createAccount(db, box, { name: 'a' });
  const ctx = { db, box, actor: CLI_ACTOR };
  const u = await createUser(ctx, { Email: 'v@example.com', Role: 'viewer', AccountId });
  assert.equal(typeof (u as { Password?: string }).Password, 'string');
  const session = await login(db, 'v@example.com', (u as { Password: string }).Password);
  assert.ok(session.ok);
  await updateUser(ctx, u.UserId, { Status: 'disabled' });
  assert.equal(await activeSession(db, session.token), undefined);
  assert.deepEqual(await login(db, 'v@example.com', (u as { Password: string }).Password), { ok: false, reason: 'disabled' });
  await updateUser(ctx, u.UserId, { Status: 'active' });

  const link = await issueResetLink(ctx, u.UserId, 'https://sms.example.com/');
  assert.match(link.Url, /^https:\/\/sms\.example\.com\/console\/#\/reset\/[\w-]{32}$/);
  const token = link.Url.split('/').pop()!;
  await assert.rejects(resetPassword(db, token, 'short'), /at least 10/);
  assert.deepEqual(await resetPassword(db, token, 'a brand new password'), { Reset: true });
  await assert.rejects(resetPassword(db, token, 'another new password'), /unknown, used or expired/);
  assert.ok((await login(db, 'v@example.com', 'a brand new password')).ok);
});
