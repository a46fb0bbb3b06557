import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeGsm7,
  encodeGsm7,
  encodeLatin1,
  gsm7CharSeptets,
  gsm7Septets,
  isGsm7,
  isLatin1,
  packSeptets,
  unpackSeptets,
} from './gsm7.ts';

const BASIC_CHARS =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXT_CHARS = '\f^{}\\[~]|€';

const hex = (b: Buffer) => b.toString('hex').toUpperCase();

// Independent reference: lay septets out as a little-endian bit string.
function referencePack(septets: number[], fillBits: number): Buffer {
  const bits: number[] = new Array(fillBits).fill(0);
  for (const s of septets) for (let k = 0; k < 7; k++) bits.push((s >> k) & 1);
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => (out[i >> 3] |= bit << (i & 7)));
  return out;
}

test('basic table has 127 characters plus ESC, each one septet', () => {
  assert.equal([...BASIC_CHARS].length, 127);
  for (const ch of BASIC_CHARS) assert.equal(gsm7CharSeptets(ch.charCodeAt(0)), 1, ch);
  assert.equal(gsm7Septets(BASIC_CHARS), 127);
});

test('basic table codes follow GSM 03.38 order', () => {
  const codes = [...encodeGsm7(BASIC_CHARS)];
  const expected = [...Array(128).keys()].filter((c) => c !== 0x1b);
  assert.deepEqual(codes, expected);
});

test('extension characters cost two septets and encode as ESC + code', () => {
  assert.equal(gsm7Septets(EXT_CHARS), 20);
  assert.equal(hex(encodeGsm7(EXT_CHARS)), '1B0A1B141B281B291B2F1B3C1B3D1B3E1B401B65');
  assert.equal(hex(encodeGsm7('a€b')), '611B6562');
});

test('isGsm7', () => {
  assert.ok(isGsm7(''));
  assert.ok(isGsm7('Hello @ £5 {x} €'));
  assert.ok(isGsm7(BASIC_CHARS + EXT_CHARS));
  assert.ok(!isGsm7('`')); // backtick is not in GSM 03.38
  assert.ok(!isGsm7('ç')); // only capital Ç is at 0x09
  assert.ok(!isGsm7('你好'));
  assert.ok(!isGsm7('hi 😀'));
  assert.ok(!isGsm7('\x1b')); // ESC is not a character
  assert.ok(!isGsm7('\t'));
  assert.ok(!isGsm7('\u2126')); // OHM SIGN U+2126, not GREEK CAPITAL OMEGA U+03A9
});

test('non-GSM characters throw RangeError', () => {
  assert.throws(() => encodeGsm7('abc你'), RangeError);
  assert.throws(() => gsm7Septets('😀'), RangeError);
  assert.throws(() => encodeGsm7('x\x1b'), /U\+001B at index 1/);
});

test('encode/decode round trip', () => {
  for (const text of ['', 'hello', BASIC_CHARS, EXT_CHARS, 'Price: 5€ [promo] {code} ~100% | a\\b ^^', '\f\r\n']) {
    assert.equal(decodeGsm7(encodeGsm7(text)), text);
  }
});

test('decode: unknown escape shows the basic character, ESC ESC and trailing ESC show a space', () => {
  assert.equal(decodeGsm7(Buffer.from([0x1b, 0x41])), 'A');
  assert.equal(decodeGsm7(Buffer.from([0x1b, 0x00])), '@');
  assert.equal(decodeGsm7(Buffer.from([0x61, 0x1b, 0x1b, 0x62])), 'a b');
  assert.equal(decodeGsm7(Buffer.from([0x61, 0x1b])), 'a ');
  assert.equal(decodeGsm7(Buffer.from([0x61, 0x80, 0x1b, 0xff])), 'a??');
});

test('packs "hellohello" to the known vector', () => {
  const packed = packSeptets(encodeGsm7('hellohello'));
  assert.equal(hex(packed), 'E8329BFD4697D9EC37');
  assert.equal(decodeGsm7(unpackSeptets(packed, 10)), 'hellohello');
});

test('packs 8 septets into 7 octets', () => {
  assert.equal(hex(packSeptets(encodeGsm7('12345678'))), '31D98C56B3DD70');
  assert.equal(packSeptets(Buffer.alloc(0)).length, 0);
});

test('fill bits: leading zero bits before the first septet', () => {
  assert.equal(hex(packSeptets(Buffer.from([0x7f]), 1)), 'FE');
  assert.equal(hex(packSeptets(Buffer.from([0x7f, 0x7f]), 1)), 'FE7F');
  assert.equal(hex(packSeptets(Buffer.from([0x01]), 6)), '4000');
});

test('packing matches a bit-string reference for every fill and length', () => {
  const septets = [...encodeGsm7('The quick brown fox €{}[] jumps @ 0123456789')];
  for (let fill = 0; fill < 7; fill++) {
    for (let n = 0; n <= septets.length; n++) {
      const slice = septets.slice(0, n);
      const packed = packSeptets(Buffer.from(slice), fill);
      assert.deepEqual(packed, referencePack(slice, fill), `fill=${fill} n=${n}`);
      assert.deepEqual([...unpackSeptets(packed, n, fill)], slice, `fill=${fill} n=${n}`);
    }
  }
});

test('packing ignores the high bit of input octets', () => {
  assert.deepEqual(packSeptets(Buffer.from([0xe8])), packSeptets(Buffer.from([0x68])));
});

test('unpacking more septets than available throws', () => {
  assert.throws(() => unpackSeptets(Buffer.from([0xe8]), 2), RangeError);
  assert.throws(() => unpackSeptets(Buffer.from([0xfe]), 1, 2), RangeError);
});

test('Latin-1', () => {
  assert.ok(isLatin1('Café ÿ\u0000'));
  assert.ok(!isLatin1('€'));
  assert.equal(hex(encodeLatin1('Café')), '436166E9');
  assert.throws(() => encodeLatin1('5€'), /U\+20AC at index 1 is not Latin-1/);
});
