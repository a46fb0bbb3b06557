import { resolve } from 'node:path';
import { DEFAULT_OPT_IN_WORDS, DEFAULT_OPT_OUT_WORDS, replyWords } from './compliance/opt-out.ts';

/** One typed configuration: explicit overrides > environment (USMS_*) > defaults. */
export interface Config {
  host: string;
  port: number;
  /**
   * How carriers' providers reach this service (USMS_PUBLIC_URL, no trailing slash): receipt webhooks are
   * this + /carriers/<name>/receipts. Unset: the node's own listening address.
   */
  publicUrl: string;
  dataDir: string;
  /** postgres://... switches to PostgreSQL; unset means SQLite under dataDir. */
  databaseUrl?: string;
  /** PostgreSQL connection pool size per process. */
  dbPoolSize: number;
  /** Run database migrations when a process opens the database. */
  migrateOnStart: boolean;
  masterKey?: string;
  logLevel: string;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Requests per second per API key (token bucket, burst = 2x); 0 disables. */
  rateLimitPerKey: number;
  /** Console login tries per client address per minute, on each node. */
  consoleLoginsPerMinute: number;
  /** HTTP threads of an API process, each on the same listening socket (http/http-threads.ts). */
  httpThreads: number;
  /** The SMPP server for customers (src/smpp-server/): off unless USMS_SMPP_PORT is set; TLS with a certificate and key. */
  smpp?: { port: number; host: string; tlsCert?: string; tlsKey?: string };
  /** Allowed clock difference for X-Timestamp, in seconds. */
  timestampSkewSeconds: number;
  /** SQLite `synchronous`: 'full' survives power loss, 'normal' survives process crashes. */
  sqliteSynchronous: 'full' | 'normal';
  /** How much of the SQLite file each connection maps (MB; 0 = read with system calls). Mapped pages count in RSS. */
  sqliteMmapMb?: number;
  /**
   * false: this process's SQLite connections leave WAL checkpoints to its checkpoint thread
   * (store/checkpoint-thread.ts; the server sets it). Default: SQLite's own, on commit.
   */
  sqliteAutoCheckpoint?: boolean;
  /** A diagnostic: every SQLite connection appends its time per statement shape to this file (store/sql-profile.ts). */
  sqlProfileFile?: string;
  createDemoAccount: boolean;
  /** What this process does: the HTTP API, delivery, or both (one-machine default). */
  role: 'all' | 'api' | 'worker';
  /** Run delivery workers in this process (false for role api). */
  runWorkers: boolean;
  workerBatchSize: number;
  leaseMs: number;
  pollMs: number;
  /** Messages in a final state older than this many days are pruned (0 keeps them forever). */
  retentionDays: number;
  /** A message sent but without a receipt after this long becomes `unknown`. */
  receiptTimeoutSeconds: number;
  /** How often the delivery thread re-reads the carriers table (carriers added/removed while running). */
  carrierPollMs: number;
  sandbox: SandboxConfig;
  /** Undelivered PullUSMSReport reports are kept this long. */
  reportRetentionHours: number;
  /** Pushes to customers' callback URLs (src/notify/). */
  callbacks: CallbackConfig;
  /** An inbound reply that is exactly one of these blacklists its phone for the account (compliance/opt-out.ts). */
  optOutWords: string[];
  /** ...and one of these takes an opt-out off again. */
  optInWords: string[];
}

export interface CallbackConfig {
  /** Items per request. */
  batchSize: number;
  /** Largest request body in bytes (a batch is cut to fit). */
  maxBodyBytes: number;
  timeoutMs: number;
  /** A push is failed after this many attempts or this age, whichever comes first. */
  maxAttempts: number;
  maxAgeSeconds: number;
  /** Exponential backoff: base * 2^(attempt-1), capped. */
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
}

