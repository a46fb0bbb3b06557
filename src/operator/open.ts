import { SecretBox } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { openDatabase } from '../store/db.ts';
import type { Actor } from './actor.ts';
import type { OperatorContext } from './context.ts';

/**
 * An OperatorContext for a process of its own (the CLI): the database the configuration names, and
 * the master key, read (or on a new data dir created) only when a call seals or opens a secret.
 */
export async function openOperatorContext(config: Config, actor: Actor): Promise<OperatorContext & { close(): Promise<void> }> {
  const db = await openDatabase(config);
  let box: SecretBox | undefined;
  return {
    db,
    actor,
    get box() {
      return (box ??= SecretBox.open(config.dataDir, config.masterKey));
    },
    close: () => db.destroy(),
  };
}

/** Runs `fn` with an OperatorContext, closing the database afterwards. */
export async function withOperatorContext<T>(config: Config, actor: Actor, fn: (ctx: OperatorContext) => Promise<T>): Promise<T> {
  const ctx = await openOperatorContext(config, actor);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
