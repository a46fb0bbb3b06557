import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperatorContext } from '../operator/context.ts';
import type { ActiveSession } from '../operator/auth.ts';
import { ConsoleError } from './errors.ts';

/** What a console API handler gets: the operator context of the logged-in user and the parsed input. */
export interface RouteInput {
  req: FastifyRequest;
  reply: FastifyReply;
  op: OperatorContext;
  session: ActiveSession;
  body: Record<string, unknown>;
  query: Record<string, string>;
  params: Record<string, string>;
}

export type Handler = (c: RouteInput) => Promise<unknown>;

export interface ConsoleRouter {
  get(path: string, fn: Handler): void;
  post(path: string, fn: Handler): void;
  put(path: string, fn: Handler): void;
  delete(path: string, fn: Handler): void;
}

/** A JSON body must be one object; an empty body is an empty object. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body) || Object.getPrototypeOf(body) !== Object.prototype) {
    throw new ConsoleError(400, 'bad-input', 'send a JSON object as the body');
  }
  return body as Record<string, unknown>;
}

/** `?account=` or a body's `AccountId`: a positive integer, or undefined when not given. */
export function accountParam(c: Pick<RouteInput, 'query' | 'body'>): number | undefined {
  const raw = c.query.account ?? c.body.AccountId;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConsoleError(400, 'bad-input', 'account: give an account id (a positive integer)');
  return n;
}

/** An integer query or path value, or undefined when absent. */
export function intParam(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new ConsoleError(400, 'bad-input', `${name}: give an integer`);
  return n;
}

export function routerOn(scope: FastifyInstance, wrap: (fn: Handler) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): ConsoleRouter {
  const at = (path: string) => `/api${path}`;
  return {
    get: (path, fn) => void scope.get(at(path), wrap(fn)),
    post: (path, fn) => void scope.post(at(path), wrap(fn)),
    put: (path, fn) => void scope.put(at(path), wrap(fn)),
    delete: (path, fn) => void scope.delete(at(path), wrap(fn)),
  };
}
