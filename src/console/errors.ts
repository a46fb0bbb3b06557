import type { FastifyReply } from 'fastify';
import { OperatorError } from '../operator/actor.ts';

/** The console's failure answer: `{Error: {Code, Message}}` with the HTTP status of the README's table. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<OperatorError['kind'], number> = { 'bad-input': 400, forbidden: 403, 'not-found': 404, conflict: 409 };

export function sendConsoleError(reply: FastifyReply, err: unknown, log: { error(obj: object, msg: string): void }): FastifyReply {
  if (err instanceof ConsoleError) return reply.code(err.status).send({ Error: { Code: err.code, Message: err.message, ...err.extra } });
  if (err instanceof OperatorError) return reply.code(STATUS[err.kind]).send({ Error: { Code: err.kind, Message: err.message } });
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send({ Error: { Code: 'bad-input', Message: (err as Error).message } });
  }
  log.error({ err }, 'console request failed');
  return reply.code(500).send({ Error: { Code: 'internal', Message: 'the server failed to answer; the error is in its log' } });
}
