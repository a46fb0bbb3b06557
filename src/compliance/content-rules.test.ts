import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTemplate } from '../sms/template.ts';
import {
  checkPattern,
  ContentMatcher,
  describeRule,
  MAX_PATTERN_CHARS,
  MAX_RULES_CONSIDERED,
  nestedQuantifier,
  normalizeContent,
  type ContentRule,
} from './content-rules.ts';

let nextId = 1;
const word = (pattern: string, accountId = 0): ContentRule => ({ id: nextId++, accountId, pattern, isRegex: false });
const regex = (pattern: string, accountId = 0): ContentRule => ({ id: nextId++, accountId, pattern, isRegex: true });
const stored = (raw: string, isRegex = false) => {
  const c = checkPattern(raw, isRegex);
  assert.ok(c.ok, `${raw}: ${c.ok ? '' : c.reason}`);
  return c.pattern;
};

test('normalisation: NFKC then lower case', () => {
  assert.equal(normalizeContent('ＦＲＥＥ Ｇｉｆｔ'), 'free gift');
  assert.equal(normalizeContent('ﾃｽﾄ'), 'テスト'); // half-width katakana
  assert.equal(normalizeContent('①２３'), '123');
});

test('plain words: full-width and mixed case match alike, on either side', () => {
  const m = ContentMatcher.compile([word(stored('Free'))]);
  for (const text of ['Get it FREE now', 'get it free', 'ＦＲＥＥ gift', 'ｆｒｅｅ', 'FrEe', 'freedom']) {
    assert.equal(m.find(text)?.pattern, 'free', text);
  }
  assert.equal(m.find('fee'), undefined);
  assert.equal(m.find('f r e e'), undefined);
  // A rule written full-width is stored normalised and matches the half-width text.
  assert.equal(stored('ＣＡＳＩＮＯ'), 'casino');
  assert.equal(ContentMatcher.compile([word(stored('ＣＡＳＩＮＯ'))]).find('Casino night')?.pattern, 'casino');
  // A word stored as typed (by hand, in the database) is normalised when compiled.
  assert.equal(ContentMatcher.compile([word('ＣＡＳＩＮＯ')]).find('CASINO night')?.pattern, 'ＣＡＳＩＮＯ');
});

test('Chinese words, and full-width punctuation around them', () => {
  const m = ContentMatcher.compile([word(stored('赌博')), word(stored('代开发票'))]);
  assert.equal(m.find('【Acme】线上赌博，注册即送')?.pattern, '赌博');
  assert.equal(m.find('专业代开发票，联系我们')?.pattern, '代开发票');
  assert.equal(m.find('开发票请联系财务'), undefined);
  assert.equal(m.find('您的验证码为123456'), undefined);
});

test('inside params: the rendered text matches while the template alone does not', () => {
  const template = 'Hello {1}, your order {2} has shipped';
  const m = ContentMatcher.compile([word(stored('viagra'))]);
  assert.equal(m.find(template), undefined);
  assert.equal(m.find(renderTemplate(template, ['Ann', 'VIAGRA-42']))?.pattern, 'viagra');
  assert.equal(m.find(renderTemplate(template, ['Ann', 'ＶＩＡＧＲＡ']))?.pattern, 'viagra');
  assert.equal(m.find(renderTemplate(template, ['Ann', '42'])), undefined);
});

test('regular expressions: flags iu on the normalised text', () => {
  const m = ContentMatcher.compile([regex('fr[e3]{2}\\s*money'), regex('\\d{4}-?\\d{4}-?\\d{4}-?\\d{4}'), regex('^\\p{Script=Han}+贷款$')]);
  assert.equal(m.find('FR33 Money here')?.pattern, 'fr[e3]{2}\\s*money');
  assert.equal(m.find('ＦＲＥＥ　ＭＯＮＥＹ')?.pattern, 'fr[e3]{2}\\s*money', 'full-width letters and ideographic space');
  assert.equal(m.find('card 4111-1111-1111-1111')?.pattern, '\\d{4}-?\\d{4}-?\\d{4}-?\\d{4}');
  assert.equal(m.find('card ４１１１１１１１１１１１１１１１')?.pattern, '\\d{4}-?\\d{4}-?\\d{4}-?\\d{4}', 'full-width digits');
  assert.equal(m.find('无抵押贷款')?.pattern, '^\\p{Script=Han}+贷款$');
  assert.equal(m.find('free tickets'), undefined);
  // Upper-case escapes keep their meaning: the pattern is not lower-cased.
  const nonDigit = ContentMatcher.compile([regex('code\\D\\D')]);
  assert.ok(nonDigit.find('CODE: x'));
  assert.equal(nonDigit.find('code12'), undefined);
});

