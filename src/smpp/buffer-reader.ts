import { CommandStatus } from './constants.ts';

/** Thrown by BufferReader on malformed input; the parser turns it into a PduError, never lets it escape. */
export class DecodeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Bounds-checked big-endian reads over `buf[offset, end)`. */
export class BufferReader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
    private readonly end: number,
  ) {}

  remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new DecodeError(CommandStatus.ESME_RINVCMDLEN, `${what} runs past the end of the PDU`);
    }
  }

  u8(what = 'integer'): number {
    this.need(1, what);
    return this.buf[this.offset++]!;
  }

  u16(what = 'integer'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(what = 'integer'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A NUL-terminated string of at most `max` octets including the NUL (the spec's field size). */
  cstring(max: number, what = 'C-octet string'): string {
    const limit = Math.min(this.end, this.offset + max);
    const nul = this.buf.indexOf(0, this.offset);
    if (nul === -1 || nul >= this.end) {
      throw new DecodeError(CommandStatus.ESME_RINVCMDLEN, `${what} has no terminating NUL before the end of the PDU`);
    }
    if (nul >= limit) {
      throw new DecodeError(CommandStatus.ESME_RINVPARLEN, `${what} is longer than ${max - 1} octets`);
    }
    const s = this.buf.toString('latin1', this.offset, nul);
    this.offset = nul + 1;
    return s;
  }

  /** A copy, so a decoded PDU never pins the socket's (possibly large) chunk in memory. */
  bytes(n: number, what = 'octet string'): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.buf.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }
}
