import { RetCode, UsmsError } from '../sms/errors.ts';
import { matchTemplate, splitSignature } from '../sms/template-match.ts';
import type { Template } from '../store/templates.ts';
import type { ActionContext } from './context.ts';
import { sendBatch } from './send.ts';

/** How an account's SMPP text is checked: against its approved templates (the default), or free text. */
export type SmppContentMode = 'template' | 'free';

/** One whole message from an SMPP customer, its parts joined and its text decoded. */
export interface SmppSubmit {
  text: string;
  /** source_addr as sent. */
  source: string;
  /** The destination as a phone number (with + when the bind said it is international). */
  phone: string;
  /** registered_delivery asked for a receipt. */
  receipt: boolean;
  smppUserId: number;
  /** Source addresses this user may send from; empty: the account's approved senders decide. */
  allowedSources: readonly string[];
  mode: SmppContentMode;
}

export type SmppSubmitResult =
  | { ok: true; sessionNo: string; templateId: string }
  | { ok: false; retCode: number; reason: string };

/** The action name messages submitted over SMPP are stored under. */
export const SMPP_ACTION = 'SMPP submit_sm';

/** The template id free-text messages are stored with (real ids are generated, e.g. UTA..., so it cannot clash). */
export const FREE_TEXT_TEMPLATE = 'free-text';

/**
 * An SMPP submit through the same path as the API's sends: the sender and template checks, content
 * rules, blacklist, send limits, price and storage. The sender is the text's 【signature】 when it has
 * one, else the source address. In template mode the text (without the signature) must match one of the
 * account's approved templates, whose id is recorded; in free mode any text goes, as if it were a template
 * of its own with no parameters.
 */
export async function submitFromSmpp(ctx: ActionContext, m: SmppSubmit): Promise<SmppSubmitResult> {
  if (m.allowedSources.length > 0 && !m.allowedSources.includes(m.source)) {
    return { ok: false, retCode: RetCode.NoApprovedSignature, reason: `source address "${m.source}" is not one this SMPP user may send from` };
  }
  const { sender, body } = splitSignature(m.text);
  let template: Template | undefined;
  let params: string[] = [];
  if (m.mode === 'free') {
    template = freeTextTemplate(ctx.caller.accountId, body);
  } else {
    const found = matchTemplate(body, await ctx.services.lookups.approvedTemplates(ctx.caller.accountId));
    if (!found) return { ok: false, retCode: RetCode.TemplateNotApproved, reason: 'the text matches none of the account\'s approved templates' };
    template = found.template as Template;
    params = found.params;
  }
  const resolved = template;
  let outcome: Awaited<ReturnType<typeof sendBatch>>;
  try {
    outcome = await sendBatch(ctx, [{ TemplateId: resolved.id, SigContent: sender ?? m.source, Target: [{ Phone: m.phone, TemplateParams: params }] }], {
      action: SMPP_ACTION,
      senderField: 'SigContent',
      maxNumbers: 1,
      sessionPerGroup: false,
      allOrNothing: true,
      templateOf: async () => resolved,
      stamp: { smppUserId: m.smppUserId, smppReceipt: m.receipt },
    });
  } catch (err) {
    // A refusal of the whole request (an insufficient balance, say) is this message's refusal.
    if (err instanceof UsmsError) return { ok: false, retCode: err.retCode, reason: err.message };
    throw err;
  }
  const sessionNo = outcome.sessionNos[0];
  if (outcome.successCount === 1 && sessionNo) return { ok: true, sessionNo, templateId: resolved.id };
  const failure = outcome.failed[0];
  return { ok: false, retCode: failure?.retCode ?? RetCode.ServiceError, reason: failure?.reason ?? 'not stored' };
}

function freeTextTemplate(accountId: number, body: string): Template {
  return {
    id: FREE_TEXT_TEMPLATE, accountId, name: 'free text', content: body, purpose: 2, status: 1, paramCount: 0, reason: '', remark: '',
    unsubscribeInfo: '', instruction: '', international: true, createdAt: 0, updatedAt: 0,
  };
}
