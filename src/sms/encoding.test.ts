import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentedMessage } from 'sms-segments-calculator';
import { analyzeText, splitText, type SmsEncoding } from './encoding.ts';
import { gsm7Septets } from './gsm7.ts';

const a = (n: number) => 'a'.repeat(n);
const zh = (n: number) => '你'.repeat(n);
const EMOJI = '😀'; // one surrogate pair, 2 UTF-16 units
const EXT = ['€', '[', ']', '{', '}', '^', '~', '|', '\\', '\f'];

function oracle(text: string): { encoding: SmsEncoding; segments: number } {
  const m = new SegmentedMessage(text);
  return { encoding: m.encodingName === 'GSM-7' ? 'GSM7' : 'UCS2', segments: m.segmentsCount };
}

// [name, text, encoding, units, segments]; each is also checked against the oracle.
const cases: Array<[string, string, SmsEncoding, number, number]> = [
  ['empty string', '', 'GSM7', 0, 1],
  ['ASCII 1 char', 'a', 'GSM7', 1, 1],
  ['ASCII 159', a(159), 'GSM7', 159, 1],
  ['ASCII 160', a(160), 'GSM7', 160, 1],
  ['ASCII 161', a(161), 'GSM7', 161, 2],
  ['ASCII 306', a(306), 'GSM7', 306, 2],
  ['ASCII 307', a(307), 'GSM7', 307, 3],
  ['ASCII 459', a(459), 'GSM7', 459, 3],
  ['ASCII 460', a(460), 'GSM7', 460, 4],
  ['ASCII 500', a(500), 'GSM7', 500, 4],
  ['GSM basic accents and Greek', 'Ça coute 5£ à ΔΦΓΛΩΠΨΣΘΞ ¿¡ §@ Øß', 'GSM7', 33, 1],
  ['158 + euro = 160 septets', a(158) + '€', 'GSM7', 160, 1],
  ['159 + euro = 161 septets', a(159) + '€', 'GSM7', 161, 2],
  ['80 euros = 160 septets', '€'.repeat(80), 'GSM7', 160, 1],
  ['81 euros = 162 septets', '€'.repeat(81), 'GSM7', 162, 2],
  ['escape pair filling part 1 exactly', a(151) + '{' + a(153), 'GSM7', 306, 2],
  ...EXT.map((ch): [string, string, SmsEncoding, number, number] => [
    `escape ${JSON.stringify(ch)} at position 153 moves to part 2`,
    a(152) + ch + a(152),
    'GSM7',
    306,
    3,
  ]),
  ['form feed inside text', 'Page 1\fPage 2', 'GSM7', 14, 1],
  ['CRLF line breaks', 'line1\r\nline2\nline3', 'GSM7', 18, 1],
  ['500 chars GSM with extension chars', 'Hi [you] {pay} 5€ ~ok|no^ \\ '.repeat(20).slice(0, 500), 'GSM7', 660, 5],
  ['Chinese 70', zh(70), 'UCS2', 70, 1],
  ['Chinese 71', zh(71), 'UCS2', 71, 2],
  ['Chinese 134', zh(134), 'UCS2', 134, 2],
  ['Chinese 135', zh(135), 'UCS2', 135, 3],
  ['Chinese 500', zh(500), 'UCS2', 500, 8],
  ['35 emoji = 70 units', EMOJI.repeat(35), 'UCS2', 70, 1],
  ['36 emoji = 72 units', EMOJI.repeat(36), 'UCS2', 72, 2],
  ['emoji straddling unit 67 moves to part 2', zh(66) + EMOJI + zh(66), 'UCS2', 134, 3],
  ['emoji ending exactly at unit 67', zh(65) + EMOJI + zh(67), 'UCS2', 134, 2],
  ['250 emoji = 500 units', EMOJI.repeat(250), 'UCS2', 500, 8],
  ['GSM text + one Chinese char, 70 units', a(69) + '你', 'UCS2', 70, 1],
  ['GSM text + one Chinese char, 101 units', a(100) + '你', 'UCS2', 101, 2],
  ['GSM text + one emoji', 'Hello ' + EMOJI, 'UCS2', 8, 1],
  ['extension chars cost 1 unit in UCS2', '€'.repeat(69) + '你', 'UCS2', 70, 1],
  ['brackets in UCS2 message', '['.repeat(70) + '你', 'UCS2', 71, 2],
  ['backtick is not GSM', 'a`b', 'UCS2', 3, 1],
  ['lowercase c-cedilla is not GSM', 'ça', 'UCS2', 2, 1],
  ['tab is not GSM', 'a\tb', 'UCS2', 3, 1],
  ['no-break space is not GSM', 'a\u00a0b', 'UCS2', 3, 1],
  ['Greek small letter is not GSM', 'α', 'UCS2', 1, 1],
  ['curly quotes are not GSM', '\u201cquoted\u201d', 'UCS2', 8, 1],
  ['mixed Chinese and ASCII 160 chars', ('验证码123456，5分钟内有效。').repeat(10).slice(0, 160), 'UCS2', 160, 3],
];

for (const [name, text, encoding, units, segments] of cases) {
  test(`analyzeText vs oracle: ${name}`, () => {
    const ours = analyzeText(text);
    assert.deepEqual(
      { encoding: ours.encoding, units: ours.units, segments: ours.segments },
      { encoding, units, segments },
    );
    assert.deepEqual(oracle(text), { encoding, segments });
    assert.equal(ours.perSegment, segments === 1 ? (encoding === 'GSM7' ? 160 : 70) : encoding === 'GSM7' ? 153 : 67);
  });
}