export interface SandboxConfig {
  receiptDelayMs: number;
  /** Suffix rules: a number ending in `suffix` gets `outcome` ('none' = no receipt). */
  rules: Array<{ suffix: string; outcome: string }>;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const config: Config = {
    host: env.USMS_HOST ?? '127.0.0.1',
    port: int(env.USMS_PORT, 8080, 'USMS_PORT'),
    publicUrl: (env.USMS_PUBLIC_URL ?? '').replace(/\/+$/, ''),
    dataDir: resolve(env.USMS_DATA_DIR ?? './data'),
    databaseUrl: env.USMS_DATABASE_URL || undefined,
    dbPoolSize: int(env.USMS_DB_POOL, 10, 'USMS_DB_POOL'),
    migrateOnStart: env.USMS_MIGRATE !== '0',
    masterKey: env.USMS_MASTER_KEY || undefined,
    logLevel: env.USMS_LOG_LEVEL ?? 'info',
    bodyLimit: int(env.USMS_BODY_LIMIT, 2 * 1024 * 1024, 'USMS_BODY_LIMIT'),
    rateLimitPerKey: int(env.USMS_RATE_LIMIT, 2000, 'USMS_RATE_LIMIT'),
    consoleLoginsPerMinute: Math.max(1, int(env.USMS_CONSOLE_LOGIN_RATE, 10, 'USMS_CONSOLE_LOGIN_RATE')),
    httpThreads: Math.max(1, int(env.USMS_HTTP_THREADS, 1, 'USMS_HTTP_THREADS')),
    smpp: env.USMS_SMPP_PORT
      ? {
          port: int(env.USMS_SMPP_PORT, 2775, 'USMS_SMPP_PORT'),
          host: env.USMS_SMPP_HOST ?? env.USMS_HOST ?? '127.0.0.1',
          tlsCert: env.USMS_SMPP_TLS_CERT ? resolve(env.USMS_SMPP_TLS_CERT) : undefined,
          tlsKey: env.USMS_SMPP_TLS_KEY ? resolve(env.USMS_SMPP_TLS_KEY) : undefined,
        }
      : undefined,
    timestampSkewSeconds: int(env.USMS_TIMESTAMP_SKEW, 300, 'USMS_TIMESTAMP_SKEW'),
    sqliteSynchronous: env.USMS_SQLITE_SYNC === 'normal' ? 'normal' : 'full',
    sqliteMmapMb: int(env.USMS_SQLITE_MMAP_MB, 256, 'USMS_SQLITE_MMAP_MB'),
    sqlProfileFile: env.USMS_SQL_PROFILE ? resolve(env.USMS_SQL_PROFILE) : undefined,
    createDemoAccount: env.USMS_DEMO !== '0',
    role: role(env.USMS_ROLE),
    runWorkers: env.USMS_WORKERS !== '0' && env.USMS_ROLE !== 'api',
    workerBatchSize: int(env.USMS_WORKER_BATCH, 500, 'USMS_WORKER_BATCH'),
    leaseMs: int(env.USMS_LEASE_MS, 30_000, 'USMS_LEASE_MS'),
    pollMs: int(env.USMS_POLL_MS, 200, 'USMS_POLL_MS'),
    retentionDays: int(env.USMS_RETENTION_DAYS, 90, 'USMS_RETENTION_DAYS'),
    receiptTimeoutSeconds: int(env.USMS_RECEIPT_TIMEOUT, 72 * 3600, 'USMS_RECEIPT_TIMEOUT'),
    carrierPollMs: Math.max(50, int(env.USMS_CARRIER_POLL_MS, 3_000, 'USMS_CARRIER_POLL_MS')),
    sandbox: {
      receiptDelayMs: int(env.USMS_SANDBOX_RECEIPT_DELAY_MS, 200, 'USMS_SANDBOX_RECEIPT_DELAY_MS'),
      rules: parseRules(env.USMS_SANDBOX_RULES ?? '0000=UNDELIV,0001=none'),
    },
    reportRetentionHours: int(env.USMS_REPORT_RETENTION_HOURS, 72, 'USMS_REPORT_RETENTION_HOURS'),
    callbacks: {
      batchSize: Math.max(1, int(env.USMS_CALLBACK_BATCH, 100, 'USMS_CALLBACK_BATCH')),
      maxBodyBytes: Math.max(4096, int(env.USMS_CALLBACK_MAX_BODY, 256 * 1024, 'USMS_CALLBACK_MAX_BODY')),
      timeoutMs: Math.max(1, int(env.USMS_CALLBACK_TIMEOUT_MS, 5_000, 'USMS_CALLBACK_TIMEOUT_MS')),
      maxAttempts: Math.max(1, int(env.USMS_CALLBACK_MAX_ATTEMPTS, 12, 'USMS_CALLBACK_MAX_ATTEMPTS')),
      maxAgeSeconds: int(env.USMS_CALLBACK_MAX_AGE, 24 * 3600, 'USMS_CALLBACK_MAX_AGE'),
      retryBaseMs: Math.max(1, int(env.USMS_CALLBACK_RETRY_BASE_MS, 1_000, 'USMS_CALLBACK_RETRY_BASE_MS')),
      retryMaxMs: Math.max(1, int(env.USMS_CALLBACK_RETRY_MAX_MS, 600_000, 'USMS_CALLBACK_RETRY_MAX_MS')),
      pollMs: Math.max(10, int(env.USMS_CALLBACK_POLL_MS, 1_000, 'USMS_CALLBACK_POLL_MS')),
    },
    optOutWords: wordList(env.USMS_OPT_OUT_WORDS, DEFAULT_OPT_OUT_WORDS),
    optInWords: wordList(env.USMS_OPT_IN_WORDS, DEFAULT_OPT_IN_WORDS),
    ...overrides,
  };
  try {
    replyWords(config.optOutWords, config.optInWords);
  } catch (err) {
    throw new Error(`USMS_OPT_OUT_WORDS / USMS_OPT_IN_WORDS: ${(err as Error).message}`);
  }
  if (config.smpp && Boolean(config.smpp.tlsCert) !== Boolean(config.smpp.tlsKey)) {
    throw new Error('USMS_SMPP_TLS_CERT and USMS_SMPP_TLS_KEY go together: set both for SMPP over TLS, or neither');
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('USMS_DATABASE_URL must be a postgres:// URL (unset it to use the embedded SQLite)');
  }
  return config;
}

function role(raw: string | undefined): Config['role'] {
  if (raw === undefined || raw === '' || raw === 'all') return 'all';
  if (raw === 'api' || raw === 'worker') return raw;
  throw new Error(`USMS_ROLE must be all, api or worker, got "${raw}"`);
}

function int(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** A comma-separated list that replaces the defaults when set. */
function wordList(raw: string | undefined, fallback: readonly string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [...fallback];
  return raw.split(',').map((w) => w.trim()).filter(Boolean);
}

function parseRules(raw: string): SandboxConfig['rules'] {
  return raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((rule) => {
      const [suffix, outcome] = rule.split('=');
      if (!suffix || !/^\d+$/.test(suffix) || !outcome) throw new Error(`USMS_SANDBOX_RULES: bad rule "${rule}" (want digits=OUTCOME)`);
      return { suffix, outcome: outcome.toUpperCase() === 'NONE' ? 'none' : outcome.toUpperCase() };
    });
}
