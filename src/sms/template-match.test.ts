import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchTemplate, splitSignature } from './template-match.ts';
import { composeText, renderBody, type TemplateRef } from './validate.ts';

const t = (id: string, content: string, paramCount: number, extra: Partial<TemplateRef> = {}): TemplateRef => ({ id, content, paramCount, ...extra });

test('splitSignature: a leading 【...】 of 1 to 20 characters', () => {
  assert.deepEqual(splitSignature('【Acme】Your code is 1234'), { sender: 'Acme', body: 'Your code is 1234' });
  assert.deepEqual(splitSignature(composeText('CN', '优刻得', '验证码1234')), { sender: '优刻得', body: '验证码1234' });
  assert.deepEqual(splitSignature(`【${'x'.repeat(20)}】hi`), { sender: 'x'.repeat(20), body: 'hi' });
  assert.deepEqual(splitSignature(`【${'😀'.repeat(20)}】hi`), { sender: '😀'.repeat(20), body: 'hi' }, 'characters, not UTF-16 units');
  assert.deepEqual(splitSignature(`【${'x'.repeat(21)}】hi`), { body: `【${'x'.repeat(21)}】hi` });
  assert.deepEqual(splitSignature('【】hi'), { body: '【】hi' });
  assert.deepEqual(splitSignature('hi 【Acme】'), { body: 'hi 【Acme】' }, 'only at the start');
  assert.deepEqual(splitSignature('【Ac\nme】hi'), { body: '【Ac\nme】hi' });
  assert.deepEqual(splitSignature('【A【B】hi'), { body: '【A【B】hi' });
  assert.deepEqual(splitSignature('【A】【B】hi'), { sender: 'A', body: '【B】hi' });
  assert.deepEqual(splitSignature(''), { body: '' });
});

test('the parameters of an instance, anchored at both ends', () => {
  const otp = t('T1', 'Your code is {1}, valid for {2} minutes.', 2);
  assert.deepEqual(matchTemplate('Your code is 4821, valid for 5 minutes.', [otp]), { template: otp, params: ['4821', '5'] });
  assert.equal(matchTemplate('Your code is 4821, valid for 5 minutes. Call me', [otp]), undefined);
  assert.equal(matchTemplate('Hi! Your code is 4821, valid for 5 minutes.', [otp]), undefined);
  assert.equal(matchTemplate('Your code is 4821, valid for 5 minutes', [otp]), undefined);
  assert.equal(matchTemplate('', [otp]), undefined);
  assert.equal(matchTemplate('anything', []), undefined);
});

test('a template without placeholders matches only its own text', () => {
  const fixed = t('T1', 'Welcome aboard.', 0);
  assert.deepEqual(matchTemplate('Welcome aboard.', [fixed]), { template: fixed, params: [] });
  assert.equal(matchTemplate('Welcome aboard!', [fixed]), undefined);
});

test('no empty parameter, no line break inside one; line breaks in the template are literal', () => {
  const code = t('T1', 'Code {1}.', 1);
  assert.equal(matchTemplate('Code .', [code]), undefined);
  assert.equal(matchTemplate('Code 12\n34.', [code]), undefined);
  assert.equal(matchTemplate('Code 12\r34.', [code]), undefined);
  const lines = t('T2', 'Order {1}\nTotal {2}', 2);
  assert.deepEqual(matchTemplate('Order A-1\nTotal 9.90', [lines]), { template: lines, params: ['A-1', '9.90'] });
  assert.equal(matchTemplate('Order A-1\nTotal 9.90\nVisit evil.example', [lines]), undefined, 'a parameter cannot add a line');
});

test('a repeated placeholder takes the same value', () => {
  const twice = t('T1', '{1}, your code is {2}. Again: {2}', 2);
  assert.deepEqual(matchTemplate('Ann, your code is 77. Again: 77', [twice]), { template: twice, params: ['Ann', '77'] });
  assert.equal(matchTemplate('Ann, your code is 77. Again: 78', [twice]), undefined);
  const square = t('T2', '{1}{1}', 1);
  assert.deepEqual(matchTemplate('abcabc', [square]), { template: square, params: ['abc'] });
  assert.equal(matchTemplate('abcab', [square]), undefined);
});

test('where a body splits several ways, earlier placeholders take the shortest values', () => {
  const two = t('T1', '{1} {2}', 2);
  assert.deepEqual(matchTemplate('a b c', [two])?.params, ['a', 'b c']);
  const adjacent = t('T2', '{1}{2}{3}', 3);
  assert.deepEqual(matchTemplate('abcd', [adjacent])?.params, ['a', 'b', 'cd']);
  assert.equal(matchTemplate('ab', [adjacent]), undefined);
  assert.deepEqual(matchTemplate('😀😀😀', [adjacent])?.params, ['😀', '😀', '😀'], 'never inside a surrogate pair');
  assert.equal(matchTemplate('😀😀', [adjacent]), undefined);
});

test('placeholders follow renderTemplate: {k} beyond paramCount and {0} are literal; a missing one matches nothing', () => {
  const extra = t('T1', 'Price {1} in {2} and {0}', 1);
  assert.deepEqual(matchTemplate('Price 5 in {2} and {0}', [extra])?.params, ['5']);
  assert.equal(matchTemplate('Price 5 in EUR and {0}', [extra]), undefined);
  const gap = t('T2', 'Hello {1}', 2);
  assert.equal(matchTemplate('Hello Ann', [gap]), undefined);
});

