import { sql, type Kysely } from 'kysely';
import type { Db } from './db.ts';
import { paddedChunks, pow2Chunks } from './batching.ts';
import { accountsWithCallback, enqueueItems, MsgType, type LowBalanceRecord } from './callbacks.ts';
import type { BillingMode, Database, LedgerKind } from './schema.ts';
import { platformCurrency } from './prices.ts';

/**
 * Every money movement of an account goes through here: the balance changes and its ledger row is
 * appended in the same transaction, so the balance always equals the sum of the ledger's amounts.
 * Amounts are integer micro-units of the platform currency.
 */

export interface ChargeRequest {
  accountId: number;
  /** what the request's messages cost, > 0 */
  amount: number;
  /** the request's session numbers */
  ref: string;
}

/**
 * Takes each request's charge from its account, in order, inside the caller's transaction; returns
 * the indexes of the requests the balance (plus credit) cannot cover, which must then store nothing,
 * and of those whose account turned out to be free (store them uncharged). An account's requests are
 * tried together in one statement first (the common case: one account's group commit), then one by one.
 *
 * The check is in the UPDATE's WHERE: on PostgreSQL the row lock makes a concurrent writer wait and
 * re-check against the new balance, so no two nodes can both spend the last of a balance.
 */
export async function chargeRequests(trx: Kysely<Database>, requests: ChargeRequest[], actor: string): Promise<{ unfunded: Set<number>; free: Set<number> }> {
  const unfunded = new Set<number>();
  const free = new Set<number>();
  const byAccount = new Map<number, number[]>();
  requests.forEach((r, i) => {
    const list = byAccount.get(r.accountId);
    if (list) list.push(i);
    else byAccount.set(r.accountId, [i]);
  });
  const now = Date.now();
  const rows: LedgerRow[] = [];
  for (const [accountId, indexes] of byAccount) {
    const total = indexes.reduce((n, i) => n + requests[i]!.amount, 0);
    let charged = await debit(trx, accountId, total);
    let paid = indexes;
    if (!charged) {
      paid = [];
      // A free account (pricing saw it charged a moment ago) debits nothing: every request goes uncharged.
      if ((await modeOf(trx, accountId)) === 'free') {
        for (const i of indexes) free.add(i);
        continue;
      }
      for (const i of indexes) {
        const one = await debit(trx, accountId, requests[i]!.amount);
        if (!one) {
          unfunded.add(i);
          continue;
        }
        paid.push(i);
        charged = one;
        // Each one-by-one debit tells its own balance after.
        rows.push(ledgerRow(accountId, 'charge', -requests[i]!.amount, one.balance, requests[i]!.ref, actor, now));
      }
    } else {
      let before = charged.balance + total;
      for (const i of paid) {
        before -= requests[i]!.amount;
        rows.push(ledgerRow(accountId, 'charge', -requests[i]!.amount, before, requests[i]!.ref, actor, now));
      }
    }
    if (charged) await alertIfLow(trx, accountId, charged);
  }
  for (const chunk of pow2Chunks(rows, 128)) await insertLedger(trx, chunk);
  return { unfunded, free };
}

/** Gives back, once, the charge of each message among `ids` that failed before any carrier took it. */
export async function refundFailed(trx: Kysely<Database>, ids: number[], actor = 'delivery'): Promise<number> {
  if (ids.length === 0) return 0;
  const refunded = new Map<number, { amount: number; ids: number[] }>();
  for (const chunk of paddedChunks(ids, 256)) {
    const rows = await trx
      .updateTable('messages')
      .set({ refunded: 1 })
      .where('id', 'in', chunk)
      .where('status', '=', 'failed')
      .where('charge', '>', 0)
      .where('refunded', '=', 0)
      .returning(['id', 'account_id', 'charge'])
      .execute();
    for (const r of rows) {
      const a = refunded.get(Number(r.account_id)) ?? { amount: 0, ids: [] };
      a.amount += Number(r.charge);
      a.ids.push(Number(r.id));
      refunded.set(Number(r.account_id), a);
    }
  }
  let total = 0;
  for (const [accountId, r] of refunded) {
    await moveIn(trx, accountId, 'refund', r.amount, refundRef(r.ids), '', actor);
    total += r.amount;
  }
  return total;
}

const MAX_REF_IDS = 20;
const refundRef = (ids: number[]) =>
  `messages ${ids.slice(0, MAX_REF_IDS).join(',')}${ids.length > MAX_REF_IDS ? ` and ${ids.length - MAX_REF_IDS} more` : ''}`;

/** A top-up (> 0) or an adjustment (either sign), recorded with who made it. Returns the balance after. */
export async function moveMoney(db: Db, input: { accountId: number; kind: 'topup' | 'adjustment'; amount: number; note: string; actor: string }): Promise<number> {
  return db.transaction().execute((trx) => moveIn(trx, input.accountId, input.kind, input.amount, '', input.note, input.actor));
}

