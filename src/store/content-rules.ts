import type { Selectable } from 'kysely';
import { MAX_RULES_CONSIDERED, PLATFORM, type ContentRule } from '../compliance/content-rules.ts';
import type { Db } from './db.ts';
import type { ContentRuleTable } from './schema.ts';

/** A stored rule: accountId 0 is platform-wide. */
export interface StoredContentRule extends ContentRule {
  createdBy: string;
  createdAt: number;
}

const toRule = (r: Selectable<ContentRuleTable>): StoredContentRule => ({
  id: r.id,
  accountId: r.account_id,
  pattern: r.pattern,
  isRegex: r.is_regex === 1,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** The pattern is stored as checked by compliance/content-rules.ts `checkPattern`. */
export interface NewContentRule {
  accountId: number;
  pattern: string;
  isRegex: boolean;
  createdBy: string;
}

/** Adds a rule; adding one that exists changes nothing (`added` false) and answers the existing one. */
export async function addContentRule(db: Db, input: NewContentRule): Promise<{ rule: StoredContentRule; added: boolean }> {
  const res = await db
    .insertInto('content_rules')
    .values({ account_id: input.accountId, pattern: input.pattern, is_regex: input.isRegex ? 1 : 0, created_by: input.createdBy, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['account_id', 'is_regex', 'pattern']).doNothing())
    .executeTakeFirst();
  const added = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  const row = await db
    .selectFrom('content_rules')
    .selectAll()
    .where('account_id', '=', input.accountId)
    .where('is_regex', '=', input.isRegex ? 1 : 0)
    .where('pattern', '=', input.pattern)
    .executeTakeFirstOrThrow();
  return { rule: toRule(row), added };
}

/** One rule by id; with `accountIds`, only within those accounts (0 for platform-wide). */
export async function getContentRule(db: Db, id: number, accountIds?: readonly number[]): Promise<StoredContentRule | undefined> {
  if (accountIds?.length === 0) return undefined;
  let q = db.selectFrom('content_rules').selectAll().where('id', '=', id);
  if (accountIds) q = q.where('account_id', 'in', accountIds);
  const row = await q.executeTakeFirst();
  return row && toRule(row);
}

export type RuleKey = { id: number; accountId: number } | { accountId: number; pattern: string; isRegex: boolean };

/** Removes one rule, by id or by what it blocks, in its account (0: platform-wide); answers it, or undefined if there was none. */
export async function removeContentRule(db: Db, key: RuleKey): Promise<StoredContentRule | undefined> {
  let q = db.deleteFrom('content_rules').where('account_id', '=', key.accountId);
  q = 'id' in key ? q.where('id', '=', key.id) : q.where('is_regex', '=', key.isRegex ? 1 : 0).where('pattern', '=', key.pattern);
  const row = await q.returningAll().executeTakeFirst();
  return row && toRule(row);
}

/** How many rules a scope holds (the platform, or one account). */
export async function countContentRules(db: Db, accountId: number): Promise<number> {
  const row = await db.selectFrom('content_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The rules of the given scopes, platform-wide first, then each account's, oldest first within each,
 * at most `limit` (matchers apply at most MAX_RULES_CONSIDERED).
 */
export async function listContentRules(db: Db, accountIds: readonly number[], limit = MAX_RULES_CONSIDERED): Promise<StoredContentRule[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom('content_rules')
    .selectAll()
    .where('account_id', 'in', accountIds)
    .orderBy('account_id')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRule);
}

/** Every rule that applies to an account: the platform's and its own. */
export function rulesForAccount(db: Db, accountId: number): Promise<StoredContentRule[]> {
  return listContentRules(db, accountId === PLATFORM ? [PLATFORM] : [PLATFORM, accountId]);
}