test('a marketing note may end the body and is not a parameter; renderBody gives the text back', () => {
  const promo = t('T1', 'Sale: {1} off today', 1, { purpose: 3, unsubscribeInfo: ' Reply TD to unsubscribe ' });
  const sent = 'Sale: 20% off today Reply TD to unsubscribe';
  const m = matchTemplate(sent, [promo]);
  assert.deepEqual(m, { template: promo, params: ['20%'] });
  assert.equal(renderBody(promo, m!.params), sent);
  const bare = matchTemplate('Sale: 20% off today', [promo]);
  assert.deepEqual(bare?.params, ['20%'], 'without the note: renderBody adds it');
  assert.equal(renderBody(promo, bare!.params), sent);
  assert.deepEqual(matchTemplate('Sale: 20% off today\nReply TD to unsubscribe', [promo])?.params, ['20%']);
  // Not marketing: the same words are ordinary text.
  const plain = t('T2', 'Sale: {1} off today', 1, { purpose: 2, unsubscribeInfo: 'Reply TD to unsubscribe' });
  assert.equal(matchTemplate(sent, [plain]), undefined, 'the parameter would have to span the literal " off today"');
  const own = t('T3', 'Sale: {1}. Reply TD to unsubscribe', 1, { purpose: 3, unsubscribeInfo: 'Reply TD to unsubscribe' });
  const withOwn = matchTemplate('Sale: big. Reply TD to unsubscribe', [own]);
  assert.deepEqual(withOwn?.params, ['big'], 'a template that carries its note itself');
  assert.equal(renderBody(own, withOwn!.params), 'Sale: big. Reply TD to unsubscribe');
});

test('several matches: most literal characters, then fewest placeholders, then lowest id, whatever the order given', () => {
  const short = t('T1', 'Hello {1}', 1);
  const long = t('T2', 'Hello {1}, your code is {2}', 2);
  const body = 'Hello Ann, your code is 1234';
  assert.equal(matchTemplate(body, [short, long])?.template, long);
  assert.equal(matchTemplate(body, [long, short])?.template, long);
  assert.equal(matchTemplate('Hello Ann', [long, short])?.template, short);

  const fewer = t('T9', 'ab{1}', 1);
  const more = t('T0', 'a{1}b{2}', 2);
  assert.equal(matchTemplate('abcbd', [more, fewer])?.template, fewer);
  assert.deepEqual(matchTemplate('abcbd', [more])?.params, ['bc', 'd']);

  const first = t('UTA250101AAAAAA', 'Hi {1}', 1);
  const second = t('UTA250102AAAAAA', 'Hi {1}', 1);
  assert.equal(matchTemplate('Hi you', [second, first])?.template, first);
  assert.equal(matchTemplate('Hi you', [first, second])?.template, first);
});

test('rendering then matching gives a text renderBody renders the same (random templates and values)', () => {
  let seed = 12345;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const alphabet = ['a', 'b', ' ', ',', '1', '验', '😀', '\n'];
  const word = (min: number, max: number, noBreak: boolean) => {
    let s = '';
    const len = min + rand(max - min + 1);
    while ([...s].length < len) {
      const c = alphabet[rand(alphabet.length)]!;
      if (!(noBreak && c === '\n')) s += c;
    }
    return s;
  };
  for (let i = 0; i < 500; i++) {
    const count = 1 + rand(5);
    let content = word(0, 3, false);
    for (let k = 0; k < count + rand(3); k++) content += `{${1 + (k < count ? k : rand(count))}}` + word(0, 3, false);
    const tpl = t(`T${i}`, content, count);
    const params = Array.from({ length: count }, () => word(1, 4, true));
    const body = renderBody(tpl, params);
    const m = matchTemplate(body, [tpl]);
    assert.ok(m, `${JSON.stringify(content)} ${JSON.stringify(params)}`);
    assert.equal(renderBody(tpl, m.params), body, JSON.stringify({ content, params, got: m.params }));
    assert.ok(m.params.every((p) => p.length > 0 && !p.includes('\n')));
  }
});

test('hostile templates and bodies finish quickly, with the right answer where it is found', () => {
  const adjacent = Array.from({ length: 99 }, (_, i) => `{${i + 1}}`).join('');
  const squares = Array.from({ length: 50 }, (_, i) => `{${i + 1}}{${i + 1}}`).join('') + '!';
  const separated = Array.from({ length: 99 }, (_, i) => `{${i + 1}}`).join('a');
  const started = performance.now();
  // No placeholder may take the line break, and no literal holds one.
  assert.equal(matchTemplate('a'.repeat(250) + '\n' + 'a'.repeat(249), [t('H1', adjacent, 99)]), undefined);
  // 50 squares cannot make 499 characters (each is of even length).
  assert.equal(matchTemplate('a'.repeat(499) + '!', [t('H2', squares, 50)]), undefined);
  // The last placeholder would have to take the line break at the end.
  assert.equal(matchTemplate('a'.repeat(499) + '\n', [t('H3', separated, 99)]), undefined);
  assert.equal(matchTemplate('ab'.repeat(249) + 'b\n', [t('H4', separated, 99)]), undefined);
  // Three values repeated 33 times over cannot end in a line break.
  const cycle = Array.from({ length: 99 }, (_, i) => `{${(i % 3) + 1}}`).join('');
  assert.equal(matchTemplate('a'.repeat(499) + '\n', [t('H5', cycle, 3)]), undefined);
  // Found ones: 498 characters are 50 squares.
  const found = matchTemplate('a'.repeat(498) + '!', [t('H6', squares, 50)]);
  assert.deepEqual(found?.params.map((p) => p.length), [...Array(49).fill(1), 200]);
  assert.equal(matchTemplate('a'.repeat(500), [t('H7', separated, 99)])?.params.at(-1)?.length, 500 - 98 * 2);
  assert.deepEqual(matchTemplate('abc'.repeat(33), [t('H8', cycle, 3)])?.params, ['a', 'b', 'c']);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `hostile matches took ${elapsed.toFixed(0)} ms`);
});
