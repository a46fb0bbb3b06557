import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../actions/context.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { IdempotencyGuard } from '../http/idempotency.ts';
import type { KeyForgetter } from '../http/operator.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { ConsoleRouter } from './router.ts';

export const SESSION_COOKIE = 'usms_console';

export interface ConsoleDeps {
  services: Services;
  idem: IdempotencyGuard;
  forgetKey: KeyForgetter;
}

/** What the route files share. */
export interface ConsoleKit extends ConsoleDeps {
  box: SecretBox;
  router: ConsoleRouter;
  /** Routes that need no session (login, reset); they still get CSRF-free JSON handling. */
  open: ConsoleRouter;
  limiter: LoginLimiter;
  setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string | undefined): void;
}