test('oracle disagreement: a multi-code-point grapheme may be split between parts', () => {
  // The flag is two regional indicators (two surrogate pairs, 4 units) at units 66-69.
  // The oracle never splits a grapheme cluster, so it moves the whole flag to
  // part 2 and needs 3 parts. TS 23.038 knows nothing of graphemes; we only
  // keep surrogate pairs whole, so 67 + 67 units fit in 2 parts.
  const text = zh(65) + '🇨🇳' + zh(65);
  assert.deepEqual(analyzeText(text), { encoding: 'UCS2', units: 134, segments: 2, perSegment: 67 });
  assert.deepEqual(splitText(text, 'UCS2', 67), [zh(65) + '🇨', '🇳' + zh(65)]);
  assert.deepEqual(oracle(text), { encoding: 'UCS2', segments: 3 });
});

test('splitText: text within capacity is one part; empty text is one empty part', () => {
  assert.deepEqual(splitText('', 'GSM7', 153), ['']);
  assert.deepEqual(splitText('', 'UCS2', 67), ['']);
  assert.deepEqual(splitText(a(153), 'GSM7', 153), [a(153)]);
  assert.deepEqual(splitText(zh(67), 'UCS2', 67), [zh(67)]);
});

test('splitText: GSM7 boundaries', () => {
  assert.deepEqual(splitText(a(306), 'GSM7', 153), [a(153), a(153)]);
  assert.deepEqual(splitText(a(307), 'GSM7', 153), [a(153), a(153), 'a']);
  assert.deepEqual(splitText(a(152) + '€' + 'b', 'GSM7', 153), [a(152), '€b']);
  assert.deepEqual(splitText(a(151) + '€' + 'b', 'GSM7', 153), [a(151) + '€', 'b']);
  assert.deepEqual(splitText(a(151) + '€' + 'b', 'GSM7', 152), [a(151), '€b']);
  assert.deepEqual(splitText('€€€', 'GSM7', 3), ['€', '€', '€']);
});

test('splitText: UCS2 boundaries keep surrogate pairs whole', () => {
  assert.deepEqual(splitText(zh(66) + EMOJI, 'UCS2', 67), [zh(66), EMOJI]);
  assert.deepEqual(splitText(zh(65) + EMOJI, 'UCS2', 67), [zh(65) + EMOJI]);
  assert.deepEqual(splitText(zh(65) + EMOJI + 'x', 'UCS2', 66), [zh(65), EMOJI + 'x']);
  assert.deepEqual(splitText(EMOJI.repeat(3), 'UCS2', 3), [EMOJI, EMOJI, EMOJI]);
  // Lone surrogates are single units and may sit anywhere.
  assert.deepEqual(splitText('ab\ud83d', 'UCS2', 2), ['ab', '\ud83d']);
});

test('splitText: GSM text forced to UCS2 counts extension chars as one unit', () => {
  assert.deepEqual(splitText('€'.repeat(134), 'UCS2', 67), ['€'.repeat(67), '€'.repeat(67)]);
});

test('splitText: rejects non-GSM text for GSM7 and capacities below 2', () => {
  assert.throws(() => splitText('hi 你', 'GSM7', 153), RangeError);
  assert.throws(() => splitText('hi', 'UCS2', 1), RangeError);
  assert.throws(() => splitText('hi', 'GSM7', Number.NaN), RangeError);
});

// Deterministic pseudo-random texts for the property checks below.
function* randomTexts(alphabet: string[], count: number): Generator<string> {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < count; i++) {
    const len = Math.floor(next() * 520);
    let text = '';
    for (let j = 0; j < len; j++) text += alphabet[Math.floor(next() * alphabet.length)];
    yield text;
  }
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

test('splitText property: parts rejoin, fit capacity, never split pairs, are full', () => {
  const gsm = [...'abcdefXYZ 0123.,!?@£$Δ\n', ...EXT];
  const ucs = [...'abc 你好世界€[', EMOJI, '👍🏽', '🇨🇳'];
  const runs: Array<[SmsEncoding, string[], number[]]> = [
    ['GSM7', gsm, [153, 152, 2, 3, 7]],
    ['UCS2', ucs, [67, 66, 134, 133, 2, 3]],
  ];
  for (const [encoding, alphabet, capacities] of runs) {
    const size = encoding === 'GSM7' ? gsm7Septets : (s: string) => s.length;
    for (const text of randomTexts(alphabet, 150)) {
      for (const capacity of capacities) {
        const parts = splitText(text, encoding, capacity);
        assert.equal(parts.join(''), text);
        parts.forEach((part, i) => {
          assert.ok(size(part) <= capacity, `part ${i} too big`);
          assert.ok(part.length > 0 || text === '', 'empty part');
          assert.ok(!isHigh(part.charCodeAt(part.length - 1)) && !isLow(part.charCodeAt(0)), 'split surrogate pair');
          // Greedy: the next part's first character did not fit here.
          const next = parts[i + 1];
          if (next !== undefined) {
            const first = isHigh(next.charCodeAt(0)) ? next.slice(0, 2) : next[0]!;
            assert.ok(size(part + first) > capacity, 'part not full');
          }
        });
      }
    }
  }
});

test('analyzeText segment count equals splitText part count and the oracle on random texts', () => {
  const alphabet = [...'abc xyz 0123', ...EXT, '你', EMOJI];
  let n = 0;
  for (const text of randomTexts(alphabet, 300)) {
    // Keep a mix of GSM-only and UCS2 texts.
    const sample = n++ % 2 ? text : text.replace(/[你😀]/gu, 'q');
    const r = analyzeText(sample);
    if (r.segments > 1) assert.equal(splitText(sample, r.encoding, r.perSegment).length, r.segments);
    assert.deepEqual(oracle(sample), { encoding: r.encoding, segments: r.segments }, JSON.stringify(sample));
  }
});
