import { Type } from '@sinclair/typebox';
import { MAX_TEMPLATE_CHARS, MAX_TEMPLATE_NAME_CHARS } from '../store/templates.ts';
import { actionAnswer, bool, id, idList, int, requiredText, text } from './schema-kit.ts';

/* Request and answer schemas of CreateUSMSTemplate, QueryUSMSTemplate, UpdateUSMSTemplate, DeleteUSMSTemplate. */

const purpose = int('1 verification code, 2 notification, 3 marketing (needs UnsubscribeInfo)', 1, 3);
// The text's length is checked with its other rules (store/templates.ts templateContentProblem).
const content = Type.String({
  description: `the text, at most ${MAX_TEMPLATE_CHARS} characters, with placeholders {1}, {2}, ... numbered from 1 without gaps and some text besides them`,
  minLength: 1,
});
const fields = {
  Remark: Type.Optional(text('a note for the reviewer', 128)),
  Instruction: Type.Optional(text('what the template is used for', 500)),
  UnsubscribeInfo: Type.Optional(text('how to unsubscribe; required for marketing templates', 64)),
  International: Type.Optional(bool('whether the template is for numbers outside mainland China')),
};

export const createTemplateParams = Type.Object({
  Purpose: purpose,
  TemplateName: requiredText('a name for the template', MAX_TEMPLATE_NAME_CHARS),
  Template: content,
  ...fields,
});
export const createTemplateAnswer = actionAnswer('CreateUSMSTemplate', { TemplateId: Type.Optional(Type.String()) });

export const OutTemplate = Type.Object(
  {
    TemplateId: Type.String(),
    Purpose: Type.Integer(),
    TemplateName: Type.String(),
    Template: Type.String(),
    Status: Type.Integer({ description: '0 draft, 1 under review, 2 approved, 3 rejected, 4 disabled' }),
    Remark: Type.String(),
    ErrDesc: Type.String({ description: 'why the template was rejected' }),
    CreateTime: Type.Integer({ description: 'unix seconds' }),
    Instruction: Type.String(),
    UnsubscribeInfo: Type.String(),
  },
  { title: 'OutTemplate' },
);

export const queryTemplateParams = Type.Object({
  TemplateId: Type.Optional(idList('templates to read; all of the account\'s (paged) when omitted', 100)),
  Page: Type.Optional(int('page number from 0, when TemplateId is omitted', 0, 1_000_000)),
  NumPerPage: Type.Optional(int('templates per page (default 100)', 1, 1000)),
});
export const queryTemplateAnswer = actionAnswer('QueryUSMSTemplate', {
  Data: Type.Optional(
    Type.Union([
      Type.Array(OutTemplate, { description: 'the caller\'s templates among the ids asked for' }),
      Type.Object(OutTemplate.properties, { description: 'UCloud dialect with one plain TemplateId (as the UCloud SDKs send it): that template; 18017 when it does not exist' }),
    ]),
  ),
  Total: Type.Optional(Type.Integer({ description: 'all of the account\'s templates, when paging' })),
});

export const updateTemplateParams = Type.Object({
  TemplateId: id('a template that is not approved yet'),
  Purpose: Type.Optional(purpose),
  TemplateName: Type.Optional(text('a name for the template', MAX_TEMPLATE_NAME_CHARS)),
  Template: Type.Optional(content),
  ...fields,
});
export const updateTemplateAnswer = actionAnswer('UpdateUSMSTemplate', {});

export const deleteTemplateParams = Type.Object({
  TemplateIds: Type.Optional(idList('templates to delete, all or nothing (TemplateId is accepted too)', 100)),
  TemplateId: Type.Optional(idList('same as TemplateIds', 100)),
});
export const deleteTemplateAnswer = actionAnswer('DeleteUSMSTemplate', {});
