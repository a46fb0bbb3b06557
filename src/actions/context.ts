import type { SecretBox } from '../auth/secrets.ts';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import type { SessionWriter } from '../store/sessions.ts';
import type { Lookups } from './lookups.ts';
import type { ContentRulesCache } from './content-rules-cache.ts';
import type { PriceBook } from './price-book.ts';
import type { SendPolicy } from './send-policy.ts';
import type { Metrics } from '../http/metrics.ts';

export type Dialect = 'ucloud' | 'uspeedo' | 'rest';

/** The authenticated caller; every query an action makes is scoped to `accountId`. */
export interface Caller {
  accountId: number;
  projectId: string;
  region: string;
  publicKey: string;
}

export interface Services {
  config: Config;
  db: Db;
  writer: SessionWriter;
  lookups: Lookups;
  /** Seals and opens secrets at rest (carriers' webhook secrets). */
  box: SecretBox;
  /** Blocked words and patterns (platform-wide and the account's). */
  contentRules: ContentRulesCache;
  /** Per-phone send limits, country allow-lists, pumping alarms. */
  sendPolicy: SendPolicy;
  prices: PriceBook;
  metrics: Metrics;
  log: Logger;
}

export interface ActionContext {
  caller: Caller;
  dialect: Dialect;
  reqUuid: string;
  services: Services;
}

/** An action handler: the normalised params in, the answer fields (beyond RetCode/Action/Message) out. Throws UsmsError. */
export type ActionHandler = (ctx: ActionContext, params: Record<string, unknown>) => Promise<ActionAnswer>;

export interface ActionAnswer {
  retCode?: number;
  message?: string;
  fields: Record<string, unknown>;
}
