import { login, logout, resetPassword } from '../../operator/auth.ts';
import { changeOwnPassword, setLanguage } from '../../operator/users.ts';
import { ConsoleError } from '../errors.ts';
import { SESSION_COOKIE, type ConsoleKit } from '../kit.ts';

/** Login, logout, who am I, language, own password, password reset by link. */
export function registerSessionRoutes(kit: ConsoleKit): void {
  const { services, open, router } = kit;

  open.post('/login', async ({ req, reply, body }) => {
    const wait = kit.limiter.take(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new ConsoleError(429, 'rate-limited', 'too many login tries from your address; wait a minute', { RetryAfter: Math.ceil(wait / 1000) });
    }
    const result = await login(services.db, body.Email, body.Password);
    if (!result.ok) {
      if (result.reason === 'locked') {
        const seconds = Math.ceil(result.retryAfterMs / 1000);
        reply.header('retry-after', String(seconds));
        throw new ConsoleError(423, 'locked', 'too many wrong passwords: this user is locked for a while', { RetryAfter: seconds });
      }
      if (result.reason === 'disabled') throw new ConsoleError(403, 'forbidden', 'this user is disabled; ask your account admin');
      throw new ConsoleError(401, 'bad-credentials', 'wrong email or password');
    }
    kit.setSessionCookie(req, reply, result.token);
    return { User: result.user, Csrf: result.csrf };
  });

  router.post('/logout', async ({ req, reply }) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await logout(services.db, token);
    kit.setSessionCookie(req, reply, undefined);
    return { LoggedOut: true };
  });

  router.get('/me', async ({ session }) => ({ User: session.user, Csrf: session.csrf }));
  router.put('/me/language', async ({ op, body }) => setLanguage(op, body.Language));
  router.post('/me/password', async ({ op, body }) => changeOwnPassword(op, body.Current, body.Password));
  open.post('/reset', async ({ req, body }) => {
    if (kit.limiter.take(req.ip) > 0) throw new ConsoleError(429, 'rate-limited', 'too many tries from your address; wait a minute');
    return resetPassword(services.db, body.Token, body.Password);
  });
}