test('the first rule broken, in the order given; describeRule names it', () => {
  const rules = [word('alpha'), regex('b.ta'), word('beta')];
  const m = ContentMatcher.compile(rules);
  assert.equal(m.find('beta alpha'), rules[0]);
  assert.equal(m.find('BETA'), rules[1]);
  assert.equal(describeRule(rules[0]!), 'word "alpha"');
  assert.equal(describeRule(rules[1]!), 'pattern "b.ta"');
  assert.equal(ContentMatcher.compile([]).find('anything'), undefined);
  assert.equal(ContentMatcher.compile([]), ContentMatcher.EMPTY);
});

test('checkPattern refuses what cannot be a rule, with the reason', () => {
  const reason = (raw: string, isRegex: boolean) => {
    const c = checkPattern(raw, isRegex);
    assert.ok(!c.ok, raw);
    return c.reason;
  };
  assert.match(reason('   ', false), /empty/);
  assert.match(reason('', true), /empty/);
  assert.match(reason('x'.repeat(MAX_PATTERN_CHARS + 1), false), /^is 101 characters, more than 100$/);
  assert.equal(stored('字'.repeat(MAX_PATTERN_CHARS)), '字'.repeat(MAX_PATTERN_CHARS), 'characters, not bytes');
  assert.match(reason('fr(ee', true), /^is not a valid regular expression: /);
  assert.match(reason('[z-a]', true), /^is not a valid regular expression: /);
  assert.match(reason('\\p{NoSuchProperty}', true), /^is not a valid regular expression: /);
  assert.match(reason('(a+)+$', true), /exponential/);
  assert.match(reason('(\\w*x)*', true), /exponential/);
  assert.match(reason('((ab)+c){2,}', true), /exponential/);
  assert.match(reason('a*', true), /block every message/);
  assert.match(reason('spam|', true), /block every message/);
  assert.equal(stored('  Spam  '), 'spam', 'plain words are trimmed and normalised');
  assert.equal(stored(' spam ', true), ' spam ', 'a regex is stored as given');
  assert.equal(stored('(?:win|won)\\s+\\$\\d+', true), '(?:win|won)\\s+\\$\\d+');
  assert.equal(stored('(?<prize>cash)+', true), '(?<prize>cash)+');
});

test('nestedQuantifier: the catastrophic shape only', () => {
  for (const p of ['(a+)+', '(a*)*', '(x+y)+', '(?:a|b+)*', '((a)+)+', '(a{2,})+', '(a+){2,5}', '(?<n>a+)+']) assert.ok(nestedQuantifier(p), p);
  for (const p of ['(ab)+', 'a+b+', '(a+)?', '[(a+)]+', '\\(a+\\)+', '(?=a+)b', '(?:ab)+c*', '(a|b)+', '(a+)b(c)+', 'a{1,3}(bc)+']) assert.ok(!nestedQuantifier(p), p);
});

test('compile skips invalid rules safely and applies at most MAX_RULES_CONSIDERED', () => {
  const m = ContentMatcher.compile([regex('fr(ee'), regex('(a+)+'), word(''), word('ok-word')]);
  assert.deepEqual(m.rules.map((r) => r.pattern), ['ok-word']);
  assert.equal(m.find('fr(ee (a+)+ aaaa'), undefined);
  assert.equal(m.find('an ok-word')?.pattern, 'ok-word');

  const many = Array.from({ length: MAX_RULES_CONSIDERED + 5 }, (_, i) => word(`w${String(i).padStart(5, '0')}`));
  const bounded = ContentMatcher.compile(many);
  assert.equal(bounded.rules.length, MAX_RULES_CONSIDERED);
  assert.ok(bounded.find(`x w${String(MAX_RULES_CONSIDERED - 1).padStart(5, '0')} x`));
  assert.equal(bounded.find(`x w${String(MAX_RULES_CONSIDERED).padStart(5, '0')} x`), undefined);
});
