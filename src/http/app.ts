import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Services } from '../actions/context.ts';
import { RetCode, UsmsError, toRestV1Code } from '../sms/errors.ts';
import { sandboxInbox } from '../store/inbox.ts';
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
import { sameToken } from './operator.ts';

/** A body that could not be parsed; answered as RetCode 18000 by the dialect, not as an HTTP error. */
const UNPARSABLE = Symbol('unparsable');

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
  });
  const limiter = opts.limiter ?? new RateLimiter(config.rateLimitPerKey);
  const nonces = new NonceCache(config.timestampSkewSeconds * 2000);
  const metricsText = opts.metricsText ?? (() => services.metrics.text());
  const idem = new IdempotencyGuard(services);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, UNPARSABLE);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, formToObject(String(body)));
  });

  const actionHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const reqUuid = req.id;
    const keyId = req.headers['x-access-key-id'];
    const dialect = typeof keyId === 'string' ? 'uspeedo' : 'ucloud';
    const query = (req.query ?? {}) as Record<string, unknown>;
    let action: unknown = query.Action;
    let answer: Answer;
    try {
      if (req.body === UNPARSABLE) throw new UsmsError(RetCode.JsonParseError, 'request body is not valid JSON');
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
        if (req.body === UNPARSABLE) throw new UsmsError(RetCode.RestParameterError, 'request body is not valid JSON');
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
  if (opts.api) app.get('/api/v1/usms/USMSSendReceipt', restHandler(async (req) => restReceipts(await restContext(req), (req.query as Record<string, unknown>).id), 'GetUSMSSendReceipt'));
  if (opts.api) {
    const templates = '/api/v1/usms/USMSTemplate';
    app.post(templates, restHandler((req) => keyed(req, 'CreateUSMSTemplate', (ctx) => restCreateTemplate(ctx, req.body)), 'CreateUSMSTemplate'));
    app.get(templates, restHandler(async (req) => restQueryTemplates(await restContext(req), req.query), 'QueryUSMSTemplate'));
    app.put(templates, restHandler((req) => keyed(req, 'UpdateUSMSTemplate', (ctx) => restUpdateTemplate(ctx, req.body)), 'UpdateUSMSTemplate'));
    app.delete(templates, restHandler((req) => keyed(req, 'DeleteUSMSTemplate', (ctx) => restDeleteTemplates(ctx, req.query, req.body)), 'DeleteUSMSTemplate'));
  }

  if (opts.api) registerDocs(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return metricsText();
  });
  app.get('/operator/sandbox/inbox', async (req, reply) => {
    if (!sameToken(operatorToken, req.headers.authorization)) return reply.code(401).send({ error: 'operator token required (Authorization: Bearer ...)' });
    const limit = Math.min(Math.max(Number((req.query as Record<string, unknown>).limit) || 50, 1), 1000);
    return { Messages: await sandboxInbox(services.db, limit) };
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ RetCode: RetCode.ActionNotFound, Message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    const rest = req.url.startsWith('/api/v1/');
    let retCode: number = RetCode.BadFormat;
    let message = err.message;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `request body is larger than ${config.bodyLimit} bytes`;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'unsupported Content-Type: use application/json or application/x-www-form-urlencoded';
    else if (status >= 500) {
      services.log.error({ err, reqUuid: req.id }, 'unhandled error');
      retCode = RetCode.ServiceError;
      message = 'internal service error';
    }
    const answer = { RetCode: rest ? toRestV1Code(retCode) : retCode, Message: message };
    return reply.code(rest ? (status >= 500 ? 500 : status) : 200).send(answer);
  });
  return app;
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
