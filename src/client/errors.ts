/** The server answered with a RetCode other than 0. `response` is the whole answer (FailContent etc.). */
export class UsmsApiError extends Error {
  readonly retCode: number;
  readonly action: string;
  readonly reqUuid: string | undefined;
  readonly httpStatus: number;
  readonly response: Record<string, unknown>;

  constructor(action: string, response: Record<string, unknown>, httpStatus: number) {
    const retCode = Number(response.RetCode);
    const message = typeof response.Message === 'string' && response.Message ? response.Message : `RetCode ${retCode}`;
    super(message);
    this.name = 'UsmsApiError';
    this.retCode = retCode;
    this.action = action;
    this.reqUuid = typeof response.ReqUuid === 'string' ? response.ReqUuid : undefined;
    this.httpStatus = httpStatus;
    this.response = response;
  }
}

/**
 * No usable answer: network failure, timeout, HTTP error without a RetCode, or a body that is not JSON,
 * after every retry. Whether the server acted is unknown: retry with the same `idempotencyKey`.
 */
export class UsmsRequestError extends Error {
  constructor(
    message: string,
    readonly action: string,
    readonly attempts: number,
    readonly idempotencyKey: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UsmsRequestError';
  }
}

/** The call cannot be made in this dialect or with these options (nothing was sent). */
export class UsmsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsmsUsageError';
  }
}
