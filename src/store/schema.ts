import type { Generated } from 'kysely';

/** Table types for Kysely. Times are unix milliseconds. */
export interface Database {
  accounts: AccountTable;
  api_keys: ApiKeyTable;
  templates: TemplateTable;
  senders: SenderTable;
  blacklist: BlacklistTable;
  sessions: SessionTable;
  messages: MessageTable;
}

export interface AccountTable {
  id: number;
  project_id: string;
  name: string;
  region: string;
  status: string; // active | disabled
  created_at: number;
}

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
}

export interface SenderTable {
  id: string;
  account_id: number;
  name: string;
  status: number;
  reason: string;
  created_at: number;
}

export interface BlacklistTable {
  account_id: number;
  phone: string; // E.164 with '+'
  created_at: number;
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
}

/** DESIGN.md message states; `rejected` targets never reach the table (they are answered in FailContent). */
export type MessageStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'failed'
  | 'unknown';

export const FINAL_STATUSES: readonly MessageStatus[] = ['delivered', 'undelivered', 'expired', 'failed', 'unknown'];
