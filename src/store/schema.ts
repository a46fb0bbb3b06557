import type { CarrierState } from '../sms/carrier-events.ts';
import type { Generated } from 'kysely';
import type { MessageStatus } from '../sms/message-state.ts';

/** Table types for Kysely. Times are unix milliseconds. */
export interface Database {
  accounts: AccountTable;
  api_keys: ApiKeyTable;
  templates: TemplateTable;
  senders: SenderTable;
  blacklist: BlacklistTable;
  sessions: SessionTable;
  messages: MessageTable;
  nodes: NodeTable;
  carrier_binds: CarrierBindTable;
  reports: ReportTable;
  account_callbacks: AccountCallbackTable;
  callback_items: CallbackItemTable;
  idempotency_keys: IdempotencyTable;
  carriers: CarrierTable;
  carrier_status: CarrierStatusTable;
  message_parts: MessagePartTable;
  inbound_messages: InboundMessageTable;
  inbound_parts: InboundPartTable;
  users: UserTable;
  console_sessions: ConsoleSessionTable;
  password_resets: PasswordResetTable;
  audit_log: AuditLogTable;
  message_day_counts: MessageDayCountTable;
  message_days_settled: MessageDaySettledTable;
  platform_settings: PlatformSettingTable;
  prices: PriceTable;
  ledger: LedgerTable;
  content_rules: ContentRuleTable;
  pumping_alarms: PumpingAlarmTable;
  routes: RouteTable;
  message_attempts: MessageAttemptTable;
  smpp_users: SmppUserTable;
  smpp_binds: SmppBindTable;
  smpp_outbox: SmppOutboxTable;
}

export interface CarrierBindTable {
  carrier: string;
  slot: number;
  owner: string;
  expires_at: number;
}

export interface NodeTable {
  id: string;
  role: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
}

export interface AccountTable {
  id: number;
  project_id: string;
  name: string;
  region: string;
  status: string; // active | disabled
  created_at: number;
  /** 1: templates the customer submits are approved at once (migration 002). */
  template_auto_approve: Generated<number>;
  /** free | prepaid | postpaid (migration 015); money in micro-units of the platform currency. */
  billing_mode: Generated<BillingMode>;
  balance: Generated<number>;
  /** postpaid: how far below zero the balance may go; NULL: no limit. */
  credit_limit: number | null;
  low_balance_threshold: number | null;
  low_balance_alerted: Generated<number>;
  /** Comma-separated ISO 3166 codes the account may send to; '' for every country. */
  allowed_regions: Generated<string>;
  /** JSON of the account's own send limits; '' for the defaults. */
  send_limits: Generated<string>;
  /** How its SMPP text is checked: 'template' (must match an approved template) or 'free' (migration 017). */
  smpp_content: Generated<SmppContent>;
}

export type SmppContent = 'template' | 'free';

export interface ApiKeyTable {
  id: Generated<number>;
  account_id: number;
  public_key: string;
  /** The secret, AES-256-GCM sealed with the master key (see auth/secrets.ts). */
  secret_sealed: string;
  status: string; // active | revoked
  created_at: number;
}

export interface TemplateTable {
  id: string;
  account_id: number;
  name: string;
  content: string;
  purpose: number;
  /** 0 pending, 1 under review, 2 approved, 3 rejected, 4 disabled */
  status: number;
  param_count: number;
  reason: string;
  created_at: number;
  updated_at: number;
  // migration 002
  remark: Generated<string>;
  unsubscribe_info: Generated<string>;
  instruction: Generated<string>;
  international: Generated<number>;
}

export interface SenderTable {
  id: string;
  account_id: number;
  name: string;
  status: number;
  reason: string;
  created_at: number;
  // migration 002
  sig_type: Generated<number>;
  sig_purpose: Generated<number>;
  certificate_type: Generated<number>;
  description: Generated<string>;
  international: Generated<number>;
  file: string | null;
  proxy_file: string | null;
  updated_at: Generated<number>;
}

export interface BlacklistTable {
  account_id: number;
  phone: string; // E.164 with '+'
  created_at: number;
  /** Set when the phone itself opted out by an inbound reply (migration 015). */
  opted_out_at: number | null;
}

