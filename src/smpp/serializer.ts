import { BufferWriter } from './buffer-writer.ts';
import { COMMAND_IDS, isResponseId } from './constants.ts';
import { LAYOUTS, MAX_SHORT_MESSAGE, type Pdu } from './pdu.ts';
import { writeTlvs } from './tlv.ts';

/**
 * Encodes a PDU to its exact wire bytes. Throws RangeError on values that cannot be encoded
 * (a string longer than its field, short_message over 254 octets): that is a caller bug, not wire input.
 *
 * A response with a non-zero command_status is sent header-only, as the spec requires for
 * bind and submit responses and peers expect for the others.
 */
export function serialize(pdu: Pdu): Buffer {
  const id = COMMAND_IDS[pdu.command];
  if (id === undefined) throw new RangeError(`unknown command ${String(pdu.command)}`);
  const writer = new BufferWriter(pdu.command === 'submit_sm' || pdu.command === 'deliver_sm' ? 320 : 64);
  if (!(isResponseId(id) && pdu.status !== 0)) {
    const body = pdu as unknown as Record<string, unknown>;
    for (const f of LAYOUTS[pdu.command]) {
      const v = body[f.name];
      if (f.type === 'u8') {
        writer.u8(Number(v ?? 0) & 0xff);
      } else if (f.type === 'cstring') {
        writer.cstring(String(v ?? ''), f.max, f.name);
      } else {
        const sm = (v ?? Buffer.alloc(0)) as Uint8Array;
        if (sm.length > MAX_SHORT_MESSAGE) {
          throw new RangeError(`short_message is ${sm.length} octets; use the messagePayload TLV beyond ${MAX_SHORT_MESSAGE}`);
        }
        writer.u8(sm.length).bytes(sm);
      }
    }
    writeTlvs(writer, pdu.tlvs);
  }
  return writer.finish(id, pdu.status, pdu.sequence);
}
