import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPT_OUT_WORDS, MAX_REPLY_WORDS, normalizeReply, replyIntent, replyWords } from './opt-out.ts';

test('the default opt-out words, in any case and width, with trailing punctuation or spaces', () => {
  for (const text of ['STOP', 'stop', 'Stop', '  stop \n', 'STOP.', 'stop!', 'STOP!!!', 'ＳＴＯＰ', 'ｓｔｏｐ！', 'Unsubscribe', 'td', 'T', 't.', '退订', ' 退订。', '退订！', 'StopAll', 'cancel', 'END', 'quit', '\u200bSTOP\ufeff']) {
    assert.equal(replyIntent(text), 'stop', JSON.stringify(text));
  }
});

test('the default opt-in words', () => {
  for (const text of ['START', 'start', 'Ｓｔａｒｔ', 'start!', 'UNSTOP', '订阅', '订阅。']) {
    assert.equal(replyIntent(text), 'start', JSON.stringify(text));
  }
});

test('only the whole text counts: sentences, two words, leading punctuation and look-alikes are plain replies', () => {
  for (const text of ['please stop calling', 'STOP STOP', 'stop it', 'STOPP', 'S T O P', '"STOP"', '.STOP', 'ST0P', 'TT', '不要退订', '退订吧', 'YES', '', '   ', '!', 'start now', 'I want to unsubscribe']) {
    assert.equal(replyIntent(text), undefined, JSON.stringify(text));
  }
});

test('a very long reply is not a keyword and is not normalised', () => {
  assert.equal(replyIntent('STOP' + ' '.repeat(10_000)), undefined);
  assert.equal(replyIntent('x'.repeat(100_000)), undefined);
});

test('configured lists replace the defaults and are matched the same way', () => {
  const words = replyWords(['ＡＲＲＥＴ', 'stop'], ['Resume']);
  assert.equal(replyIntent('arret!', words), 'stop');
  assert.equal(replyIntent('STOP', words), 'stop');
  assert.equal(replyIntent('resume', words), 'start');
  assert.equal(replyIntent('T', words), undefined, 'a default word no longer counts');
  assert.equal(replyIntent('START', words), undefined);
});

test('lists are checked: empty words, too many or too long, a word in both lists', () => {
  assert.throws(() => replyWords(['STOP', ' . '], []), /"\s\.\s" is empty/);
  assert.throws(() => replyWords(Array.from({ length: MAX_REPLY_WORDS + 1 }, (_, i) => `W${i}`), []), /at most 50 words/);
  assert.throws(() => replyWords(['X'.repeat(33)], []), /longer than 32/);
  assert.throws(() => replyWords(['stop'], ['ＳＴＯＰ']), /"STOP" is both an opt-out and an opt-in word/);
  assert.ok(DEFAULT_OPT_OUT_WORDS.includes('退订'));
});

test('normalizeReply: NFKC, format characters removed, trailing punctuation dropped, upper case', () => {
  assert.equal(normalizeReply(' ｔｄ。 '), 'TD');
  assert.equal(normalizeReply('a.b!'), 'A.B');
  assert.equal(normalizeReply('\u200b退订\u200b'), '退订');
});
