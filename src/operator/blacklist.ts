import { normalizePhone } from '../sms/phone.ts';
import type { Account } from '../store/accounts.ts';
import { addToBlacklist, blacklistEntries, removeFromBlacklist } from '../store/blacklist.ts';
import { badInput } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { accountInScope } from './scope.ts';

/** The number as the blacklist stores it: E.164, national numbers read in the account's region. */
function blacklistPhone(account: Account, raw: unknown): string {
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  const p = normalizePhone(text, account.region);
  if (!p.ok) throw badInput(`Phone ${text}: ${p.reason}`);
  return p.e164;
}

export async function addBlacklisted(ctx: OperatorContext, q: { AccountId?: number; Phone: unknown }) {
  const account = await accountInScope(ctx, q.AccountId, 'write');
  const phone = blacklistPhone(account, q.Phone);
  await addToBlacklist(ctx.db, account.id, phone);
  await audit(ctx.db, ctx.actor, 'blacklist.add', phone, account.id);
  return { AccountId: account.id, Phone: phone, Blacklisted: true };
}

/** Removed: false when the number was not on the list. */
export async function removeBlacklisted(ctx: OperatorContext, q: { AccountId?: number; Phone: unknown }) {
  const account = await accountInScope(ctx, q.AccountId, 'write');
  const phone = blacklistPhone(account, q.Phone);
  const removed = await removeFromBlacklist(ctx.db, account.id, phone);
  await audit(ctx.db, ctx.actor, 'blacklist.remove', phone, account.id, { Removed: removed });
  return { AccountId: account.id, Phone: phone, Removed: removed };
}

/**
 * The account's blocked numbers (E.164), in order, and which of them opted out by replying (with when,
 * unix seconds): those a reply with an opt-in word takes off again.
 */
export async function listBlacklisted(ctx: OperatorContext, q: { AccountId?: number }) {
  const account = await accountInScope(ctx, q.AccountId, 'read');
  const entries = await blacklistEntries(ctx.db, account.id);
  const Phones = [...entries.keys()].sort();
  const OptedOut = Phones.filter((p) => entries.get(p) != null).map((Phone) => ({ Phone, OptedOutAt: Math.floor(entries.get(Phone)! / 1000) }));
  return { Phones, OptedOut };
}
