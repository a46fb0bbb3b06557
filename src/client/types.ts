/** Request and answer shapes of the USMS actions (reference/usms-api.md, seeds 000-003). */

export type Dialect = 'ucloud' | 'uspeedo' | 'rest';

/** Every answer: RetCode 0 is success (anything else is thrown as UsmsApiError). */
export interface UsmsResponse {
  RetCode: number;
  Message: string;
  /** The action dialects answer `<Action>Response`; REST v1 has no Action. */
  Action?: string;
  [field: string]: unknown;
}

// ---- sending

export interface SendUSMSMessageParams {
  PhoneNumbers: string[];
  TemplateId: string;
  /** Sender name (uSpeedo wording); optional: the account's default sender is used. */
  SenderId?: string;
  /** The same as SenderId in UCloud wording. */
  SigContent?: string;
  TemplateParams?: Array<string | number>;
  ExtendCode?: string;
  UserId?: string;
}

export interface SendUSMSMessageResponse extends UsmsResponse {
  SessionNo: string;
  UserId?: string;
}

export interface BatchTarget {
  Phone: string;
  TemplateParams?: Array<string | number>;
  UserId?: string;
  ExtendCode?: string;
}

/** One task group: one template and sender, many targets. UCloud names the sender SigContent, uSpeedo SenderId. */
export interface BatchTask {
  TemplateId: string;
  SenderId?: string;
  SigContent?: string;
  Target: BatchTarget[];
}

export interface SendBatchUSMSMessageParams {
  /** An array; the client encodes it as each dialect needs (base64 JSON for UCloud). */
  TaskContent: BatchTask[];
}

export interface FailedTarget extends BatchTarget {
  TemplateParams: Array<string | number>;
  FailureDetails?: string;
}

export interface BatchFailure {
  TemplateId: string;
  SenderId?: string;
  SigContent?: string;
  Target: FailedTarget[];
  /** Set when the template or sender check failed for the whole group. */
  FailureDetails?: string;
}

export interface SendBatchUSMSMessageResponse extends UsmsResponse {
  /** Action dialects: one string, present when at least one message was accepted. REST v1: one per task group. */
  SessionNo?: string | string[];
  ReqUuid?: string;
  SuccessCount?: number;
  /** Action dialects. */
  FailContent?: BatchFailure[];
  /** REST v1. */
  FailedTargetPhones?: Array<{ Phone: string; TemplateParams: Array<string | number>; FailureReason: string }>;
}

// ---- receipts and reports

export interface ReceiptItem {
  Phone: string;
  CostCount: number;
  /** Success / Fail / Unknow (UCloud) or UNKNOWN (uSpeedo) / SubmitFail */
  ReceiptResult: string;
  ReceiptCode: string;
  ReceiptDesc: string;
  /** Unix seconds. */
  ReceiptTime: number;
  UserId: string;
  AccountId?: number;
  BrevityCode?: string;
  CountryCode?: string;
}

export interface GetUSMSSendReceiptParams {
  /** At most 100. */
  SessionNoSet: string[];
}

export interface GetUSMSSendReceiptResponse extends UsmsResponse {
  Data: Array<{ SessionNo: string; ReceiptSet: ReceiptItem[] }>;
}

export interface PullUSMSReportParams {
  /** Default 100, at most 200. */
  Limit?: number;
}

export interface PullUSMSReportResponse extends UsmsResponse {
  ReportSet: Array<ReceiptItem & { SessionNo: string }>;
}

// ---- templates

export interface CreateUSMSTemplateParams {
  /** 1 verification code, 2 notification, 3 marketing. */
  Purpose: 1 | 2 | 3;
  TemplateName: string;
  /** Placeholders {1}, {2}, ... */
  Template: string;
  International?: boolean;
  Remark?: string;
  /** Required for marketing templates. */
  UnsubscribeInfo?: string;
  Instruction?: string;
}

export interface CreateUSMSTemplateResponse extends UsmsResponse {
  TemplateId: string;
}

