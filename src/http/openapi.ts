import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { actionSpecs } from '../actions/registry.ts';
import { restReceiptAnswer, restReceiptQuery } from '../actions/report-schemas.ts';
import { restSendBatchAnswer, restSendBatchBody } from '../actions/send-schemas.ts';
import * as templates from '../actions/template-schemas.ts';

/*
 * The OpenAPI 3.1 document of the API, built from the very schemas that check every request
 * (actions/registry.ts, actions/*-schemas.ts). Served at /docs/json with a browsable page at /docs.
 *
 * The action API has one URL for every action; OpenAPI allows one operation per method and path, so
 * each action is listed under `/api#<Action>` (the fragment never reaches the server).
 */

const DESCRIPTION = `usms answers the USMS API in three dialects with one set of actions.

- **uSpeedo action API** (listed below under each action): \`POST /api\`, a JSON body with \`Action\` and \`AccountId\`,
  headers \`X-Access-Key-Id\`, \`X-Signature\` (SHA1 of the sorted body params, then the secret), \`X-Timestamp\`
  (unix seconds, within 5 minutes) and \`X-Nonce\` (a nonce seen twice is a replay).
- **UCloud-style signed API**: the same actions and params by \`GET\` or \`POST\` on \`/\` or \`/api\`, as a query string,
  a form body or flat JSON, with \`PublicKey\`, \`Signature\` and \`ProjectId\` among the params. Lists are flattened
  (\`PhoneNumbers.0\`, \`PhoneNumbers.1\`), every value is text, and SendBatchUSMSMessage's \`TaskContent\` is base64 of
  the JSON task array (at most 200 numbers).
- **uSpeedo REST v1**: \`/api/v1/usms/...\` with HTTP Basic \`ACCESSKEY_ID:ACCESSKEY_SECRET\`, codes 215392 / 215396 /
  215397 / 215398 / 215400.

The action dialects answer HTTP 200 with a \`RetCode\` for every outcome: 0 success, 18001 missing parameter,
18002 bad format, 18003 invalid parameter, 18014 refused numbers, 18016 unknown or unapproved signature,
18017 unknown or unapproved template, 18018 wrong param count, 18019 too many numbers, 18046 the whole batch
refused, 160/161 action, 170-173 credentials, 200 rate limited, 290-292 project. A request repeated with the same
\`Idempotency-Key\` header (or the same \`X-Nonce\` and body) within 24 hours gets the first answer and sends nothing
again. \`x-usms-retcode\` on a schema names the RetCode its violation answers; the items of a list marked
\`x-usms-checked-per-item\` are checked one by one, so a bad item refuses only itself.`;

const header = (name: string, description: string, required = true) => ({ name, in: 'header', required, description, schema: { type: 'string' } });

const USPEEDO_HEADERS = [
  header('X-Access-Key-Id', 'the public key'),
  header('X-Signature', 'SHA1 over the body params sorted by key, then the private key; lower-case hex'),
  header('X-Timestamp', 'unix seconds; refused when more than 5 minutes away from the server clock'),
  header('X-Nonce', 'at most 32 characters, never reused'),
  header('Idempotency-Key', 'repeat a request safely: the first answer is given again, nothing is sent twice', false),
];
const BASIC = [{ basic: [] }];

/** A schema as plain JSON (TypeBox marks its schemas with symbols, which are not part of the document). */
const json = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

const jsonContent = (schema: TSchema) => ({ 'application/json': { schema: json(schema) } });
const answered = (schema: TSchema, description = 'HTTP 200 for every outcome; see RetCode') => ({ 200: { description, content: jsonContent(schema) } });

/** REST v1 answers are the action's answer without `Action`. */
const restAnswer = (answer: TObject) => {
  const { Action: _action, ...fields } = answer.properties;
  return Type.Object(fields);
};

/** Query-string params of a REST route, one per property of its schema. */
const queryParams = (schema: TObject) =>
  Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: (schema.required ?? []).includes(name),
    explode: true,
    schema: json(s),
  }));

function actionPaths(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [action, spec] of Object.entries(actionSpecs)) {
    const body = Type.Object({
      Action: Type.Literal(action),
      AccountId: Type.Optional(Type.Integer({ description: 'your AccountId; refused when it is not the key\'s account' })),
      ...spec.params.properties,
    }, { required: ['Action', ...(spec.params.required ?? [])] });
    paths[`/api#${action}`] = {
      post: {
        operationId: action,
        tags: [spec.tag],
        summary: spec.summary,
        parameters: USPEEDO_HEADERS,
        requestBody: { required: true, content: jsonContent(body) },
        responses: answered(spec.answer),
      },
    };
  }
  return paths;
}

function restPaths(): Record<string, unknown> {
  const op = (operationId: string, summary: string, rest: Record<string, unknown>) => ({ operationId, tags: ['REST v1'], summary, security: BASIC, ...rest });
  const responses = (schema: TSchema) => ({
    ...answered(schema, 'the outcome; see RetCode'),
    401: { description: 'bad ACCESSKEY_ID or ACCESSKEY_SECRET (RetCode 215398)' },
  });
  return {
    '/api/v1/usms/SendBatchUSMSMessage': {
      post: op('RestSendBatchUSMSMessage', 'Send per-number content; one SessionNo per task group with accepted messages', {
        requestBody: { required: true, content: jsonContent(restSendBatchBody) },
        responses: responses(restSendBatchAnswer),
      }),
    },
    '/api/v1/usms/USMSSendReceipt': {
      get: op('RestUSMSSendReceipt', 'Delivery receipts of up to 100 sessions', {
        parameters: queryParams(restReceiptQuery),
        responses: responses(restReceiptAnswer),
      }),
    },
    '/api/v1/usms/USMSTemplate': {
      post: op('RestCreateUSMSTemplate', actionSpecs.CreateUSMSTemplate!.summary, {
        requestBody: { required: true, content: jsonContent(templates.createTemplateParams) },
        responses: responses(restAnswer(templates.createTemplateAnswer)),
      }),
      get: op('RestQueryUSMSTemplate', actionSpecs.QueryUSMSTemplate!.summary, {
        parameters: queryParams(templates.queryTemplateParams),
        responses: responses(restAnswer(templates.queryTemplateAnswer)),
      }),
      put: op('RestUpdateUSMSTemplate', actionSpecs.UpdateUSMSTemplate!.summary, {
        requestBody: { required: true, content: jsonContent(templates.updateTemplateParams) },
        responses: responses(restAnswer(templates.updateTemplateAnswer)),
      }),
      delete: op('RestDeleteUSMSTemplate', actionSpecs.DeleteUSMSTemplate!.summary, {
        parameters: queryParams(templates.deleteTemplateParams),
        responses: responses(restAnswer(templates.deleteTemplateAnswer)),
      }),
    },
  };
}

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'usms: the USMS API', version, description: DESCRIPTION },
    tags: ['Sending', 'Receipts and reports', 'Templates', 'Signatures', 'Statistics', 'REST v1'].map((name) => ({ name })),
    components: { securitySchemes: { basic: { type: 'http', scheme: 'basic', description: 'ACCESSKEY_ID:ACCESSKEY_SECRET' } } },
    paths: { ...actionPaths(), ...restPaths() },
  };
}
