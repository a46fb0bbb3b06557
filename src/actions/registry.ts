import type { ActionHandler } from './context.ts';
import { getReceiptAction } from './receipts.ts';
import { sendBatchAction, sendSingleAction } from './send-actions.ts';

/** Every USMS action this server answers, shared by all dialects. */
export const actions: Record<string, ActionHandler> = {
  SendBatchUSMSMessage: sendBatchAction,
  SendUSMSMessage: sendSingleAction,
  GetUSMSSendReceipt: getReceiptAction,
};

/** Documented USMS actions that are not built yet: answered with a clear error instead of "not found". */
export const plannedActions = new Set([
  'PullUSMSReport',
  'CreateUSMSTemplate',
  'QueryUSMSTemplate',
  'UpdateUSMSTemplate',
  'DeleteUSMSTemplate',
  'CreateUSMSSignature',
  'QueryUSMSSignature',
  'UpdateUSMSSignature',
  'DeleteUSMSSignature',
  'GetUSMSSendStatistics',
  'GetUSMSTemplateSendStatistics',
]);
