import type { Db } from '../store/db.ts';
import { ContentMatcher } from '../compliance/content-rules.ts';
import { rulesForAccount } from '../store/content-rules.ts';

/** How long a compiled matcher is used before the rules are read again: the longest a change takes to bite. */
export const CONTENT_RULES_TTL_MS = 1_000;

/**
 * The rules that apply to an account (platform-wide plus its own), compiled, reloaded at most once a
 * second: rules change without a restart, on every node, at the cost of one query a second per sending
 * account. The promise is cached, so concurrent requests share one load; a failed load is dropped.
 */
export class ContentRulesCache {
  private matchers = new Map<number, { value: Promise<ContentMatcher>; until: number }>();

  constructor(private readonly db: Db) {}

  forAccount(accountId: number): Promise<ContentMatcher> {
    const now = Date.now();
    const hit = this.matchers.get(accountId);
    if (hit && hit.until > now) return hit.value;
    const value = rulesForAccount(this.db, accountId).then((rules) => ContentMatcher.compile(rules));
    const entry = { value, until: now + CONTENT_RULES_TTL_MS };
    this.matchers.set(accountId, entry);
    value.catch(() => {
      if (this.matchers.get(accountId) === entry) this.matchers.delete(accountId);
    });
    return value;
  }
}
