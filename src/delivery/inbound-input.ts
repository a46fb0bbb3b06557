import type { Logger } from 'pino';
import type { ReplyWords } from '../compliance/opt-out.ts';
import type { InboundText } from '../sms/carrier-events.ts';
import type { Db } from '../store/db.ts';
import { storeInbound, type StoredInbound } from '../store/inbound.ts';
import { storeInboundPart, type InboundInputOf } from '../store/inbound-parts.ts';

/** A concatenated MO still missing parts this long after its first part is stored with what arrived. */
export const MO_PART_TIMEOUT_MS = 60_000;

/**
 * An inbound message's addresses and text as stored for `carrier`: the phone as E.164 when it is a
 * number, the ExtendCode after the connector's `sourceAddr` (none when that is not a number),
 * `moAccount` for messages that match no account, and the opt-out words (the defaults when absent).
 */
export function moInputFor(carrier: string, sourceAddr: string, moAccount: number | null = null, replyWords?: ReplyWords): InboundInputOf {
  const fixed = sourceAddr.replace(/^\+/, '');
  return (source, destination, ton, content, receivedAt) => {
    const digits = source.replace(/^\+/, '');
    const phone = /^\d+$/.test(digits) && (ton === 1 || source.startsWith('+') || digits.length >= 10) ? `+${digits}` : source;
    const extendCode = /^\d+$/.test(fixed) && destination.startsWith(fixed) ? destination.slice(fixed.length) : '';
    return { carrier, phone, toAddr: destination, extendCode, content, receivedAt, moAccount, ...(replyWords ? { replyWords } : {}) };
  };
}

/**
 * Stores what a carrier received: a whole message at once, a part until the part that completes the
 * message stores it whole (store/inbound-parts.ts). Returns the stored message, or undefined while parts are missing.
 */
export async function storeCarrierInbound(db: Db, carrier: string, inputOf: InboundInputOf, mo: InboundText, log: Logger): Promise<StoredInbound | undefined> {
  const stored = mo.concat
    ? await storeInboundPart(db, { carrier, source: mo.source, destination: mo.destination, ...mo.concat, sourceTon: mo.sourceTon, content: mo.text, receivedAt: mo.receivedAt }, inputOf)
    : await storeInbound(db, inputOf(mo.source, mo.destination, mo.sourceTon, mo.text, mo.receivedAt));
  if (stored?.accountId === null) log.warn({ carrier, to: mo.destination }, 'inbound message matched no account; stored without one');
  return stored;
}
