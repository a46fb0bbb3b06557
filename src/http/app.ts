import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Services } from '../actions/context.ts';
import { RetCode, UsmsError, toRestV1Code } from '../sms/errors.ts';
import { sandboxInbox } from '../store/inbox.ts';
import { MAX_PARAMS, NUL_PROBLEM, holdsNul, parseBoundedJson, queryParamCount } from './bounded-json.ts';
import { actionLabel, errorAnswer, type Answer } from './dispatch.ts';
import { formToObject } from './dialects/params.ts';
import { IdempotencyGuard, idempotencyKeyHeader, isReplay, keyedRest } from './idempotency.ts';
import { restCaller, restReceipts, restSendBatch } from './dialects/rest-v1.ts';
import { restCreateTemplate, restDeleteTemplates, restQueryTemplates, restUpdateTemplate } from './dialects/rest-templates.ts';
import { ucloudParams, ucloudRequest } from './dialects/ucloud.ts';
import { uspeedoRequest } from './dialects/uspeedo.ts';
import { registerDocs } from './docs.ts';
import { NonceCache } from './nonces.ts';
import { RateLimiter } from './rate-limit.ts';
import { operatorTokenRefusal, registerOperatorKeyRoutes, sameToken } from './operator.ts';
import { registerHealthRoutes } from './health.ts';
import { CarrierReceipts } from '../actions/carrier-receipts.ts';
import { registerCarrierReceipts } from './carrier-receipts.ts';
import { registerConsole } from '../console/plugin.ts';

/**
 * A body refused by its parser (not JSON, or over the limits of http/bounded-json.ts): the route answers
 * it with its RetCode (REST v1: 215392), as it answers any other parameter error, not as an HTTP error.
 */
class RefusedBody {
  constructor(readonly error: UsmsError) {}
}

/** A query string over MAX_PARAMS (reachable only with a raised --max-http-header-size), or with a %00: 18003. */
function checkQuery(req: FastifyRequest): void {
  if (queryParamCount(req.query) > MAX_PARAMS) throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter: the query string has more than ${MAX_PARAMS} params`);
  if (req.url.includes('%00') && holdsNul(req.query)) throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter: the query string ${NUL_PROBLEM}`);
}

export interface AppOptions {
  /** false: a worker-only node, serving just /healthz and /metrics. */
  api: boolean;
  limiter?: RateLimiter;
  /** The /metrics text; by default this thread's registry. */
  metricsText?: () => Promise<string>;
}

