import { isTemporaryStatus, statusName } from './constants.ts';

export type SmppErrorCode =
  | 'SMPP_STATUS' // the peer answered with a non-zero command_status
  | 'SMPP_TIMEOUT' // no response within the per-PDU timeout
  | 'SMPP_CONNECTION' // the connection dropped while the PDU was queued or in flight
  | 'SMPP_CLOSED' // close() was called, or the session was never opened
  | 'SMPP_QUEUE_TIMEOUT' // waited too long for a bind or window space; never written
  | 'SMPP_BIND' // the bind was refused or failed
  | 'SMPP_ENCODE'; // the PDU could not be encoded; never written

/**
 * Base of every error the session rejects with. `written` tells whether the PDU reached the
 * socket: a written PDU that got no answer (timeout, connection loss) has an unknown outcome,
 * because the carrier may have accepted it.
 */
export class SmppError extends Error {
  constructor(
    message: string,
    readonly code: SmppErrorCode,
    readonly written: boolean,
    readonly temporary: boolean,
  ) {
    super(message);
    this.name = 'SmppError';
  }

  get outcomeUnknown(): boolean {
    return this.written && (this.code === 'SMPP_TIMEOUT' || this.code === 'SMPP_CONNECTION');
  }
}

/** The peer answered; the outcome is known (rejected). ESME_RTHROTTLED / ESME_RMSGQFUL are temporary. */
export class SmppStatusError extends SmppError {
  constructor(
    readonly status: number,
    readonly command: string,
  ) {
    super(`${command} answered ${statusName(status)}`, 'SMPP_STATUS', true, isTemporaryStatus(status));
    this.name = 'SmppStatusError';
  }
}

export class SmppTimeoutError extends SmppError {
  constructor(command: string, ms: number) {
    super(`no response to ${command} within ${ms} ms`, 'SMPP_TIMEOUT', true, true);
    this.name = 'SmppTimeoutError';
  }
}

export class SmppConnectionError extends SmppError {
  constructor(message: string, written: boolean) {
    super(message, 'SMPP_CONNECTION', written, true);
    this.name = 'SmppConnectionError';
  }
}

export class SmppBindError extends SmppError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message, 'SMPP_BIND', false, false);
    this.name = 'SmppBindError';
  }
}
