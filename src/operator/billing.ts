import { formatMoney, parseMoney } from '../billing/money.ts';
import type { PriceEntry } from '../billing/price-list.ts';
import { CsvError, parseCsv } from '../batch/csv.ts';
import { billingEnabled, listPrices, platformCurrency, PLATFORM, removePrice as storeRemovePrice, setPrices } from '../store/prices.ts';
import { ledgerEntries, moveMoney } from '../store/ledger.ts';
import type { BillingMode, LedgerKind } from '../store/schema.ts';
import { badInput, isOperator, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { accountInScope } from './scope.ts';

const MODES: readonly BillingMode[] = ['prepaid', 'postpaid', 'free'];
const MAX_IMPORT_ROWS = 10_000;
const MAX_NOTE_CHARS = 200;
const MAX_LEDGER_PAGE = 10_000;

/** An amount as typed ("1.00", "0.045"), in micro-units; `sign` says which are allowed. */
export function amountInput(raw: unknown, field: string, sign: 'positive' | 'non-negative' | 'any' = 'any'): number {
  const micros = typeof raw === 'string' || typeof raw === 'number' ? parseMoney(String(raw)) : undefined;
  if (micros === undefined) throw badInput(`${field} must be a decimal amount with at most 6 decimals, such as 1.00 or 0.045`);
  if (sign === 'positive' && micros <= 0) throw badInput(`${field} must be more than 0`);
  if (sign === 'non-negative' && micros < 0) throw badInput(`${field} must not be negative`);
  return micros;
}

/** A destination prefix: the E.164 digits it starts with ('+' allowed), or '' for every destination. */
export function prefixInput(raw: unknown): string {
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim().replace(/^\+/, '') : undefined;
  if (text === undefined || !/^\d{0,15}$/.test(text)) throw badInput('Prefix must be the leading digits of the E.164 number (1 to 15 digits, such as 86 or 8613), or empty for the default');
  return text;
}

/** A currency for the first price; once billing is on the platform's is fixed, and only it is accepted. */
async function currencyInput(ctx: OperatorContext, raw: unknown): Promise<string | undefined> {
  if (raw === undefined || raw === '') return undefined;
  const c = String(raw).trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw badInput('Currency must be an ISO 4217 code such as USD or CNY');
  const current = await platformCurrency(ctx.db);
  if (c !== current && (await billingEnabled(ctx.db))) throw badInput(`the platform currency is ${current}: it is fixed by the first price`);
  return c;
}

/** The price list an id names: 0 (or none) the platform's, else that account's. */
async function listOwner(ctx: OperatorContext, accountId: number | undefined): Promise<number> {
  requireOperator(ctx.actor);
  return accountId ? (await accountInScope(ctx, accountId, 'write')).id : PLATFORM;
}

/** Sets a price a segment. The first price turns billing on (see store/prices.ts). */
export async function setPrice(ctx: OperatorContext, q: { Prefix: unknown; Price: unknown; AccountId?: number; Currency?: unknown }) {
  const owner = await listOwner(ctx, q.AccountId);
  const entry = { prefix: prefixInput(q.Prefix), price: amountInput(q.Price, 'Price', 'non-negative') };
  const result = await setPrices(ctx.db, owner, [entry], await currencyInput(ctx, q.Currency));
  await audit(ctx.db, ctx.actor, 'price.set', entry.prefix || '(default)', owner || null, { Price: formatMoney(entry.price), BillingTurnedOn: result.billingTurnedOn });
  return { AccountId: owner || null, Prefix: entry.prefix, Price: formatMoney(entry.price), Currency: result.currency, BillingTurnedOn: result.billingTurnedOn };
}

/** Prices from a CSV of `prefix,price` lines (a header line is allowed), all in one transaction. */
export async function importPrices(ctx: OperatorContext, q: { Csv: string; AccountId?: number; Currency?: unknown }) {
  const owner = await listOwner(ctx, q.AccountId);
  let records;
  try {
    records = parseCsv(q.Csv);
  } catch (err) {
    if (err instanceof CsvError) throw badInput(err.message);
    throw err;
  }
  if (records.length && !/^\+?\d*$/.test(records[0]!.cells[0]!.trim())) records = records.slice(1); // a header
  if (records.length === 0) throw badInput('the CSV holds no prices (lines of prefix,price)');
  if (records.length > MAX_IMPORT_ROWS) throw badInput(`at most ${MAX_IMPORT_ROWS} prices per import`);
  const entries: PriceEntry[] = records.map((r) => {
    if (r.cells.length !== 2) throw badInput(`CSV line ${r.line}: expected prefix,price`);
    try {
      return { prefix: prefixInput(r.cells[0]), price: amountInput(r.cells[1]!.trim(), 'Price', 'non-negative') };
    } catch (err) {
      throw badInput(`CSV line ${r.line}: ${(err as Error).message}`);
    }
  });
  const result = await setPrices(ctx.db, owner, entries, await currencyInput(ctx, q.Currency));
  await audit(ctx.db, ctx.actor, 'price.import', `${entries.length} prices`, owner || null, { BillingTurnedOn: result.billingTurnedOn });
  return { AccountId: owner || null, Imported: entries.length, Currency: result.currency, BillingTurnedOn: result.billingTurnedOn };
}

export async function removePrice(ctx: OperatorContext, q: { Prefix: unknown; AccountId?: number }) {
  const owner = await listOwner(ctx, q.AccountId);
  const prefix = prefixInput(q.Prefix);
  const removed = await storeRemovePrice(ctx.db, owner, prefix);
  await audit(ctx.db, ctx.actor, 'price.remove', prefix || '(default)', owner || null, { Removed: removed });
  return { AccountId: owner || null, Prefix: prefix, Removed: removed };
}

/**
 * A price list. Operators: the platform's, or with AccountId that account's own entries. A customer:
 * the prices it pays (the platform's list with its own entries over it).
 */
export async function listPriceList(ctx: OperatorContext, q: { AccountId?: number }) {
  const currency = await platformCurrency(ctx.db);
  const out = (entries: PriceEntry[]) => entries.map((e) => ({ Prefix: e.prefix, Price: formatMoney(e.price) }));
  if (isOperator(ctx.actor)) {
    const owner = q.AccountId ? (await accountInScope(ctx, q.AccountId, 'read')).id : PLATFORM;
    return { AccountId: owner || null, Currency: currency, BillingEnabled: await billingEnabled(ctx.db), Prices: out(await listPrices(ctx.db, owner)) };
  }
  const account = await accountInScope(ctx, q.AccountId, 'read');
  const [platform, own] = await Promise.all([listPrices(ctx.db, PLATFORM), listPrices(ctx.db, account.id)]);
  const merged = new Map<string, number>();
  for (const e of [...platform, ...own]) merged.set(e.prefix, e.price);
  const entries = [...merged].map(([prefix, price]) => ({ prefix, price })).sort((a, b) => a.prefix.localeCompare(b.prefix));
  return { AccountId: account.id, Currency: currency, BillingEnabled: await billingEnabled(ctx.db), Prices: out(entries) };
}

export interface BalanceView {
  AccountId: number;
  Balance: string;
  Currency: string;
  Mode: BillingMode;
}

/** The account's balance in the platform currency (a customer's own; any for an operator). */
export async function balance(ctx: OperatorContext, q: { AccountId?: number }): Promise<BalanceView> {
  const { AccountId, Balance, Currency, Mode } = await billingSettings(ctx, q);
  return { AccountId, Balance, Currency, Mode };
}

/** The billing settings: balance, mode, credit limit ('' none; null: no limit), low-balance threshold. */
export async function billingSettings(ctx: OperatorContext, q: { AccountId?: number }) {
  const account = await accountInScope(ctx, q.AccountId, 'read');
  const row = await ctx.db.selectFrom('accounts').select(['balance', 'billing_mode', 'credit_limit', 'low_balance_threshold']).where('id', '=', account.id).executeTakeFirstOrThrow();
  return {
    AccountId: account.id,
    Balance: formatMoney(Number(row.balance)),
    Currency: await platformCurrency(ctx.db),
    Mode: row.billing_mode,
    /** postpaid: how far under zero the balance may go; null: no limit */
    CreditLimit: row.credit_limit === null ? null : formatMoney(Number(row.credit_limit)),
    LowBalanceThreshold: row.low_balance_threshold === null ? null : formatMoney(Number(row.low_balance_threshold)),
  };
}

/**
 * Changes how an account pays. Mode and credit are the operator's; the low-balance threshold is also the
 * account's own to set ('' turns the alert off).
 */
export async function changeBilling(ctx: OperatorContext, q: { AccountId?: number; Mode?: unknown; CreditLimit?: unknown; LowBalanceThreshold?: unknown }) {
  const account = await accountInScope(ctx, q.AccountId, 'write');
  const set: { billing_mode?: BillingMode; credit_limit?: number | null; low_balance_threshold?: number | null; low_balance_alerted?: number } = {};
  if (q.Mode !== undefined || q.CreditLimit !== undefined) requireOperator(ctx.actor);
  if (q.Mode !== undefined) {
    if (!MODES.includes(q.Mode as BillingMode)) throw badInput(`Mode must be one of ${MODES.join(', ')}`);
    set.billing_mode = q.Mode as BillingMode;
  }
  if (q.CreditLimit !== undefined) set.credit_limit = q.CreditLimit === '' || q.CreditLimit === null ? null : amountInput(q.CreditLimit, 'CreditLimit', 'non-negative');
  if (q.LowBalanceThreshold !== undefined) {
    set.low_balance_threshold = q.LowBalanceThreshold === '' || q.LowBalanceThreshold === null ? null : amountInput(q.LowBalanceThreshold, 'LowBalanceThreshold', 'non-negative');
    set.low_balance_alerted = 0;
  }
  if (Object.keys(set).length === 0) return billingSettings(ctx, { AccountId: account.id });
  await ctx.db.updateTable('accounts').set(set).where('id', '=', account.id).execute();
  await audit(ctx.db, ctx.actor, 'account.billing', String(account.id), account.id, {
    ...(q.Mode !== undefined ? { Mode: q.Mode } : {}),
    ...(q.CreditLimit !== undefined ? { CreditLimit: q.CreditLimit } : {}),
    ...(q.LowBalanceThreshold !== undefined ? { LowBalanceThreshold: q.LowBalanceThreshold } : {}),
  });
  return billingSettings(ctx, { AccountId: account.id });
}

/** Money in (a top-up, > 0) or a correction (an adjustment, either sign, with a note). Operators only. */
export async function addMoney(ctx: OperatorContext, q: { AccountId?: number; Amount: unknown; Note?: unknown; Kind: 'topup' | 'adjustment' }) {
  requireOperator(ctx.actor);
  const account = await accountInScope(ctx, q.AccountId, 'write');
  const amount = amountInput(q.Amount, 'Amount', q.Kind === 'topup' ? 'positive' : 'any');
  if (amount === 0) throw badInput('Amount must not be 0');
  const note = q.Note === undefined ? '' : String(q.Note).slice(0, MAX_NOTE_CHARS);
  if (q.Kind === 'adjustment' && !note.trim()) throw badInput('an adjustment needs a Note saying why');
  await moveMoney(ctx.db, { accountId: account.id, kind: q.Kind, amount, note, actor: ctx.actor.email });
  await audit(ctx.db, ctx.actor, `account.${q.Kind}`, String(account.id), account.id, { Amount: formatMoney(amount), Note: note });
  return balance(ctx, { AccountId: account.id });
}

export interface LedgerView {
  Id: number;
  Kind: LedgerKind;
  Amount: string;
  BalanceAfter: string;
  Ref: string;
  Note: string;
  Actor: string;
  /** unix seconds */
  Time: number;
}

/** An account's ledger, oldest first; `From`/`To` unix seconds, `To` exclusive; pages after `After` (an Id). */
export async function ledger(ctx: OperatorContext, q: { AccountId?: number; From?: number; To?: number; After?: number; Limit?: number }) {
  const account = await accountInScope(ctx, q.AccountId, 'read');
  const limit = Math.min(Math.max(q.Limit ?? 1000, 1), MAX_LEDGER_PAGE);
  const rows = await ledgerEntries(ctx.db, {
    accountId: account.id,
    from: q.From === undefined ? undefined : q.From * 1000,
    to: q.To === undefined ? undefined : q.To * 1000,
    afterId: q.After,
    limit,
  });
  const entries: LedgerView[] = rows.map((r) => ({
    Id: r.id, Kind: r.kind, Amount: formatMoney(r.amount), BalanceAfter: formatMoney(r.balanceAfter), Ref: r.ref, Note: r.note, Actor: r.actor,
    Time: Math.floor(r.createdAt / 1000),
  }));
  return { AccountId: account.id, Currency: await platformCurrency(ctx.db), Entries: entries, Next: rows.length === limit ? rows[rows.length - 1]!.id : null };
}