export interface SessionTable {
  session_no: string;
  account_id: number;
  action: string;
  req_uuid: string;
  message_count: number;
  created_at: number;
}

export interface MessageTable {
  id: Generated<number>;
  session_no: string;
  account_id: number;
  /** The phone as the caller wrote it, answered back verbatim. */
  phone: string;
  e164: string;
  region: string;
  template_id: string;
  sender: string;
  content: string;
  encoding: string;
  segments: number;
  user_id: string;
  extend_code: string;
  status: MessageStatus;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  carrier: string | null;
  carrier_msg_id: string | null;
  receipt_code: string | null;
  receipt_desc: string | null;
  receipt_at: number | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
  /** What storing it cost, in micro-units (migration 015). */
  charge: Generated<number>;
  /** 1 once the charge was given back (a failure before any carrier took it). */
  refunded: Generated<number>;
  /** The carrier that last refused this message with a retryable error: the next claim prefers another (migration 016). */
  avoid_carrier: Generated<string | null>;
  // Optional so that rows written without them (API sends, tests) need not name them (migration 017).
  /** The SMPP user that submitted it; null for API messages. */
  smpp_user_id?: number | null;
  /** 1: the SMPP submit asked for a delivery receipt. */
  smpp_receipt?: number;
}

// The states are domain rules (sms/message-state.ts); the table stores them.
export type { MessageStatus } from '../sms/message-state.ts';
export { FINAL_STATUSES } from '../sms/message-state.ts';

/** A final receipt waiting for PullUSMSReport (migration 003); deleted when pulled or after the retention. */
export interface ReportTable {
  id: Generated<number>;
  account_id: number;
  message_id: number;
  session_no: string;
  phone: string;
  region: string;
  segments: number;
  status: MessageStatus;
  receipt_code: string;
  receipt_desc: string;
  receipt_at: number;
  user_id: string;
  created_at: number;
}

/** An account's push URL (migration 003). */
export interface AccountCallbackTable {
  account_id: number;
  url: string;
  updated_at: number;
}

