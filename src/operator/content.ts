import { checkPattern, ContentMatcher, describeRule, MAX_RULES_PER_SCOPE, PLATFORM, type ContentRule } from '../compliance/content-rules.ts';
import {
  addContentRule,
  countContentRules,
  getContentRule,
  listContentRules as storeListContentRules,
  removeContentRule,
  rulesForAccount,
  type StoredContentRule,
} from '../store/content-rules.ts';
import type { Db } from '../store/db.ts';
import { badInput, can, forbidden, isOperator, notFound, OperatorError, type Permission } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { optionalBool, optionalInt, requiredString } from './input.ts';
import { accountInScope } from './scope.ts';

/*
 * Blocked words and patterns (compliance/content-rules.ts). Operators manage platform-wide rules and any
 * account's, plain words or regular expressions. An account admin manages its own account's plain words;
 * regular expressions are operators' alone, because a careless one slows every send of the account.
 * Developers and viewers read. Running servers pick a change up within a second (actions/content-rules-cache.ts).
 */

/** Far more than any pattern: the exact bound is checkPattern's, counted after normalisation. */
const MAX_INPUT_CHARS = 1_000;

export interface ContentRuleView {
  RuleId: number;
  /** 0: platform-wide */
  AccountId: number;
  Pattern: string;
  Regex: boolean;
  /** Who added it (operators, and the account's own rules). */
  CreatedBy?: string;
  /** unix seconds */
  CreateTime: number;
}

function outRule(ctx: OperatorContext, r: StoredContentRule): ContentRuleView {
  return {
    RuleId: r.id,
    AccountId: r.accountId,
    Pattern: r.pattern,
    Regex: r.isRegex,
    ...((isOperator(ctx.actor) || r.accountId !== PLATFORM) && { CreatedBy: r.createdBy }),
    CreateTime: Math.floor(r.createdAt / 1000),
  };
}

/** The account whose rules a call works on: 0 (platform-wide) for an operator who names none. */
async function ruleScope(ctx: OperatorContext, requested: number | undefined, permission: Permission): Promise<number> {
  if (isOperator(ctx.actor) && (requested === undefined || requested === PLATFORM)) return PLATFORM;
  if (!can(ctx.actor, permission)) throw forbidden('blocked words are managed by account admins and operators');
  return (await accountInScope(ctx, requested, permission)).id;
}

const regexOnlyForOperators = () =>
  forbidden('only operators manage regular expressions (a careless one slows every send); block plain words');

function regexFlag(ctx: OperatorContext, raw: unknown): boolean {
  const regex = optionalBool(raw, 'Regex') ?? false;
  if (regex && !isOperator(ctx.actor)) throw regexOnlyForOperators();
  return regex;
}

/** The pattern as it is stored (plain words normalised), or a bad-input error naming the problem. */
function storedPattern(raw: unknown, regex: boolean): string {
  const checked = checkPattern(requiredString(raw, 'Pattern', MAX_INPUT_CHARS), regex);
  if (!checked.ok) throw badInput(`Pattern ${checked.reason}`);
  return checked.pattern;
}

/**
 * Blocks a word (or, for operators, a regular expression) platform-wide (operators, no AccountId) or
 * in one account. Blocking what is already blocked changes nothing: `Added` is then false.
 */
export async function blockContent(ctx: OperatorContext, q: { AccountId?: number; Pattern: unknown; Regex?: unknown }) {
  const accountId = await ruleScope(ctx, q.AccountId, 'manage-users');
  const isRegex = regexFlag(ctx, q.Regex);
  const pattern = storedPattern(q.Pattern, isRegex);
  const { rule, added } = await addContentRule(ctx.db, { accountId, pattern, isRegex, createdBy: ctx.actor.email });
  // Counted after the insert, so that concurrent additions cannot pass the bound together.
  if (added && (await countContentRules(ctx.db, accountId)) > MAX_RULES_PER_SCOPE) {
    await removeContentRule(ctx.db, { id: rule.id, accountId });
    throw new OperatorError('conflict', `${accountId === PLATFORM ? 'the platform' : `account ${accountId}`} already has ${MAX_RULES_PER_SCOPE} blocked words and patterns, the most it may have`);
  }
  await audit(ctx.db, ctx.actor, 'content.block', pattern, accountId === PLATFORM ? null : accountId, { RuleId: rule.id, Regex: isRegex, Added: added });
  return { ...outRule(ctx, rule), Added: added };
}

