import type { MessageStatus } from './message-state.ts';

/**
 * A message's state as the USMS `ReceiptResult`: Success, Fail, SubmitFail, else unknown, spelled
 * `Unknow` by UCloud and `UNKNOWN` by uSpeedo (pushes use UCloud's spelling).
 */
export function receiptResult(status: MessageStatus, spelling: 'ucloud' | 'uspeedo'): string {
  switch (status) {
    case 'delivered':
      return 'Success';
    case 'undelivered':
    case 'expired':
      return 'Fail';
    case 'failed':
      return 'SubmitFail';
    default:
      return spelling === 'ucloud' ? 'Unknow' : 'UNKNOWN';
  }
}
