import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { ContentRulesCache } from './content-rules-cache.ts';
import { PriceBook } from './price-book.ts';
import { SendPolicy } from './send-policy.ts';

/** The per-account rules a send is checked against, each with its own short-lived cache. */
export function sendGuards(db: Db, log?: Pick<Logger, 'warn'>) {
  return { contentRules: new ContentRulesCache(db), sendPolicy: new SendPolicy(db, log), prices: new PriceBook(db) };
}