/**
 * Lifts a rule, named by `RuleId` or by its `Pattern` (and `Regex`) in the account (none: platform-wide,
 * for operators). A pattern that was not blocked answers `Removed: false`; an unknown RuleId not-found.
 */
export async function unblockContent(
  ctx: OperatorContext,
  q: { AccountId?: number; RuleId?: unknown; Pattern?: unknown; Regex?: unknown },
): Promise<Pick<ContentRuleView, 'AccountId' | 'Pattern' | 'Regex'> & Partial<ContentRuleView> & { Removed: boolean }> {
  const ruleId = optionalInt(q.RuleId, 'RuleId', { min: 1 });
  if ((ruleId === undefined) === (q.Pattern === undefined)) throw badInput('give one of [RuleId] and [Pattern]');
  let rule: StoredContentRule | undefined;
  let accountId: number;
  if (ruleId !== undefined) {
    // An operator naming no account may lift a rule of any account by its id.
    const anyAccount = isOperator(ctx.actor) && q.AccountId === undefined;
    accountId = anyAccount ? PLATFORM : await ruleScope(ctx, q.AccountId, 'manage-users');
    rule = await getContentRule(ctx.db, ruleId, anyAccount ? undefined : [accountId]);
    if (!rule) throw notFound(`no blocked word or pattern ${ruleId}${anyAccount ? '' : accountId === PLATFORM ? ' platform-wide' : ` in account ${accountId}`}`);
    if (rule.isRegex && !isOperator(ctx.actor)) throw regexOnlyForOperators();
    accountId = rule.accountId;
    rule = await removeContentRule(ctx.db, { id: rule.id, accountId });
  } else {
    accountId = await ruleScope(ctx, q.AccountId, 'manage-users');
    const isRegex = regexFlag(ctx, q.Regex);
    const raw = requiredString(q.Pattern, 'Pattern', MAX_INPUT_CHARS);
    // A rule stored before a stricter check is still found by what was stored.
    const checked = checkPattern(raw, isRegex);
    rule = await removeContentRule(ctx.db, { accountId, pattern: checked.ok ? checked.pattern : raw, isRegex });
    if (!rule) {
      await audit(ctx.db, ctx.actor, 'content.unblock', raw, accountId === PLATFORM ? null : accountId, { Regex: isRegex, Removed: false });
      return { AccountId: accountId, Pattern: checked.ok ? checked.pattern : raw, Regex: isRegex, Removed: false };
    }
  }
  if (!rule) throw notFound(`no blocked word or pattern ${ruleId}`); // removed meanwhile by someone else
  await audit(ctx.db, ctx.actor, 'content.unblock', rule.pattern, accountId === PLATFORM ? null : accountId, { RuleId: rule.id, Regex: rule.isRegex, Removed: true });
  return { ...outRule(ctx, rule), Removed: true };
}

/**
 * The rules: for an operator, the platform-wide ones, plus the account's when it names one; for a
 * customer user, the platform-wide ones and its account's (every rule its texts are checked against).
 */
export async function listContentRules(ctx: OperatorContext, q: { AccountId?: number }): Promise<{ Rules: ContentRuleView[] }> {
  const accountId = await ruleScope(ctx, q.AccountId, 'read');
  const rules = await storeListContentRules(ctx.db, accountId === PLATFORM ? [PLATFORM] : [PLATFORM, accountId]);
  return { Rules: rules.map((r) => outRule(ctx, r)) };
}

/** The first rule (platform-wide or the account's) that `text` breaks, read from the database now. */
export async function brokenContentRule(db: Db, accountId: number, text: string): Promise<ContentRule | undefined> {
  return ContentMatcher.compile(await rulesForAccount(db, accountId)).find(text);
}

/** Refuses a template text that breaks a rule, naming it (the operator side of the API's 18023). */
export async function refuseBlockedTemplate(db: Db, accountId: number, text: string): Promise<void> {
  const broken = await brokenContentRule(db, accountId, text);
  if (broken) throw badInput(`Template contains the blocked ${describeRule(broken)}`);
}
