/**
 * The submit_sm_resp command_status for a submit usms refused, from the RetCode (and, where one RetCode
 * covers refusals a client should tell apart, the reason) the send path answered.
 *
 * | RetCode | when the reason starts with | command_status | |
 * | --- | --- | --- | --- |
 * | 0 | | 0x000 ESME_ROK | accepted |
 * | 18014 | `phone in the black list`, `phone opted out` | 0x404 USMS_RDSTBLOCKED | the account's blacklist, or the phone replied STOP |
 * | 18014 | `send limit reached` | 0x405 USMS_RSENDLIMIT | a per-phone send limit (see below) |
 * | 18014 | | 0x00B ESME_RINVDSTADR | not a valid number, its country not enabled or not priced for the account |
 * | 18019 | | 0x033 ESME_RINVNUMDESTS | too many destinations |
 * | 18016 | | 0x00A ESME_RINVSRCADR | no approved signature (【...】) or sender for this source |
 * | 18017, 18018 | | 0x401 USMS_RNOTEMPLATE | the text matches none of the account's approved templates |
 * | 18023, 18033 | | 0x402 USMS_RBLOCKEDCONTENT | the text contains a blocked word or pattern |
 * | 18013 | | 0x403 USMS_RNOBALANCE | insufficient balance |
 * | 18003 | `content is ` | 0x001 ESME_RINVMSGLEN | the text is longer than a message may be |
 * | 173 | | 0x045 ESME_RSUBMITFAIL | the account is restricted or suspended |
 * | 200, 18004 | | 0x008 ESME_RSYSERR | usms could not take the message now; a later retry may pass |
 * | any other | | 0x045 ESME_RSUBMITFAIL | |
 *
 * SMPP 3.4 leaves 0x400-0x4FF to the SMSC vendor; the USMS_ statuses are there so a client can tell a refusal
 * it must fix (a template, its balance, its content) from a generic failure. Clients that do not know them
 * still see a non-zero status that is not a throttling one, which most treat as a permanent failure of that message.
 * A per-phone send limit is USMS_RSENDLIMIT, not ESME_RTHROTTLED: throttling tells a client to slow the whole
 * bind and retry the same message, which would slow every other destination for one phone's limit and retry a
 * message that stays refused until the limit's window (up to a day) has passed.
 */
import { CommandStatus, statusName } from '../smpp/constants.ts';
import { RetCode } from '../sms/errors.ts';
import { BLACKLISTED, OPTED_OUT } from '../sms/validate.ts';

/** usms's statuses in the SMSC vendor range 0x400-0x4FF. */
export const UsmsStatus = {
  USMS_RNOTEMPLATE: 0x401,
  USMS_RBLOCKEDCONTENT: 0x402,
  USMS_RNOBALANCE: 0x403,
  USMS_RDSTBLOCKED: 0x404,
  USMS_RSENDLIMIT: 0x405,
} as const;

export interface SmppRefusal {
  retCodes: readonly number[];
  /** The row applies only when the reason starts with one of these. */
  reasonStartsWith?: readonly string[];
  status: number;
  name: string;
  meaning: string;
}

const row = (retCodes: readonly number[], name: keyof typeof CommandStatus | keyof typeof UsmsStatus, meaning: string, reasonStartsWith?: readonly string[]): SmppRefusal => ({
  retCodes,
  ...(reasonStartsWith ? { reasonStartsWith } : {}),
  status: name in UsmsStatus ? UsmsStatus[name as keyof typeof UsmsStatus] : CommandStatus[name as keyof typeof CommandStatus],
  name,
  meaning,
});

/** Searched in order: the first row whose RetCode (and reason, where given) fits wins. */
export const SMPP_REFUSALS: readonly SmppRefusal[] = [
  row([RetCode.Ok], 'ESME_ROK', 'accepted'),
  row([RetCode.SomeNumbersInvalid], 'USMS_RDSTBLOCKED', "the destination is on the account's blacklist or replied STOP", [BLACKLISTED, OPTED_OUT]),
  row([RetCode.SomeNumbersInvalid], 'USMS_RSENDLIMIT', 'a per-phone send limit for this destination is reached', ['send limit reached']),
  row([RetCode.SomeNumbersInvalid], 'ESME_RINVDSTADR', 'the destination is not a valid number, or its country is not enabled or priced for the account'),
  row([RetCode.TooManyNumbers], 'ESME_RINVNUMDESTS', 'too many destinations'),
  row([RetCode.NoApprovedSignature], 'ESME_RINVSRCADR', 'no approved signature or sender for this source'),
  row([RetCode.TemplateNotApproved, RetCode.ParamsMismatch], 'USMS_RNOTEMPLATE', "the text matches none of the account's approved templates"),
  row([RetCode.BlockedKeyword, RetCode.VariableContentNotCompliant], 'USMS_RBLOCKEDCONTENT', 'the text contains a blocked word or pattern'),
  row([RetCode.InsufficientBalance], 'USMS_RNOBALANCE', 'insufficient balance'),
  row([RetCode.InvalidParameter], 'ESME_RINVMSGLEN', 'the text is longer than a message may be', ['content is ']),
  row([RetCode.AccountRestricted], 'ESME_RSUBMITFAIL', 'the account is restricted or suspended'),
  row([RetCode.ServiceUnavailable, RetCode.ServiceError], 'ESME_RSYSERR', 'usms could not take the message now'),
];

/** The submit_sm_resp command_status for a RetCode, refined by the refusal's reason where the table says so. */
export function smppStatusFor(retCode: number, reason = ''): number {
  for (const r of SMPP_REFUSALS) {
    if (!r.retCodes.includes(retCode)) continue;
    if (r.reasonStartsWith && !r.reasonStartsWith.some((p) => reason.startsWith(p))) continue;
    return r.status;
  }
  return CommandStatus.ESME_RSUBMITFAIL;
}

const VENDOR_NAMES = new Map<number, string>(Object.entries(UsmsStatus).map(([name, v]) => [v, name]));

/** `ESME_RINVDSTADR`, `USMS_RNOTEMPLATE`, or `0x00000499` style for codes neither names. */
export function smppStatusName(status: number): string {
  return VENDOR_NAMES.get(status) ?? statusName(status);
}
