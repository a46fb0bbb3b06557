// Segment analysis and splitting (3GPP TS 23.038 / 23.040).
import { gsm7CharSeptets, isGsm7 } from './gsm7.ts';

export type SmsEncoding = 'GSM7' | 'UCS2';

export interface TextAnalysis {
  encoding: SmsEncoding;
  /** Septets for GSM7, UTF-16 code units for UCS2. */
  units: number;
  segments: number;
  /** Capacity of each segment: single-message capacity if one segment, else the per-part capacity. */
  perSegment: number;
}

const SINGLE = { GSM7: 160, UCS2: 70 } as const;
// Per-part capacity with the 6-octet concatenation UDH (8-bit reference).
const MULTIPART = { GSM7: 153, UCS2: 67 } as const;

export function analyzeText(text: string): TextAnalysis {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM7' : 'UCS2';
  const units = partEnds(text, encoding, Infinity).units;
  if (units <= SINGLE[encoding]) {
    return { encoding, units, segments: 1, perSegment: SINGLE[encoding] };
  }
  const perSegment = MULTIPART[encoding];
  return { encoding, units, segments: partEnds(text, encoding, perSegment).ends.length, perSegment };
}

/**
 * Greedily splits text into parts of at most `partCapacity` units, never
 * splitting a GSM-7 escape pair or a UTF-16 surrogate pair. The caller decides
 * whether splitting is needed at all (text that fits a single message is sent
 * whole). Empty text yields one empty part. Throws RangeError if `encoding`
 * is GSM7 and the text is not, or if `partCapacity` < 2.
 */
export function splitText(text: string, encoding: SmsEncoding, partCapacity: number): string[] {
  const { ends } = partEnds(text, encoding, partCapacity);
  const parts: string[] = [];
  let start = 0;
  for (const end of ends) {
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/** Exclusive end index of each greedy part, plus the total unit count. */
function partEnds(text: string, encoding: SmsEncoding, capacity: number): { ends: number[]; units: number } {
  // Below 2, a double-width character could never be placed.
  if (!(capacity >= 2)) throw new RangeError(`part capacity must be at least 2, got ${capacity}`);
  const ends: number[] = [];
  let units = 0;
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    let width: number;
    if (encoding === 'GSM7') {
      width = gsm7CharSeptets(code);
      if (width === 0) throw new RangeError(`character at index ${i} is not GSM-7`);
    } else {
      width = isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
    }
    if (used + width > capacity) {
      ends.push(i);
      used = 0;
    }
    used += width;
    units += width;
    // A GSM-7 escape pair is one UTF-16 unit; a surrogate pair is two.
    i += encoding === 'UCS2' ? width : 1;
  }
  ends.push(text.length);
  return { ends, units };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
