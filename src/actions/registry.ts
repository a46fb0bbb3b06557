import type { TObject } from '@sinclair/typebox';
import type { ActionHandler } from './context.ts';
import { paramsChecker } from './params-check.ts';
import { getReceiptAction } from './receipts.ts';
import * as reportSchemas from './report-schemas.ts';
import { pullReportAction } from './reports.ts';
import { sendBatchAction, sendSingleAction } from './send-actions.ts';
import * as sendSchemas from './send-schemas.ts';
import { createSignatureAction, deleteSignatureAction, querySignatureAction, updateSignatureAction } from './signatures.ts';
import * as signatureSchemas from './signature-schemas.ts';
import { sendStatisticsAction, templateSendStatisticsAction } from './statistics.ts';
import { createTemplateAction, deleteTemplateAction, queryTemplateAction, updateTemplateAction } from './templates.ts';
import * as templateSchemas from './template-schemas.ts';

/** One USMS action: its handler, the schema every request is checked against, and what /docs says of it. */
export interface ActionSpec {
  summary: string;
  tag: 'Sending' | 'Receipts and reports' | 'Templates' | 'Signatures' | 'Statistics';
  params: TObject;
  answer: TObject;
  handler: ActionHandler;
  /**
   * What the action writes: 'sessions' only through ctx.writer (staged, so a keyed request commits them
   * with its idempotency record), 'direct' to other tables as it runs (a keyed request claims its key
   * first), or 'nothing'.
   */
  writes: 'sessions' | 'direct' | 'nothing';
}

/** Every USMS action this server answers, shared by all dialects. */
export const actionSpecs: Record<string, ActionSpec> = {
  SendBatchUSMSMessage: {
    summary: 'Send per-number content: task groups of one template and sender, each with its targets',
    tag: 'Sending',
    params: sendSchemas.sendBatchParams,
    answer: sendSchemas.sendBatchAnswer,
    handler: sendBatchAction,
    writes: 'sessions',
  },
  SendUSMSMessage: {
    summary: 'Send one template with one set of params to up to 1000 numbers (all or nothing)',
    tag: 'Sending',
    params: sendSchemas.sendSingleParams,
    answer: sendSchemas.sendSingleAnswer,
    handler: sendSingleAction,
    writes: 'sessions',
  },
  GetUSMSSendReceipt: {
    summary: 'Delivery receipts of up to 100 sessions',
    tag: 'Receipts and reports',
    params: reportSchemas.getReceiptParams,
    answer: reportSchemas.getReceiptAnswer,
    handler: getReceiptAction,
    writes: 'nothing',
  },
  PullUSMSReport: {
    summary: 'Final receipts not pulled yet, oldest first; each is answered once (kept 72 h)',
    tag: 'Receipts and reports',
    params: reportSchemas.pullReportParams,
    answer: reportSchemas.pullReportAnswer,
    handler: pullReportAction,
    writes: 'direct',
  },
  CreateUSMSTemplate: {
    summary: 'Apply for a template; it waits for the operator\'s review unless the account is auto-approved',
    tag: 'Templates',
    params: templateSchemas.createTemplateParams,
    answer: templateSchemas.createTemplateAnswer,
    handler: createTemplateAction,
    writes: 'direct',
  },
  QueryUSMSTemplate: {
    summary: 'Read templates by id, or all of them paged',
    tag: 'Templates',
    params: templateSchemas.queryTemplateParams,
    answer: templateSchemas.queryTemplateAnswer,
    handler: queryTemplateAction,
    writes: 'nothing',
  },
  UpdateUSMSTemplate: {
    summary: 'Change a template that is not approved yet; a content change goes back to review',
    tag: 'Templates',
    params: templateSchemas.updateTemplateParams,
    answer: templateSchemas.updateTemplateAnswer,
    handler: updateTemplateAction,
    writes: 'direct',
  },
  DeleteUSMSTemplate: {
    summary: 'Delete templates, all or nothing',
    tag: 'Templates',
    params: templateSchemas.deleteTemplateParams,
    answer: templateSchemas.deleteTemplateAnswer,
    handler: deleteTemplateAction,
    writes: 'direct',
  },
  CreateUSMSSignature: {
    summary: 'Apply for a signature / sender id; it waits for the operator\'s review',
    tag: 'Signatures',
    params: signatureSchemas.createSignatureParams,
    answer: signatureSchemas.createSignatureAnswer,
    handler: createSignatureAction,
    writes: 'direct',
  },
  QueryUSMSSignature: {
    summary: 'Read a signature by SigId or name',
    tag: 'Signatures',
    params: signatureSchemas.querySignatureParams,
    answer: signatureSchemas.querySignatureAnswer,
    handler: querySignatureAction,
    writes: 'nothing',
  },
  UpdateUSMSSignature: {
    summary: 'Change a signature that is not approved yet; it goes back to review',
    tag: 'Signatures',
    params: signatureSchemas.updateSignatureParams,
    answer: signatureSchemas.updateSignatureAnswer,
    handler: updateSignatureAction,
    writes: 'direct',
  },
  DeleteUSMSSignature: {
    summary: 'Delete signatures, all or nothing',
    tag: 'Signatures',
    params: signatureSchemas.deleteSignatureParams,
    answer: signatureSchemas.deleteSignatureAnswer,
    handler: deleteSignatureAction,
    writes: 'direct',
  },
  GetUSMSSendStatistics: {
    summary: 'Messages and segments by day (UTC) and country, by outcome',
    tag: 'Statistics',
    params: reportSchemas.sendStatisticsParams,
    answer: reportSchemas.sendStatisticsAnswer,
    handler: sendStatisticsAction,
    writes: 'nothing',
  },
  GetUSMSTemplateSendStatistics: {
    summary: 'The same statistics, by template as well',
    tag: 'Statistics',
    params: reportSchemas.templateStatisticsParams,
    answer: reportSchemas.templateStatisticsAnswer,
    handler: templateSendStatisticsAction,
    writes: 'nothing',
  },
};

/** The handlers, each behind its params check: what every dialect calls. */
export const actions: Record<string, ActionHandler> = Object.fromEntries(
  Object.entries(actionSpecs).map(([name, spec]) => {
    const check = paramsChecker(spec.params);
    const checked: ActionHandler = (ctx, params) => spec.handler(ctx, check(params));
    return [name, checked];
  }),
);

/** Documented USMS actions that are not built yet: answered with a clear error instead of "not found". */
export const plannedActions = new Set<string>([]);