/** The HTTP app. */
export function buildApp(services: Services, operatorToken: string, opts: AppOptions = { api: true }) {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    // No per-request child logger (a pino child each request, used by nothing): errors log their reqUuid themselves.
    childLoggerFactory: (logger) => logger,
    keepAliveTimeout: 65_000,
    // While closing, requests still arriving on open connections get a RetCode (the onRequest hook below).
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    // A malformed URL path (bad percent-encoding) gets a RetCode like any other bad request.
    frameworkErrors: (err, req, reply) => sendError(err, req, reply),
  });
  const limiter = opts.limiter ?? new RateLimiter(config.rateLimitPerKey);
  const nonces = new NonceCache(config.timestampSkewSeconds * 2000);
  const metricsText = opts.metricsText ?? (() => services.metrics.text());
  const idem = new IdempotencyGuard(services);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    const parsed = parseBoundedJson(text);
    if (parsed.ok) return done(null, parsed.value);
    const code = parsed.reason === 'nul' ? RetCode.InvalidParameter : RetCode.JsonParseError;
    done(null, new RefusedBody(new UsmsError(code, `request body ${parsed.problem}`)));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, formToObject(String(body)));
    } catch (err) {
      done(null, err instanceof UsmsError ? new RefusedBody(err) : err);
    }
  });

  // Shutting down: what still arrives on an open connection is answered "service unavailable" (200;
  // REST v1 215400) and the connection closed, so that the client retries elsewhere.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    const path = req.url.split('?')[0];
    const action = path === '/' || path === '/api';
    const rest = path.startsWith('/api/v1/');
    reply.header('connection', 'close');
    // The action dialects answer HTTP 200 whatever happened; anything else tells a balancer 503.
    return reply.code(action ? 200 : 503).send({
      RetCode: rest ? RetCode.RestServerError : RetCode.ServiceUnavailable,
      Message: 'service unavailable: the server is shutting down, retry the request',
    });
  });

  const actionHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const reqUuid = req.id;
    const keyId = req.headers['x-access-key-id'];
    const dialect = typeof keyId === 'string' ? 'uspeedo' : 'ucloud';
    const query = (req.query ?? {}) as Record<string, unknown>;
    let action: unknown = query.Action;
    let answer: Answer;
    try {
      if (req.body instanceof RefusedBody) throw req.body.error;
      checkQuery(req);
      if (dialect === 'uspeedo') {
        const body = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsmsError(RetCode.JsonParseError, 'request body must be a JSON object');
        action = (body as Record<string, unknown>).Action ?? action;
        answer = await uspeedoRequest(services, limiter, nonces, body as Record<string, unknown>, query.Action, {
          keyId: keyId as string,
          signature: header(req, 'x-signature'),
          timestamp: header(req, 'x-timestamp'),
          nonce: header(req, 'x-nonce'),
          idempotencyKey: idempotencyKeyHeader(req.headers['idempotency-key']),
        }, reqUuid, idem);
      } else {
        const params = ucloudParams(req);
        action = params.Action;
        answer = await ucloudRequest(services, limiter, params, reqUuid, idempotencyKeyHeader(req.headers['idempotency-key']), idem);
      }
    } catch (err) {
      answer = errorAnswer(services, err, { reqUuid, dialect, action: actionLabel(action) });
    }
    services.metrics.requests.inc({ dialect, action: actionLabel(action), retcode: String(answer.RetCode) });
    if (isReplay(answer)) reply.header('idempotent-replayed', 'true');
    // Every outcome is HTTP 200 with a RetCode, as the official SDKs expect.
    return reply.code(200).send(withAction(answer, action));
  };
  if (opts.api) {
    for (const url of ['/', '/api']) {
      app.get(url, actionHandler);
      app.post(url, actionHandler);
    }
  }

  const restHandler = (work: (req: FastifyRequest) => Promise<Record<string, unknown>>, action: string) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      let answer: Record<string, unknown>;
      try {
        if (req.body instanceof RefusedBody) throw new UsmsError(RetCode.RestParameterError, req.body.error.message);
        checkQuery(req);
        answer = await work(req);
      } catch (err) {
        const e = errorAnswer(services, err, { reqUuid: req.id, dialect: 'rest', action });
        answer = { RetCode: toRestV1Code(e.RetCode), Message: e.Message };
      }
      services.metrics.requests.inc({ dialect: 'rest', action, retcode: String(answer.RetCode) });
      const status = answer.RetCode === RetCode.RestBadAccessKey ? 401 : 200;
      if (status === 401) reply.header('www-authenticate', 'Basic realm="usms"');
      if (isReplay(answer)) reply.header('idempotent-replayed', 'true');
      return reply.code(status).send(answer);
    };
  const restContext = async (req: FastifyRequest) => ({
    caller: await restCaller(services, limiter, req.headers.authorization),
    dialect: 'rest' as const,
    reqUuid: req.id,
    services,
  });
  /** A REST route honouring the Idempotency-Key header (http/idempotency.ts). */
  const keyed = async (req: FastifyRequest, action: string, run: (ctx: Awaited<ReturnType<typeof restContext>>) => Promise<Record<string, unknown>>) =>
    keyedRest(idem, req, action, await restContext(req), run, toRestV1Code);
  if (opts.api) app.post('/api/v1/usms/SendBatchUSMSMessage', restHandler((req) => keyed(req, 'SendBatchUSMSMessage', (ctx) => restSendBatch(ctx, req.body)), 'SendBatchUSMSMessage'));
  if (opts.api) app.get('/api/v1/usms/USMSSendReceipt', restHandler(async (req) => restReceipts(await restContext(req), req.query as Record<string, unknown>), 'GetUSMSSendReceipt'));
  if (opts.api) {
    const templates = '/api/v1/usms/USMSTemplate';
    app.post(templates, restHandler((req) => keyed(req, 'CreateUSMSTemplate', (ctx) => restCreateTemplate(ctx, req.body)), 'CreateUSMSTemplate'));
    app.get(templates, restHandler(async (req) => restQueryTemplates(await restContext(req), req.query), 'QueryUSMSTemplate'));
    app.put(templates, restHandler((req) => keyed(req, 'UpdateUSMSTemplate', (ctx) => restUpdateTemplate(ctx, req.body)), 'UpdateUSMSTemplate'));
    app.delete(templates, restHandler((req) => keyed(req, 'DeleteUSMSTemplate', (ctx) => restDeleteTemplates(ctx, req.query, req.body)), 'DeleteUSMSTemplate'));
  }

  if (opts.api) registerDocs(app);
  if (opts.api) registerCarrierReceipts(app, new CarrierReceipts(services.db, services.box, services.log), services.config.publicUrl);
  registerHealthRoutes(app, services, operatorToken);
  const forgetKey = registerOperatorKeyRoutes(app, services, operatorToken);
  if (opts.api) registerConsole(app, { services, idem, forgetKey });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return metricsText();
  });
  app.get('/operator/sandbox/inbox', async (req, reply) => {
    if (!sameToken(operatorToken, req.headers.authorization)) return reply.code(401).send(operatorTokenRefusal(req.headers.authorization));
    const limit = Math.min(Math.max(Number((req.query as Record<string, unknown>).limit) || 50, 1), 1000);
    return { RetCode: 0, Message: '', Messages: await sandboxInbox(services.db, limit) };
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ RetCode: RetCode.ActionNotFound, Message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  /**
   * Fastify's own errors (bad body, body too large, unsupported media type, bad URL) and anything
   * unexpected: the action dialects answer HTTP 200 with 18002 (18004 for a server fault), REST v1
   * keeps the HTTP status with its code (215392; 215400 with 500).
   */
  function sendError(err: { statusCode?: number; code?: string; message: string }, req: FastifyRequest, reply: FastifyReply) {
    const status = err.statusCode ?? 500;
    const rest = req.url.startsWith('/api/v1/');
    let retCode: number = RetCode.BadFormat;
    let message = err.message;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `request body is larger than ${config.bodyLimit} bytes`;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'unsupported Content-Type: use application/json or application/x-www-form-urlencoded';
    else if (err.code === 'FST_ERR_BAD_URL') message = 'the URL path is not validly percent-encoded';
    else if (status >= 500) {
      services.log.error({ err, reqUuid: req.id }, 'unhandled error');
      retCode = RetCode.ServiceError;
      message = 'internal service error';
    }
    const answer = { RetCode: rest ? toRestV1Code(retCode) : retCode, Message: message };
    return reply.code(rest ? (status >= 500 ? 500 : status) : 200).send(answer);
  }
  app.setErrorHandler(sendError);
  return app;
}

/** How long, and how many bytes, a refused client may go on sending before its connection is cut. */
const LINGER_MS = 2000;
const LINGER_BYTES = 16 * 1024 * 1024;

/**
 * A request Node's HTTP parser refused (malformed request line or headers, headers too large, too slow):
 * a minimal HTTP/1.1 answer with a RetCode (18002) unless part of an answer went out already, then the
 * connection is closed, since what follows on it cannot be trusted. Not logged: it is the client's fault.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser reports every later chunk again; the first answer stands.
  if (err.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'request headers are too large' : status === 408 ? 'the request was not received in time' : 'malformed HTTP request';
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !answering?.headersSent) {
    const body = JSON.stringify({ RetCode: RetCode.BadFormat, Message: message });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    lingerThenClose(socket);
  } else {
    socket.destroy();
  }
}

/**
 * Closes after the answer without resetting the connection: closing a socket with unread input sends a
 * reset, and a client still writing (a multi-megabyte URL, say) then loses the answer it was sent. So the
 * answer is followed by a FIN and what the client still sends is read and dropped, up to LINGER_MS and
 * LINGER_BYTES, as web servers' "lingering close" does.
 */
function lingerThenClose(socket: Duplex): void {
  let dropped = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
  });
  socket.once('end', close);
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  socket.resume();
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** Action dialect answers carry `Action` = the request's action + "Response", right after RetCode. */
function withAction(answer: Answer, action: unknown): Record<string, unknown> {
  const { RetCode: code, Message, ...rest } = answer;
  const name = typeof action === 'string' && /^[A-Za-z0-9]{1,64}$/.test(action) ? action : '';
  return { RetCode: code, Action: name + 'Response', Message, ...rest };
}
