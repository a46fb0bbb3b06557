import { HEADER_LENGTH } from './constants.ts';

/** Growable big-endian writer; the first 16 octets are reserved for the PDU header. */
export class BufferWriter {
  private buf: Buffer;
  private offset = HEADER_LENGTH;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, HEADER_LENGTH));
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.offset + n));
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.offset);
    this.offset += 1;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  /** Writes `s` (latin1) plus NUL; throws RangeError if it does not fit a field of `max` octets. */
  cstring(s: string, max: number, field = 'string'): this {
    const len = Buffer.byteLength(s, 'latin1');
    if (len + 1 > max) throw new RangeError(`${field} is longer than ${max - 1} octets`);
    this.ensure(len + 1);
    this.buf.write(s, this.offset, 'latin1');
    this.offset += len;
    this.buf[this.offset++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  /** Fills in the header and returns the finished PDU. */
  finish(commandId: number, status: number, sequence: number): Buffer {
    const out = this.buf.subarray(0, this.offset);
    out.writeUInt32BE(this.offset, 0);
    out.writeUInt32BE(commandId >>> 0, 4);
    out.writeUInt32BE(status >>> 0, 8);
    out.writeUInt32BE(sequence >>> 0, 12);
    return out;
  }
}
