import fastifyCookie from '@fastify/cookie';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { activeSession, type ActiveSession } from '../operator/auth.ts';
import { ConsoleAssets, type Asset } from './assets.ts';
import { ConsoleError, sendConsoleError } from './errors.ts';
import { LoginLimiter } from './login-limiter.ts';
import { bodyObject, routerOn, type Handler } from './router.ts';
import { SESSION_COOKIE, type ConsoleDeps, type ConsoleKit } from './kit.ts';
import { registerSessionRoutes } from './routes/session-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerSendingRoutes } from './routes/sending-routes.ts';
import { registerAccountRoutes } from './routes/account-routes.ts';
import { registerPlatformRoutes } from './routes/platform-routes.ts';
import { registerMoneyRoutes } from './routes/money-routes.ts';
import { registerComplianceRoutes } from './routes/compliance-routes.ts';
import { registerSmppRoutes } from './routes/smpp-routes.ts';

const MAX_CSV_BYTES = 16 * 1024 * 1024;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The console at /console: its page, the vendor modules, and its JSON API (src/console/README.md). */
export function registerConsole<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, deps: ConsoleDeps): void {
  const { services } = deps;
  app.register(
    async (typed) => {
      // The routes need nothing of the app's logger type.
      const scope = typed as unknown as FastifyInstance;
      await scope.register(fastifyCookie);
      scope.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_req, body, done) => done(null, String(body)));
      scope.setErrorHandler((err, _req, reply) => sendConsoleError(reply, err, services.log));
      scope.setNotFoundHandler((req, reply) => reply.code(404).send({ Error: { Code: 'not-found', Message: `no console route ${req.method} ${req.url.split('?')[0]}` } }));
      scope.addHook('onSend', async (req, reply) => {
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'no-referrer');
        if (req.url.startsWith('/console/api/')) reply.header('cache-control', 'no-store');
      });

      const assets = new ConsoleAssets(services.config.logLevel === 'debug');
      const send = (reply: FastifyReply, req: FastifyRequest, a: Asset | undefined, cache: string) => {
        if (!a) return reply.code(404).send({ Error: { Code: 'not-found', Message: 'no such file' } });
        reply.header('etag', a.etag).header('cache-control', cache).type(a.type);
        if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
        return reply.send(a.body);
      };
      const page = async (req: FastifyRequest, reply: FastifyReply) => {
        reply.header('content-security-policy', CSP);
        return send(reply, req, assets.page(), 'no-cache');
      };
      scope.get('/', page);
      scope.get('/vendor/:name', async (req, reply) => send(reply, req, assets.vendorAsset((req.params as { name: string }).name), 'public, max-age=86400'));
      scope.get('/app/*', async (req, reply) => send(reply, req, assets.appAsset((req.params as { '*': string })['*']), 'no-cache'));

      const box = SecretBox.open(services.config.dataDir, services.config.masterKey);
      const sessionOf = async (req: FastifyRequest): Promise<ActiveSession> => {
        const token = req.cookies[SESSION_COOKIE];
        const session = token ? await activeSession(services.db, token) : undefined;
        if (!session) throw new ConsoleError(401, 'unauthenticated', 'log in first (no session, or it expired)');
        return session;
      };
      const wrap = (needsSession: boolean) => (fn: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
        const write = req.method !== 'GET' && req.method !== 'HEAD';
        if (write) checkOrigin(req);
        const session = needsSession ? await sessionOf(req) : undefined;
        if (session && write && !sameCsrf(session.csrf, req.headers['x-csrf-token'])) {
          throw new ConsoleError(403, 'csrf', 'send the X-CSRF-Token header of your session with every change');
        }
        const input = {
          req,
          reply,
          session: session!,
          op: { db: services.db, box, actor: session?.actor ?? { userId: null, email: 'anonymous', role: 'viewer' as const, accountId: null } },
          body: typeof req.body === 'string' ? {} : bodyObject(req.body),
          query: (req.query ?? {}) as Record<string, string>,
          params: (req.params ?? {}) as Record<string, string>,
        };
        return fn(input);
      };
      const kit: ConsoleKit = {
        ...deps,
        box,
        router: routerOn(scope, wrap(true)),
        open: routerOn(scope, wrap(false)),
        limiter: new LoginLimiter(services.config.consoleLoginsPerMinute),
        setSessionCookie(req, reply, token) {
          const secure = req.protocol === 'https';
          if (token === undefined) reply.clearCookie(SESSION_COOKIE, { path: '/console', httpOnly: true, sameSite: 'strict', secure });
          else reply.setCookie(SESSION_COOKIE, token, { path: '/console', httpOnly: true, sameSite: 'strict', secure });
        },
      };
      registerSessionRoutes(kit);
      registerUserRoutes(kit);
      registerSendingRoutes(kit);
      registerAccountRoutes(kit);
      registerPlatformRoutes(kit);
      registerMoneyRoutes(kit);
      registerComplianceRoutes(kit);
      registerSmppRoutes(kit);
    },
    { prefix: '/console' },
  );
}

function sameCsrf(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A browser's cross-site write names another origin: refused before anything else (besides SameSite and the token). */
function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== req.headers.host) throw new ConsoleError(403, 'csrf', 'a change from another site is refused');
}
