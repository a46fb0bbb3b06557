import { BufferReader, DecodeError } from './buffer-reader.ts';
import { CommandStatus, DEFAULT_MAX_PDU_LENGTH, HEADER_LENGTH, commandNameOf, isResponseId } from './constants.ts';
import { LAYOUTS, type Pdu } from './pdu.ts';
import { readTlvs } from './tlv.ts';

/**
 * A PDU that could not be decoded. Never thrown: the parser returns it so the session can answer
 * with generic_nack(status). `fatal` means the frame boundary is lost (bad command_length) and the
 * connection must be closed after the nack.
 */
export class PduError {
  readonly kind = 'error';
  constructor(
    readonly status: number,
    readonly message: string,
    readonly commandId: number,
    readonly sequence: number,
    readonly fatal: boolean,
  ) {}
}

export type ParseResult = Pdu | PduError;

export interface ParserOptions {
  /** Largest accepted command_length; default 64 KiB. */
  maxLength?: number;
}

const EMPTY = Buffer.alloc(0);

/** Splits a byte stream into PDUs, whatever the chunking. Never throws. */
export class Parser {
  private pending: Buffer = EMPTY;
  private broken = false;
  private readonly maxLength: number;

  constructor(options: ParserOptions = {}) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_PDU_LENGTH;
  }

  /** Feeds one chunk; returns every complete PDU (or error) it finished, in order. */
  parse(chunk: Buffer): ParseResult[] {
    const out: ParseResult[] = [];
    if (this.broken || chunk.length === 0) return out;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const length = buf.readUInt32BE(off);
      if (length < HEADER_LENGTH || length > this.maxLength) {
        const commandId = buf.length - off >= 8 ? buf.readUInt32BE(off + 4) : 0;
        const sequence = buf.length - off >= 16 ? buf.readUInt32BE(off + 12) : 0;
        out.push(new PduError(CommandStatus.ESME_RINVCMDLEN, `command_length ${length} outside ${HEADER_LENGTH}..${this.maxLength}`, commandId, sequence, true));
        this.broken = true;
        this.pending = EMPTY;
        return out;
      }
      if (buf.length - off < length) break;
      out.push(decodeFrame(buf.subarray(off, off + length)));
      off += length;
    }
    // Copy the tail so a small partial frame does not keep a large chunk alive.
    this.pending = off === buf.length ? EMPTY : Buffer.from(buf.subarray(off));
    return out;
  }

  /** True after a fatal error: the stream cannot be resynchronised. */
  get isBroken(): boolean {
    return this.broken;
  }
}

/** Decodes one complete frame (`frame.length` equals its command_length). */
export function decodeFrame(frame: Buffer): ParseResult {
  let commandId = 0;
  let sequence = 0;
  try {
    if (frame.length < HEADER_LENGTH || frame.readUInt32BE(0) !== frame.length) {
      return new PduError(CommandStatus.ESME_RINVCMDLEN, 'frame length does not match command_length', 0, 0, true);
    }
    commandId = frame.readUInt32BE(4);
    const status = frame.readUInt32BE(8);
    sequence = frame.readUInt32BE(12);
    const command = commandNameOf(commandId);
    if (!command) {
      return new PduError(CommandStatus.ESME_RINVCMDID, `unknown command_id 0x${commandId.toString(16)}`, commandId, sequence, false);
    }
    const reader = new BufferReader(frame, HEADER_LENGTH, frame.length);
    const pdu: Record<string, unknown> = { command, status, sequence };
    // Peers often send responses header-only (always on errors, sometimes on deliver_sm_resp):
    // for responses a body that stops at a field boundary leaves the remaining fields empty.
    const lenient = isResponseId(commandId);
    for (const f of LAYOUTS[command]) {
      if (lenient && reader.remaining() === 0) {
        pdu[f.name] = f.type === 'u8' ? 0 : f.type === 'cstring' ? '' : Buffer.alloc(0);
        continue;
      }
      if (f.type === 'u8') {
        pdu[f.name] = reader.u8(f.name);
      } else if (f.type === 'cstring') {
        pdu[f.name] = reader.cstring(f.max, f.name);
      } else {
        const smLength = reader.u8('sm_length');
        if (smLength > reader.remaining()) {
          return new PduError(CommandStatus.ESME_RINVMSGLEN, `sm_length ${smLength} runs past the end of the PDU`, commandId, sequence, false);
        }
        pdu[f.name] = reader.bytes(smLength);
      }
    }
    pdu.tlvs = readTlvs(reader);
    return pdu as unknown as Pdu;
  } catch (err) {
    if (err instanceof DecodeError) return new PduError(err.status, err.message, commandId, sequence, false);
    return new PduError(CommandStatus.ESME_RSYSERR, `decode failed: ${String(err)}`, commandId, sequence, false);
  }
}