async function moveIn(trx: Kysely<Database>, accountId: number, kind: LedgerKind, amount: number, ref: string, note: string, actor: string): Promise<number> {
  const row = await trx
    .updateTable('accounts')
    .set({ balance: (eb) => eb('balance', '+', amount) })
    .where('id', '=', accountId)
    .returning(['balance', 'low_balance_threshold'])
    .executeTakeFirst();
  if (!row) throw new Error(`no account ${accountId}`);
  const balance = Number(row.balance);
  await insertLedger(trx, [ledgerRow(accountId, kind, amount, balance, ref, actor, Date.now(), note)]);
  // Back above the threshold: the next fall under it alerts again.
  if (amount > 0 && row.low_balance_threshold !== null && balance >= Number(row.low_balance_threshold)) {
    await trx.updateTable('accounts').set({ low_balance_alerted: 0 }).where('id', '=', accountId).where('low_balance_alerted', '=', 1).execute();
  }
  return balance;
}

interface Debited {
  balance: number;
  threshold: number | null;
  alerted: boolean;
}

async function debit(trx: Kysely<Database>, accountId: number, amount: number): Promise<Debited | undefined> {
  const row = await sql<{ balance: number | string; low_balance_threshold: number | string | null; low_balance_alerted: number }>`
    update accounts set balance = balance - ${amount}
     where id = ${accountId} and billing_mode <> 'free'
       and ((billing_mode = 'postpaid' and credit_limit is null)
            or balance - ${amount} >= case when billing_mode = 'prepaid' then 0 else -credit_limit end)
    returning balance, low_balance_threshold, low_balance_alerted`.execute(trx);
  const r = row.rows[0];
  return r && { balance: Number(r.balance), threshold: r.low_balance_threshold === null ? null : Number(r.low_balance_threshold), alerted: Number(r.low_balance_alerted) === 1 };
}

async function modeOf(trx: Kysely<Database>, accountId: number): Promise<BillingMode | undefined> {
  const row = await trx.selectFrom('accounts').select('billing_mode').where('id', '=', accountId).executeTakeFirst();
  return row?.billing_mode;
}

/** The first charge that takes the balance under the account's threshold queues one push (a LowBalanceRecord) to its callback URL. */
async function alertIfLow(trx: Kysely<Database>, accountId: number, d: Debited): Promise<void> {
  if (d.threshold === null || d.alerted || d.balance >= d.threshold) return;
  await trx.updateTable('accounts').set({ low_balance_alerted: 1 }).where('id', '=', accountId).execute();
  if (!(await accountsWithCallback(trx, [accountId])).has(accountId)) return;
  const record: LowBalanceRecord = { account_id: accountId, balance: d.balance, threshold: d.threshold, currency: await platformCurrency(trx), at: Date.now() };
  await enqueueItems(trx, [{ accountId, msgType: MsgType.LowBalance, payload: JSON.stringify(record) }]);
}

type LedgerRow = {
  account_id: number; kind: LedgerKind; amount: number; balance_after: number; ref: string; note: string; actor: string; created_at: number;
};

const ledgerRow = (accountId: number, kind: LedgerKind, amount: number, balanceAfter: number, ref: string, actor: string, at: number, note = ''): LedgerRow =>
  ({ account_id: accountId, kind, amount, balance_after: balanceAfter, ref, note, actor, created_at: at });

async function insertLedger(trx: Kysely<Database>, rows: LedgerRow[]): Promise<void> {
  if (rows.length) await trx.insertInto('ledger').values(rows).execute();
}

export interface LedgerEntry {
  id: number;
  kind: LedgerKind;
  amount: number;
  balanceAfter: number;
  ref: string;
  note: string;
  actor: string;
  createdAt: number;
}

/** An account's ledger, oldest first, between two times (ms, `to` exclusive), at most `limit` rows after `afterId`. */
export async function ledgerEntries(db: Db, q: { accountId: number; from?: number; to?: number; afterId?: number; limit: number }): Promise<LedgerEntry[]> {
  let query = db.selectFrom('ledger').selectAll().where('account_id', '=', q.accountId);
  if (q.from !== undefined) query = query.where('created_at', '>=', q.from);
  if (q.to !== undefined) query = query.where('created_at', '<', q.to);
  if (q.afterId !== undefined) query = query.where('id', '>', q.afterId);
  const rows = await query.orderBy('id').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), kind: r.kind, amount: Number(r.amount), balanceAfter: Number(r.balance_after),
    ref: r.ref, note: r.note, actor: r.actor, createdAt: Number(r.created_at),
  }));
}

/** The sum of an account's ledger: what its balance must equal. */
export async function ledgerSum(db: Db, accountId: number): Promise<number> {
  const row = await db.selectFrom('ledger').select((eb) => eb.fn.sum<number | string | null>('amount').as('sum')).where('account_id', '=', accountId).executeTakeFirst();
  return Number(row?.sum ?? 0);
}
