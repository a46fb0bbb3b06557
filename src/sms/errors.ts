/**
 * The RetCode catalogue: every error the API can answer, with a stable name.
 * Codes come from the UCloud/uSpeedo documentation (reference/usms-api.md, section 5).
 */
export const RetCode = {
  Ok: 0,
  // gateway
  MissingAction: 160,
  ActionNotFound: 161,
  MissingSignature: 170,
  SignatureInvalid: 171,
  AccountNotFound: 172,
  AccountRestricted: 173,
  ServiceUnavailable: 200,
  ProjectNotAuthorised: 290,
  NoPermission: 291,
  ProjectNotFound: 292,
  // USMS
  JsonParseError: 18000,
  MissingParameter: 18001,
  BadFormat: 18002,
  InvalidParameter: 18003,
  ServiceError: 18004,
  InsufficientBalance: 18013,
  SomeNumbersInvalid: 18014,
  NoApprovedSignature: 18016,
  TemplateNotApproved: 18017,
  ParamsMismatch: 18018,
  TooManyNumbers: 18019,
  BlockedKeyword: 18023,
  VariableContentNotCompliant: 18033,
  BatchPartlyFailed: 18046,
  // uSpeedo REST v1
  RestParameterError: 215392,
  RestTemplateNotFound: 215396,
  RestMissingParameter: 215397,
  RestBadAccessKey: 215398,
  RestServerError: 215400,
} as const;

export type RetCodeValue = (typeof RetCode)[keyof typeof RetCode];

/** An error that is answered to the caller as `{RetCode, Message}`. */
export class UsmsError extends Error {
  constructor(
    readonly retCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'UsmsError';
  }
}

export const missingParameter = (name: string) => new UsmsError(RetCode.MissingParameter, `Missing parameter [${name}]`);
export const invalidParameter = (name: string, why?: string) =>
  new UsmsError(RetCode.InvalidParameter, `Invalid parameter [${name}]${why ? `: ${why}` : ''}`);

/**
 * REST v1 documents only three codes besides 0; every USMS code maps onto one of them
 * (plus 215396/215398, which uSpeedo uses for templates and keys).
 */
export function toRestV1Code(code: number): number {
  if (code === RetCode.Ok || code >= 215000) return code;
  if (code === RetCode.MissingParameter || code === RetCode.MissingAction) return RetCode.RestMissingParameter;
  if (code === RetCode.TemplateNotApproved) return RetCode.RestTemplateNotFound;
  if (code >= RetCode.MissingSignature && code <= RetCode.AccountRestricted) return RetCode.RestBadAccessKey;
  if (code === RetCode.ServiceError || code === RetCode.ServiceUnavailable) return RetCode.RestServerError;
  return RetCode.RestParameterError;
}
