import { RetCode } from '../sms/errors.ts';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { Services } from '../actions/context.ts';
import type { Config } from '../config.ts';
import { DATA_FILE_MODE, makeDataDir } from '../store/data-dir.ts';
import { revokeKey } from '../store/keys.ts';

/** The operator's bearer token for /operator/* endpoints: USMS_OPERATOR_TOKEN, else `<dataDir>/operator.token`. */
export function operatorToken(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, 'operator.token');
  if (!existsSync(file)) {
    makeDataDir(dataDir);
    try {
      writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: DATA_FILE_MODE, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** The token a server on this data dir uses, without creating one: undefined when there is none yet. */
export function existingOperatorToken(dataDir: string, given?: string): string | undefined {
  if (given) return given;
  try {
    return readFileSync(join(dataDir, 'operator.token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The answer to an /operator request that is refused: a RetCode like every other answer (170 no operator
 * token, 171 a wrong one) and the HTTP status an operator's tools expect.
 */
export function operatorTokenRefusal(authorization: string | undefined): { RetCode: number; Message: string } {
  return authorization
    ? { RetCode: RetCode.SignatureInvalid, Message: 'wrong operator token' }
    : { RetCode: RetCode.MissingSignature, Message: 'operator token required (Authorization: Bearer ...)' };
}

export function sameToken(expected: string, authorization: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(m[1]!);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How long a revocation waits for the other HTTP threads to confirm they dropped the key. */
const FORGET_TIMEOUT_MS = 1_000;

/** Drops a revoked key from every key cache of this process; answers how many other threads confirmed. */
export type KeyForgetter = (publicKey: string) => Promise<number>;

type KeyMessage = { type: 'revoked'; id: string; publicKey: string } | { type: 'forgot'; id: string };

/**
 * The channel every HTTP thread of this process serving the same database listens on
 * (a BroadcastChannel reaches every thread of the process that opened one with the same name).
 */
function keysChannelName(config: Pick<Config, 'dataDir' | 'databaseUrl'>): string {
  return `usms:keys:${config.databaseUrl ?? config.dataDir}`;
}

/**
 * `POST /operator/keys/revoke` `{"AccountId": 60000001, "PublicKey": "AK..."}` with the operator token:
 * revokes the key in the database, then drops it from the key cache of every HTTP thread of this
 * process and answers once they all confirmed (at most FORGET_TIMEOUT_MS): the next request with the
 * key, on any thread, answers 172. Other processes stop accepting it within KEY_TTL_MS (actions/lookups.ts).
 * Also listens for revocations made by the other threads.
 */
export function registerOperatorKeyRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, services: Services, token: string): KeyForgetter {
  const channel = new BroadcastChannel(keysChannelName(services.config));
  // The channel must not keep a stopping thread alive.
  (channel as unknown as { unref(): void }).unref();
  const confirming = new Map<string, () => void>();
  channel.onmessage = (event) => {
    const msg = (event as { data: KeyMessage }).data;
    if (msg.type === 'revoked') {
      services.lookups.forgetKey(msg.publicKey);
      channel.postMessage({ type: 'forgot', id: msg.id } satisfies KeyMessage);
    } else if (msg.type === 'forgot') confirming.get(msg.id)?.();
  };
  app.addHook('onClose', async () => channel.close());
  // The other HTTP threads of this process; a worker-only node has no key caches.
  const others = services.config.role === 'worker' ? 0 : Math.max(0, services.config.httpThreads - 1);

  app.post('/operator/keys/revoke', async (req, reply) => {
    if (!sameToken(token, req.headers.authorization)) return reply.code(401).send(operatorTokenRefusal(req.headers.authorization));
    const body = req.body as Record<string, unknown> | undefined;
    const accountId = Number(body && typeof body === 'object' ? body.AccountId : undefined);
    const publicKey = body && typeof body === 'object' ? body.PublicKey : undefined;
    if (!Number.isInteger(accountId) || accountId <= 0 || typeof publicKey !== 'string' || publicKey === '') {
      return reply.code(400).send({ RetCode: RetCode.InvalidParameter, Message: 'send a JSON body {"AccountId": <number>, "PublicKey": "AK..."}' });
    }
    if (!(await revokeKey(services.db, accountId, publicKey))) return reply.code(404).send({ RetCode: RetCode.AccountNotFound, Message: `no key ${publicKey} in account ${accountId}` });
    const confirmed = await forget(publicKey);
    return { RetCode: 0, Message: 'revoked', Revoked: publicKey, AccountId: accountId, Threads: confirmed + 1 };
  });

  async function forget(publicKey: string): Promise<number> {
    services.lookups.forgetKey(publicKey);
    const confirmed = await forgetEverywhere(publicKey);
    if (confirmed < others) services.log.warn({ confirmed, threads: others }, 'not every HTTP thread confirmed a key revocation in time; the rest stop accepting the key within 1 s');
    return confirmed;
  }
  return forget;

  function forgetEverywhere(publicKey: string): Promise<number> {
    if (others === 0) return Promise.resolve(0);
    const id = randomUUID();
    return new Promise((resolve) => {
      let confirmed = 0;
      const done = () => {
        clearTimeout(timer);
        confirming.delete(id);
        resolve(confirmed);
      };
      const timer = setTimeout(done, FORGET_TIMEOUT_MS);
      confirming.set(id, () => {
        if (++confirmed >= others) done();
      });
      channel.postMessage({ type: 'revoked', id, publicKey } satisfies KeyMessage);
    });
  }
}
