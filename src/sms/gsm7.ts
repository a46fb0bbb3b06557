// GSM 03.38 / 3GPP TS 23.038 default alphabet, its extension table, and 7-bit packing.
// Also Latin-1 helpers for SMPP data_coding 3.

const ESC = 0x1b;

// Basic table, indexed by septet value. Position 0x1B is the escape to the
// extension table, not a character; it is skipped when building the lookup.
const BASIC =
  '@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5' +
  '\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1b\u00c6\u00e6\u00df\u00c9' +
  ' !"#\u00a4%&\'()*+,-./0123456789:;<=>?' +
  '\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7' +
  '\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0';

// Extension table: septet after ESC -> character.
const EXTENSION: ReadonlyArray<readonly [number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '\u20ac'],
];

// UTF-16 code unit -> septet code; extension characters carry EXT_FLAG.
const EXT_FLAG = 0x100;
const TO_GSM = new Map<number, number>();
for (let code = 0; code < 128; code++) {
  if (code !== ESC) TO_GSM.set(BASIC.charCodeAt(code), code);
}
for (const [code, ch] of EXTENSION) TO_GSM.set(ch.charCodeAt(0), code | EXT_FLAG);

const EXT_TO_CHAR = new Map<number, string>(EXTENSION);

/** Septets needed for one UTF-16 code unit: 1 (basic), 2 (extension) or 0 (not GSM-7). */
export function gsm7CharSeptets(charCode: number): 0 | 1 | 2 {
  const gsm = TO_GSM.get(charCode);
  if (gsm === undefined) return 0;
  return gsm & EXT_FLAG ? 2 : 1;
}

export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!TO_GSM.has(text.charCodeAt(i))) return false;
  }
  return true;
}

/** Septet count of a GSM-7 text; extension characters count 2. Throws RangeError on a non-GSM character. */
export function gsm7Septets(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const n = gsm7CharSeptets(text.charCodeAt(i));
    if (n === 0) throw notGsm(text, i);
    septets += n;
  }
  return septets;
}

/** Unpacked GSM-7: one septet per octet, extension characters as 0x1B + code. */
export function encodeGsm7(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const gsm = TO_GSM.get(text.charCodeAt(i));
    if (gsm === undefined) throw notGsm(text, i);
    if (gsm & EXT_FLAG) out[n++] = ESC;
    out[n++] = gsm & 0x7f;
  }
  return out.subarray(0, n);
}

/**
 * Inverse of encodeGsm7. Per TS 23.038, an escape followed by a code missing
 * from the extension table shows the basic-table character for that code, and
 * ESC ESC (reserved for a further extension table) shows a space; a trailing
 * lone ESC also becomes a space. Octets above 0x7F are not septets and become '?'.
 */
export function decodeGsm7(buf: Buffer): string {
  let out = '';
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b > 0x7f) {
      out += '?';
    } else if (b !== ESC) {
      out += BASIC[b];
    } else {
      const next = buf[++i];
      if (next === undefined || next === ESC) out += ' ';
      else if (next > 0x7f) out += '?';
      else out += EXT_TO_CHAR.get(next) ?? BASIC[next];
    }
  }
  return out;
}

/**
 * Packs septets (low 7 bits of each octet) LSB-first into octets. `fillBits`
 * zero bits come first, so the text starts on a septet boundary after a UDH.
 */
export function packSeptets(septets: Buffer, fillBits = 0): Buffer {
  const out = Buffer.alloc(Math.ceil((fillBits + septets.length * 7) / 8));
  let bit = fillBits;
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= s >> (8 - shift);
    bit += 7;
  }
  return out;
}

/** Reads `count` septets from packed octets, skipping `fillBits` leading bits. */
export function unpackSeptets(packed: Buffer, count: number, fillBits = 0): Buffer {
  if (fillBits + count * 7 > packed.length * 8) {
    throw new RangeError(`cannot unpack ${count} septets from ${packed.length} octets`);
  }
  const out = Buffer.alloc(count);
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let s = packed[byte]! >> shift;
    if (shift > 1) s |= packed[byte + 1]! << (8 - shift);
    out[i] = s & 0x7f;
    bit += 7;
  }
  return out;
}

/** True if every character is in U+0000..U+00FF (SMPP data_coding 3). */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return false;
  }
  return true;
}

/** ISO-8859-1 bytes; throws RangeError instead of silently truncating like Buffer.from(text, 'latin1'). */
export function encodeLatin1(text: string): Buffer {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) throw new RangeError(`${describe(text, i)} is not Latin-1`);
  }
  return Buffer.from(text, 'latin1');
}

function notGsm(text: string, i: number): RangeError {
  return new RangeError(`${describe(text, i)} is not GSM-7`);
}

function describe(text: string, i: number): string {
  const cp = text.codePointAt(i)!;
  return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${i}`;
}
