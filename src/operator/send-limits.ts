import {
  PURPOSES,
  PURPOSE_NAMES,
  SendLimitsError,
  applyChanges,
  checkRegions,
  effectiveLimits,
  formatOverrides,
  formatRate,
  parseBurst,
  parseOverrides,
  parseRate,
  parseRegions,
  type Purpose,
  type PurposeChange,
  type SendLimitOverrides,
} from '../compliance/send-limits.ts';
import { accountLimits, setAccountLimits } from '../store/account-limits.ts';
import { badInput, notFound } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { accountInScope } from './scope.ts';

/**
 * An account's pumping protection (compliance/send-limits.ts): the countries it may send to and its
 * limits per template Purpose. Anyone of the account may read them; operators and the account's admins
 * change them. API nodes pick a change up within a second (actions/send-policy.ts).
 */

export interface PurposeLimitsView {
  Purpose: Purpose;
  Name: string;
  /** At most COUNT/WINDOW to one phone, e.g. '5/1h'; empty: no limit. */
  PerPhone: string[];
  /** More than COUNT distinct numbers of one range within WINDOW is held for the operator; null: off. */
  RangeBurst: string | null;
  /** false: the platform's defaults */
  Custom: boolean;
}

export interface SendLimitsView {
  AccountId: number;
  /** true: every country; otherwise only `Countries` */
  AllCountries: boolean;
  Countries: string[];
  Limits: PurposeLimitsView[];
}

function view(accountId: number, allowedRegions: string, overrides: SendLimitOverrides): SendLimitsView {
  const limits = effectiveLimits(overrides);
  const countries = [...(parseRegions(allowedRegions) ?? [])].sort();
  return {
    AccountId: accountId,
    AllCountries: countries.length === 0,
    Countries: countries,
    Limits: PURPOSES.map((p) => ({
      Purpose: p,
      Name: PURPOSE_NAMES[p],
      PerPhone: limits[p].perPhone.map(formatRate),
      RangeBurst: limits[p].rangeBurst && formatRate(limits[p].rangeBurst),
      Custom: overrides[p] !== undefined,
    })),
  };
}

async function stored(ctx: OperatorContext, accountId: number) {
  const row = await accountLimits(ctx.db, accountId);
  if (!row) throw notFound(`no account ${accountId}`);
  return row;
}

export async function getSendLimits(ctx: OperatorContext, accountId: number | undefined): Promise<SendLimitsView> {
  const account = await accountInScope(ctx, accountId, 'read');
  const row = await stored(ctx, account.id);
  return view(account.id, row.allowedRegions, readOverrides(row.sendLimits));
}

export interface SendLimitChanges {
  /** ISO 3166 codes, as a list or comma-separated; [] or 'all' allows every country again. */
  Countries?: unknown;
  /** Per purpose ("1", "2", "3"): the per-phone rates replacing that purpose's, 'off' for none, or 'default'. */
  PerPhone?: unknown;
  /** Per purpose: the burst rate, 'off', or 'default'. */
  RangeBurst?: unknown;
}

const MAX_FIELD_ITEMS = 10;

/** Changes what is given and keeps the rest; answers the settings in force. */
export async function setSendLimits(ctx: OperatorContext, accountId: number | undefined, changes: SendLimitChanges): Promise<SendLimitsView> {
  const account = await accountInScope(ctx, accountId, 'manage-users');
  const countries = changes.Countries === undefined ? undefined : readCountries(changes.Countries);
  const purposeChanges: Partial<Record<Purpose, PurposeChange>> = {};
  for (const [purpose, v] of perPurpose(changes.PerPhone, 'PerPhone')) {
    const c = (purposeChanges[purpose] ??= {});
    if (v === 'default' || v === 'off') c.perPhone = v === 'off' ? [] : 'default';
    else c.perPhone = guard('PerPhone', purpose, () => (Array.isArray(v) ? v : [v]).slice(0, MAX_FIELD_ITEMS + 1).map((r) => parseRate(asRate(r))));
  }
  for (const [purpose, v] of perPurpose(changes.RangeBurst, 'RangeBurst')) {
    const c = (purposeChanges[purpose] ??= {});
    c.rangeBurst = v === 'off' ? null : v === 'default' ? 'default' : guard('RangeBurst', purpose, () => parseBurst(asRate(v)));
  }
  if (countries === undefined && Object.keys(purposeChanges).length === 0) throw badInput('nothing to change: give Countries, PerPhone or RangeBurst');

  const row = await stored(ctx, account.id);
  const next = guard('PerPhone', undefined, () => applyChanges(readOverrides(row.sendLimits), purposeChanges));
  const sendLimits = formatOverrides(next);
  const allowedRegions = countries === undefined ? undefined : countries.join(',');
  if (!(await setAccountLimits(ctx.db, account.id, { sendLimits, allowedRegions }))) throw notFound(`no account ${account.id}`);
  const result = view(account.id, allowedRegions ?? row.allowedRegions, next);
  await audit(ctx.db, ctx.actor, 'account.limits', String(account.id), account.id, {
    ...(countries !== undefined && { Countries: countries.length ? countries : 'all' }),
    ...(Object.keys(purposeChanges).length && { Limits: result.Limits.filter((l) => purposeChanges[l.Purpose]).map(({ Purpose, PerPhone, RangeBurst }) => ({ Purpose, PerPhone, RangeBurst })) }),
  });
  return result;
}

/** Stored JSON the operator layer wrote; damaged (by hand), it reads as the defaults, as the send path does. */
function readOverrides(json: string): SendLimitOverrides {
  try {
    return parseOverrides(json);
  } catch (err) {
    if (err instanceof SendLimitsError) return {};
    throw err;
  }
}

function readCountries(raw: unknown): string[] {
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!list || !list.every((c) => typeof c === 'string')) throw badInput('Countries must be ISO 3166 codes, a list or comma-separated');
  if (list.length === 1 && list[0]!.trim().toLowerCase() === 'all') return [];
  try {
    return checkRegions(list as string[]);
  } catch (err) {
    if (err instanceof SendLimitsError) throw badInput(`Countries: ${err.message}`);
    throw err;
  }
}

/** The entries of a per-purpose object, purposes checked. */
function perPurpose(raw: unknown, field: string): Array<[Purpose, unknown]> {
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badInput(`${field} must map a Purpose (1, 2, 3) to its limits`);
  return Object.entries(raw).map(([k, v]) => {
    const p = Number(k);
    if (!PURPOSES.includes(p as Purpose) || String(p) !== k.trim()) throw badInput(`${field}: unknown Purpose "${k}" (1 verification code, 2 notification, 3 marketing)`);
    return [p as Purpose, v];
  });
}

function asRate(v: unknown): string {
  if (typeof v !== 'string') throw new SendLimitsError('a rate is text such as 5/1h');
  return v;
}

function guard<T>(field: string, purpose: Purpose | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SendLimitsError) throw badInput(`${field}${purpose ? ` of Purpose ${purpose}` : ''}: ${err.message}`);
    throw err;
  }
}