export interface QueryUSMSTemplateParams {
  /** One id or several; without it, all templates, paged. */
  TemplateId?: string | string[];
  Page?: number;
  NumPerPage?: number;
}

export interface TemplateInfo {
  TemplateId: string;
  Purpose: number;
  TemplateName: string;
  Template: string;
  /** 0 pending, 1 under review, 2 approved, 3 rejected, 4 disabled. */
  Status: number;
  Remark: string;
  ErrDesc: string;
  CreateTime: number;
  Instruction: string;
  UnsubscribeInfo: string;
}

export interface QueryUSMSTemplateResponse extends UsmsResponse {
  /** One object when the UCloud dialect asked for one plain TemplateId (as the UCloud SDKs read it); else a list. */
  Data: TemplateInfo | TemplateInfo[];
  Total?: number;
}

export interface UpdateUSMSTemplateParams extends Partial<Omit<CreateUSMSTemplateParams, 'Purpose'>> {
  TemplateId: string;
  Purpose?: 1 | 2 | 3;
}

export interface DeleteUSMSTemplateParams {
  TemplateIds: string[];
}

// ---- signatures / sender IDs

export interface CreateUSMSSignatureParams {
  /** The sender name (UCloud wording); SenderId is accepted as well. */
  SigContent?: string;
  SenderId?: string;
  SigType?: number;
  SigPurpose?: number;
  CertificateType?: number;
  Description?: string;
  International?: boolean;
  /** Certificate, base64. */
  File?: string;
  ProxyFile?: string;
}

export interface CreateUSMSSignatureResponse extends UsmsResponse {
  SigId: string;
}

export interface QueryUSMSSignatureParams {
  SigId?: string;
  SigContent?: string;
  SenderId?: string;
}

export interface QueryUSMSSignatureResponse extends UsmsResponse {
  Data: { SigId: string; SigContent?: string; SenderId?: string; Status: number; ErrDesc: string };
}

export interface UpdateUSMSSignatureParams extends CreateUSMSSignatureParams {
  SigId: string;
}

export interface DeleteUSMSSignatureParams {
  SigIds: string[];
}

// ---- statistics

export interface GetUSMSSendStatisticsParams {
  /** 1 domestic (mainland China), 0 international. */
  Domestic?: 0 | 1;
  /** YYYY-MM-DD */
  StartDate: string;
  EndDate: string;
  NumPerPage?: number;
  /** 0-based. */
  Page?: number;
  OrderBy?: 'SendDate' | 'BrevityCode';
  OrderType?: 'asc' | 'desc';
  BrevityCode?: string;
  Purpose?: number;
}

export interface SendStatistics {
  BrevityCode: string;
  SendDate: string;
  Count: number;
  CostCount: number;
  SuccessCount: number;
  SuccessCostCount: number;
  FailedCount: number;
  FailedCostCount: number;
  SubmitFailedCount: number;
  SubmitFailedCostCount: number;
  UnknownCount: number;
  UnknownCostCount: number;
  SuccessRate: number;
}

/** The totals over every row, in the UCloud SDK's names (which differ from the rows'). */
export interface SendStatisticsTotals {
  SendCount: number;
  SendCostCount: number;
  SuccessCount: number;
  SuccessCostCount: number;
  FailCount: number;
  FailCostCount: number;
  SubmitFailCount: number;
  SubmitFailCostCount: number;
  UnknownCount: number;
  UnknownCostCount: number;
}

export interface GetUSMSSendStatisticsResponse extends UsmsResponse {
  Data: SendStatistics[];
  StatisticsData: SendStatisticsTotals;
  Total: number;
}

export interface GetUSMSTemplateSendStatisticsParams extends GetUSMSSendStatisticsParams {
  TemplateId?: string;
}

export interface GetUSMSTemplateSendStatisticsResponse extends UsmsResponse {
  Data: Array<SendStatistics & { TemplateId: string }>;
  StatisticsData: SendStatisticsTotals;
  Total: number;
}
