import { Type } from '@sinclair/typebox';
import { RetCode } from '../sms/errors.ts';
import { MAX_USER_ID_CHARS } from '../sms/validate.ts';
import { PER_ITEM, RETCODE, actionAnswer, id, requiredText, text } from './schema-kit.ts';

/*
 * Request and answer schemas of the send actions (seeds 000, 001, 003). A batch's task groups and targets
 * are checked one at a time by the send path (actions/send.ts), so one bad target refuses only itself.
 */

const sender = (dialect: string) => text(`sender name shown on the handset (${dialect} wording); the account's default when omitted in SendUSMSMessage`, 64);
const templateParams = Type.Array(Type.String(), { description: 'values for the template placeholders {1}, {2}, ... in order' });
// UserId's length and characters are checked with the target (sms/validate.ts), which names the rule broken.
const userId = Type.String({ description: `your own id for this message, echoed in receipts as given: at most ${MAX_USER_ID_CHARS} letters, digits, spaces and _-.:@#/+=, (no quotes, control characters or emoji)` });
const extendCode = Type.String({ description: 'extension appended to the sender number: 1 to 12 digits' });

export const Target = Type.Object(
  {
    Phone: Type.String({ description: '(86)185..., (0086)185..., +86185..., 0086185... or a national number of the account region', minLength: 1, maxLength: 32 }),
    TemplateParams: Type.Optional(
      Type.Array(Type.Union([Type.String(), Type.Number()]), { description: templateParams.description, [RETCODE]: { type: RetCode.BadFormat } }),
    ),
    UserId: Type.Optional(userId),
    ExtendCode: Type.Optional(Type.Union([extendCode, Type.Integer()])),
  },
  { title: 'Target', [RETCODE]: { type: RetCode.BadFormat } },
);

export const TaskGroup = Type.Object(
  {
    TemplateId: id('an approved template of the account'),
    SenderId: Type.Optional(sender('uSpeedo')),
    SigContent: Type.Optional(sender('UCloud')),
    Target: Type.Array(Target, { minItems: 1, [PER_ITEM]: true }),
  },
  { title: 'TaskGroup', [RETCODE]: { type: RetCode.BadFormat } },
);

export const sendBatchParams = Type.Object({
  TaskContent: Type.Array(TaskGroup, {
    description:
      'task groups: one template and sender each, with their targets. UCloud form: base64 of this JSON array, at most 200 numbers; uSpeedo: the array itself (or its JSON text), at most 1000 numbers',
    minItems: 1,
    [PER_ITEM]: true,
    [RETCODE]: { type: RetCode.BadFormat },
  }),
});

const failedTarget = Type.Object({
  TemplateParams: templateParams,
  Phone: Type.String(),
  ExtendCode: Type.Optional(Type.String()),
  UserId: Type.Optional(Type.String()),
  FailureDetails: Type.Optional(Type.String({ description: 'why this number was refused' })),
});

export const sendBatchAnswer = actionAnswer('SendBatchUSMSMessage', {
  SessionNo: Type.Optional(Type.String({ description: 'present when at least one message was accepted' })),
  ReqUuid: Type.String(),
  SuccessCount: Type.Integer({ description: 'accepted messages, before splitting into segments' }),
  FailContent: Type.Array(
    Type.Object({
      TemplateId: Type.String(),
      SenderId: Type.Optional(Type.String()),
      SigContent: Type.Optional(Type.String()),
      Target: Type.Array(failedTarget),
      FailureDetails: Type.Optional(Type.String({ description: 'set when the template or sender check failed for the whole group' })),
    }),
  ),
});

export const sendSingleParams = Type.Object({
  PhoneNumbers: Type.Array(Type.String({ maxLength: 32 }), {
    description: 'numbers in any documented form; all or nothing: one refused number refuses the request',
    minItems: 1,
    maxItems: 1000,
    [RETCODE]: { maxItems: RetCode.TooManyNumbers },
  }),
  TemplateId: requiredText('an approved template of the account', 64),
  TemplateParams: Type.Optional(templateParams),
  SenderId: Type.Optional(sender('uSpeedo')),
  SigContent: Type.Optional(sender('UCloud')),
  UserId: Type.Optional(userId),
  ExtendCode: Type.Optional(extendCode),
});

export const sendSingleAnswer = actionAnswer('SendUSMSMessage', {
  SessionNo: Type.Optional(Type.String()),
  UserId: Type.Optional(Type.String({ description: 'echoed when one was given' })),
});

/** REST v1 `POST /api/v1/usms/SendBatchUSMSMessage` (seed 002). */
export const restSendBatchBody = Type.Object({
  TaskContent: Type.Union([sendBatchParams.properties.TaskContent, Type.String({ description: 'the same array as JSON text' })]),
});

export const restSendBatchAnswer = Type.Object({
  RetCode: Type.Integer({ description: '0, 215392 (parameter error), 215397 (missing parameter), 215398 (bad access key), 215400 (server error)' }),
  Message: Type.String(),
  SessionNo: Type.Array(Type.String(), { description: 'one per task group with accepted messages' }),
  FailedTargetPhones: Type.Array(Type.Object({ Phone: Type.String(), TemplateParams: templateParams, FailureReason: Type.String() })),
});