/** One item (a receipt, an inbound reply, a low-balance alert) to push to an account's callback URL (migration 003). */
export interface CallbackItemTable {
  id: Generated<number>;
  account_id: number;
  /** 2 receipt, 0 inbound reply (MO), 3 low balance. */
  msg_type: number;
  /** The record as JSON in the store's terms (store/callbacks.ts); notify/payloads.ts renders the customer's item from it. */
  payload: string;
  status: CallbackStatus;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  last_error: string | null;
  /** When it was queued (or queued again by `usms callbacks retry`); the max age counts from here. */
  queued_at: number;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export type CallbackStatus = 'pending' | 'delivered' | 'failed';

/** The first answer to a keyed request (migration 004): `Idempotency-Key` header ('k:') or uSpeedo X-Nonce ('n:'). */
export interface IdempotencyTable {
  public_key: string;
  idem_key: string;
  account_id: number;
  /** sha256 of the dialect, route and canonical params: the same key with another body is refused. */
  request_hash: string;
  /** The answer as JSON, replayed verbatim. */
  answer: string;
  created_at: number;
}

/** An SMPP carrier connection and its routes (migration 005; see store/carriers.ts). Booleans are 0/1. */
export interface CarrierTable {
  name: string;
  host: string;
  port: number;
  tls: number;
  system_id: string;
  /** AES-256-GCM sealed with the master key (auth/secrets.ts); never logged or printed. */
  password_sealed: string;
  system_type: string;
  bind_type: string; // transceiver | transmitter | transmitter+receiver
  window_size: number;
  /** Messages claimed ahead of the window (store/carriers.ts CarrierConfig.prefetch). */
  prefetch: number;
  /** Binds allowed in the whole cluster (carrier_binds leases). */
  max_binds: number;
  /** messages per second per bind; 0 = no cap */
  throughput: number;
  gsm_packing: number;
  latin1: number;
  split_method: string; // udh8 | udh16 | sar | payload
  /** 'hex' | 'decimal' | 'string', or '<submit_sm_resp format>,<receipt text format>' */
  id_format: string;
  delivery_policy: string; // at-most-once | at-least-once
  /** comma-separated calling-code prefixes, '' = any */
  route_prefixes: string;
  /** comma-separated account ids, '' = any */
  route_accounts: string;
  is_default: number;
  /** fixed originating address (service number); '' = the message's sender */
  source_addr: string;
  service_type: string;
  response_timeout_ms: number;
  enquire_link_ms: number;
  /** account that gets inbound messages nobody else owns */
  mo_account: number | null;
  /** smpp | http (migration 016) */
  kind: string;
  /** JSON of a non-SMPP carrier's settings (carriers/factory.ts); '' for SMPP */
  settings: string;
  created_at: number;
  updated_at: number;
}

/** One carrier of one route (migration 016): the rows sharing (prefix, account_id) are the route. */
export interface RouteTable {
  id: Generated<number>;
  /** calling code or longer prefix, digits; '' = every destination */
  prefix: string;
  /** null = every account */
  account_id: number | null;
  carrier: string;
  /** lower first */
  priority: number;
  /** share of traffic among carriers of equal priority and cost */
  weight: number;
  /** micro-units a segment; null = not known (after every known cost) */
  cost: number | null;
  created_at: number;
}

/** An attempt that did not end with the message sent by that carrier (migration 016). */
export interface MessageAttemptTable {
  id: Generated<number>;
  message_id: number;
  carrier: string;
  /** retry | failed | unknown */
  result: string;
  code: string;
  detail: string;
  at: number;
}

/** A carrier's live state, written every second by the delivery thread running it (migration 005). */
export interface CarrierStatusTable extends CarrierState {
  name: string;
  node: string;
  started_at: number;
  updated_at: number;
  /** 1 while the carrier takes messages on this node (bound and its circuit not open) */
  ready: number;
  /** closed | open | half-open */
  circuit: string;
}

/** One part of a message that a carrier accepted: its carrier id and its own receipt (migration 005). */
export interface MessagePartTable {
  message_id: number;
  part_no: number;
  total: number;
  carrier: string;
  /** normalised (smpp/receipt.ts normalizeMessageId) */
  carrier_msg_id: string;
  /** concatenation reference the parts share */
  ref: number;
  e164: string;
  /** sent | enroute | delivered | undelivered | expired | unknown */
  status: string;
  receipt_code: string | null;
  receipt_desc: string | null;
  receipt_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An inbound (MO) message (migration 005). account_id null: nobody owns the number. */
export interface InboundMessageTable {
  id: Generated<number>;
  account_id: number | null;
  carrier: string;
  /** the handset, E.164 with '+' */
  phone: string;
  /** the destination address as the carrier gave it (service number + ExtendCode) */
  to_addr: string;
  extend_code: string;
  /** UserId of the message this replies to, if one was found */
  user_id: string;
  content: string;
  /** id of the message this replies to, if one was found */
  message_id: number | null;
  received_at: number;
}

/** A part of a concatenated inbound message, until the message is complete or times out (migration 009). */
export interface InboundPartTable {
  carrier: string;
  source: string;
  destination: string;
  /** concatenation reference, total parts and this part's number (1-based), from the UDH or SAR TLVs */
  ref: number;
  total: number;
  seq: number;
  source_ton: number;
  content: string;
  received_at: number;
}

/** A console user (migration 013): an operator (account_id null) or a customer user of one account. */
export interface UserTable {
  id: Generated<number>;
  /** lower-cased */
  email: string;
  account_id: number | null;
  /** operator | admin | developer | viewer */
  role: string;
  /** scrypt, see auth/passwords.ts */
  password_hash: string;
  status: string; // active | disabled
  failed_logins: Generated<number>;
  locked_until: number | null;
  language: Generated<string>;
  created_at: number;
  updated_at: number;
}

/** A console login (migration 013); only the token's sha256 is stored. */
export interface ConsoleSessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** A one-time password-reset link issued by an operator (migration 013); only the token's sha256 is stored. */
export interface PasswordResetTable {
  token_hash: string;
  user_id: number;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Who changed what and when (migration 013); append-only. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  user_id: number | null;
  /** the user's email, or "cli" */
  actor: string;
  account_id: number | null;
  action: string;
  target: string;
  /** JSON, never a secret */
  detail: string;
}

/** Messages of one UTC day, account and region by outcome, for days that can no longer change (migration 014; store/overview.ts). */
export interface MessageDayCountTable {
  /** UTC days since the epoch */
  day: number;
  account_id: number;
  region: string;
  sent: number;
  delivered: number;
  failed: number;
  unknown: number;
  pending: number;
  /** micro-units charged for the messages, refunds deducted (migration 015) */
  spend: Generated<number>;
}

/** A day whose counts are in message_day_counts (migration 014). */
export interface MessageDaySettledTable {
  day: number;
  settled_at: number;
}

export type BillingMode = 'free' | 'prepaid' | 'postpaid';

/** Platform-wide settings (migration 015), e.g. 'billing_enabled_at'. */
export interface PlatformSettingTable {
  key: string;
  value: string;
}

/** A price a segment, in micro-units, for destinations starting with `prefix` (E.164 digits). */
export interface PriceTable {
  /** 0: the platform's list. */
  account_id: number;
  prefix: string;
  price: number;
  updated_at: number;
}

/** One money movement; append-only. The account's balance equals the sum of its amounts. */
export interface LedgerTable {
  id: Generated<number>;
  account_id: number;
  kind: LedgerKind;
  amount: number;
  balance_after: number;
  ref: string;
  note: string;
  actor: string;
  created_at: number;
}

export type LedgerKind = 'topup' | 'charge' | 'refund' | 'adjustment';

/** A blocked word or pattern (migration 015). */
export interface ContentRuleTable {
  id: Generated<number>;
  /** 0: platform-wide. */
  account_id: number;
  pattern: string;
  is_regex: number;
  created_by: string;
  created_at: number;
}

/** A burst to one number range, paused for the operator (migration 015). */
export interface PumpingAlarmTable {
  id: Generated<number>;
  account_id: number;
  range_prefix: string;
  status: 'open' | 'released' | 'dropped';
  detail: string;
  opened_at: number;
  closed_at: number | null;
  closed_by: string | null;
}

/** A customer's SMPP login (migration 017); active while `revoked_at` is null. */
export interface SmppUserTable {
  id: Generated<number>;
  account_id: number;
  /** 1..15 characters, unique among active users */
  system_id: string;
  /** scrypt, see auth/passwords.ts */
  password_hash: string;
  /** binds allowed at once in the whole cluster */
  max_binds: number;
  /** unanswered PDUs allowed per bind */
  window_size: number;
  /** messages per second per bind; 0 = no cap */
  throughput: number;
  /** comma-separated source addresses the user may send from; '' = the account's approved senders decide */
  allowed_sources: string;
  created_at: number;
  revoked_at: number | null;
}

export type SmppBindType = 'transmitter' | 'receiver' | 'transceiver';

/** A live SMPP bind of a customer, leased by the node holding it (migration 017). */
export interface SmppBindTable {
  id: Generated<number>;
  user_id: number;
  node: string;
  bind_type: SmppBindType;
  /** the customer's address, host:port */
  remote: string;
  since: number;
  lease_until: number;
  /** JSON of the session's counters, as of the last renewal. */
  stats: Generated<string>;
}

export type SmppOutboxKind = 'receipt' | 'reply';
export type SmppOutboxStatus = 'pending' | 'delivered' | 'expired';

/** A deliver_sm (receipt or inbound reply) owed to an SMPP user, retried until answered or expired (migration 017). */
export interface SmppOutboxTable {
  id: Generated<number>;
  user_id: number;
  account_id: number;
  message_id: number | null;
  kind: SmppOutboxKind;
  /** JSON the deliver_sm is rendered from */
  payload: string;
  status: SmppOutboxStatus;
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_owner: string | null;
  /** 0 when not leased */
  lease_until: Generated<number>;
  created_at: number;
  expires_at: number;
  delivered_at: number | null;
  last_error: string | null;
}
