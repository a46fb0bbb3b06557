import type { ActionHandler } from './context.ts';
import { getReceiptAction } from './receipts.ts';
import { pullReportAction } from './reports.ts';
import { sendBatchAction, sendSingleAction } from './send-actions.ts';
import { sendStatisticsAction, templateSendStatisticsAction } from './statistics.ts';
import { createSignatureAction, deleteSignatureAction, querySignatureAction, updateSignatureAction } from './signatures.ts';
import { createTemplateAction, deleteTemplateAction, queryTemplateAction, updateTemplateAction } from './templates.ts';

/** Every USMS action this server answers, shared by all dialects. */
export const actions: Record<string, ActionHandler> = {
  SendBatchUSMSMessage: sendBatchAction,
  SendUSMSMessage: sendSingleAction,
  GetUSMSSendReceipt: getReceiptAction,
  CreateUSMSTemplate: createTemplateAction,
  QueryUSMSTemplate: queryTemplateAction,
  UpdateUSMSTemplate: updateTemplateAction,
  DeleteUSMSTemplate: deleteTemplateAction,
  CreateUSMSSignature: createSignatureAction,
  QueryUSMSSignature: querySignatureAction,
  UpdateUSMSSignature: updateSignatureAction,
  DeleteUSMSSignature: deleteSignatureAction,
  PullUSMSReport: pullReportAction,
  GetUSMSSendStatistics: sendStatisticsAction,
  GetUSMSTemplateSendStatistics: templateSendStatisticsAction,
};

/** Documented USMS actions that are not built yet: answered with a clear error instead of "not found". */
export const plannedActions = new Set<string>([]);
