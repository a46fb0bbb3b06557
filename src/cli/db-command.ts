import type { Config } from '../config.ts';
import { requireAccount } from '../store/accounts.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { envLines, printResult } from './output.ts';

export type CliOpts = Record<string, string | boolean | undefined> & { json?: boolean; env?: boolean };

/** A command action that runs `fn` with the database open and prints its result (one JSON object with --json, export lines with --env). */
export const withDatabase =
  <O extends { json?: boolean; env?: boolean } = CliOpts>(config: () => Config, fn: (db: Db, opts: O, cfg: Config) => Promise<unknown>) =>
  async (opts: O) => {
    const cfg = config();
    const db = await openDatabase(cfg);
    try {
      const result = await fn(db, opts, cfg);
      if (opts.env) process.stdout.write(envLines(result) + '\n');
      else printResult(result, Boolean(opts.json));
    } finally {
      await db.destroy();
    }
  };

/** `--account`, checked to be a number. */
export function accountIdOption(opts: CliOpts): number {
  const id = Number(opts.account);
  if (!Number.isInteger(id) || id <= 0) throw new Error('--account must be a numeric AccountId');
  return id;
}

/** `--account`, checked to name an existing account. */
export async function accountOf(db: Db, opts: CliOpts): Promise<number> {
  return (await requireAccount(db, accountIdOption(opts))).id;
}
