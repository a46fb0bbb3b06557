import { analyzeText } from './encoding.ts';
import { RetCode } from './errors.ts';
import { normalizePhone } from './phone.ts';
import { renderTemplate } from './template.ts';

/** What a validated target becomes: one row of the messages table. */
export interface MessageDraft {
  phone: string;
  e164: string;
  region: string;
  templateId: string;
  sender: string;
  content: string;
  encoding: string;
  segments: number;
  userId: string;
  extendCode: string;
}

export interface TargetInput {
  phone: unknown;
  params: string[];
  userId: unknown;
  extendCode: unknown;
}

export interface TemplateRef {
  id: string;
  content: string;
  paramCount: number;
  /** 3 = marketing: its unsubscribe note is part of every text sent with it. */
  purpose?: number;
  unsubscribeInfo?: string;
}

const MARKETING = 3;

/** The template rendered; a marketing template's unsubscribe note is appended unless the text already has it. */
export function renderBody(template: TemplateRef, params: string[]): string {
  const body = renderTemplate(template.content, params);
  const note = template.purpose === MARKETING ? template.unsubscribeInfo?.trim() : undefined;
  return note && !body.includes(note) ? `${body} ${note}` : body;
}

export const MAX_CONTENT_CHARS = 500;
export const BLACKLISTED = 'phone in the black list';
export const OPTED_OUT = 'phone opted out by replying STOP';

/**
 * The longest UserId accepted, in characters. The documents say 32, but seed 000's own example (a
 * documented success) carries 38: UserIds are stored and echoed as given up to this bound instead.
 */
export const MAX_USER_ID_CHARS = 128;

/** UserId: at most MAX_USER_ID_CHARS characters; no quotes, control characters, emoji or other symbols. */
export function userIdProblem(userId: unknown): string | undefined {
  if (userId === undefined || userId === null || userId === '') return undefined;
  if (typeof userId !== 'string') return 'UserId must be a string';
  if ([...userId].length > MAX_USER_ID_CHARS) return `UserId is longer than ${MAX_USER_ID_CHARS} characters`;
  if (!/^[\p{L}\p{N} _\-.:@#/+=,]*$/u.test(userId)) return 'UserId contains a special character (quotes, emoji and symbols are not allowed)';
  return undefined;
}

export function extendCodeProblem(code: unknown): string | undefined {
  if (code === undefined || code === null || code === '') return undefined;
  if (typeof code !== 'string' && typeof code !== 'number') return 'ExtendCode must be a string of digits';
  if (!/^\d{1,12}$/.test(String(code))) return 'ExtendCode must be 1 to 12 digits';
  return undefined;
}

/**
 * Mainland China shows the signature as 【Sig】 at the start of the text; elsewhere the
 * sender is the originating address and not part of the text.
 */
export function composeText(region: string, sender: string, body: string): string {
  return region === 'CN' && sender ? `【${sender}】${body}` : body;
}

/**
 * Checks one target against an approved template and sender; the blacklist is checked by the caller
 * (it needs the normalised number). Returns the draft or the reason it was refused.
 */
export function validateTarget(
  target: TargetInput,
  template: TemplateRef,
  sender: string,
  defaultRegion: string,
): { ok: true; draft: MessageDraft } | { ok: false; reason: string; retCode: number } {
  if (typeof target.phone !== 'string' || target.phone === '') return { ok: false, reason: 'missing Phone', retCode: RetCode.MissingParameter };
  const phone = normalizePhone(target.phone, defaultRegion);
  if (!phone.ok) return { ok: false, reason: phone.reason, retCode: RetCode.SomeNumbersInvalid };
  if (target.params.length !== template.paramCount) {
    return {
      ok: false,
      reason: `template ${template.id} takes ${template.paramCount} parameter(s), got ${target.params.length}`,
      retCode: RetCode.ParamsMismatch,
    };
  }
  const userIdBad = userIdProblem(target.userId);
  if (userIdBad) return { ok: false, reason: userIdBad, retCode: RetCode.InvalidParameter };
  const extendBad = extendCodeProblem(target.extendCode);
  if (extendBad) return { ok: false, reason: extendBad, retCode: RetCode.InvalidParameter };
  if (phone.region === 'CN' && !sender) {
    return { ok: false, reason: 'a signature (SigContent/SenderId) is required for mainland China numbers', retCode: RetCode.NoApprovedSignature };
  }
  const content = composeText(phone.region, sender, renderBody(template, target.params));
  const chars = [...content].length;
  if (chars > MAX_CONTENT_CHARS) {
    return { ok: false, reason: `content is ${chars} characters, more than ${MAX_CONTENT_CHARS}`, retCode: RetCode.InvalidParameter };
  }
  const text = analyzeText(content);
  return {
    ok: true,
    draft: {
      phone: target.phone,
      e164: phone.e164,
      region: phone.region,
      templateId: template.id,
      sender,
      content,
      encoding: text.encoding,
      segments: text.segments,
      userId: typeof target.userId === 'string' ? target.userId : '',
      extendCode: target.extendCode === undefined || target.extendCode === null ? '' : String(target.extendCode),
    },
  };
}
