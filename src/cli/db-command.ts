import type { Config } from '../config.ts';
import { CLI_ACTOR } from '../operator/actor.ts';
import type { OperatorContext } from '../operator/context.ts';
import { withOperatorContext } from '../operator/open.ts';
import { cliError } from './errors.ts';
import { envLines, printResult } from './output.ts';

export type CliOpts = Record<string, string | boolean | undefined> & { json?: boolean; env?: boolean };

/**
 * A command action that runs `fn` as the CLI operator on the configured database and prints its result
 * (one JSON object with --json, export lines with --env). Operator refusals name the flags.
 */
export const withOperator =
  <O extends { json?: boolean; env?: boolean } = CliOpts>(config: () => Config, fn: (ctx: OperatorContext, opts: O, cfg: Config) => Promise<unknown>) =>
  async (opts: O) => {
    const cfg = config();
    let result: unknown;
    try {
      result = await withOperatorContext(cfg, CLI_ACTOR, (ctx) => fn(ctx, opts, cfg));
    } catch (err) {
      throw cliError(err);
    }
    if (opts.env) process.stdout.write(envLines(result) + '\n');
    else printResult(result, Boolean(opts.json));
  };

/** `--account`, checked to be a number. */
export function accountIdOption(opts: CliOpts): number {
  const id = Number(opts.account);
  if (!Number.isInteger(id) || id <= 0) throw new Error('--account must be a numeric AccountId');
  return id;
}
