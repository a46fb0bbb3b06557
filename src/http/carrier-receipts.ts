import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { CarrierReceipts } from '../actions/carrier-receipts.ts';

/** Providers post small receipts; anything larger is refused before it is read. */
const BODY_LIMIT = 256 * 1024;

/**
 * /carriers/<name>/receipts: HTTP carriers' delivery receipt webhooks (GET with a query, or POST as
 * form or JSON). The body is kept raw: a signature covers it as sent.
 */
export function registerCarrierReceipts<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, receipts: CarrierReceipts, publicUrl: string): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.route({
      method: ['GET', 'POST'],
      url: '/carriers/:name/receipts',
      handler: async (req, reply) => {
        const { name } = req.params as { name: string };
        const answer = await receipts.accept(name, {
          method: req.method,
          // The URL the provider called, as it signed it.
          url: `${publicUrl}${req.url}`,
          headers: req.headers,
          body: typeof req.body === 'string' ? req.body : '',
        });
        return reply.code(answer.status).send(answer.body);
      },
    });
    scope.addHook('onClose', async () => receipts.close());
  });
}
