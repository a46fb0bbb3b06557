import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeForm, encodeForm, formEntries, placeholdersIn, readPath, readText, render, renderFields, renderUrl, type TemplateValues } from './http-template.ts';

const values: TemplateValues = {
  to: '+447700900123',
  to_digits: '447700900123',
  from: 'ACME Ltd',
  text: 'Hi {text} & bye',
  id: '42',
  receipt_url: '',
  username: 'AC1/2',
  baseUrl: 'https://api.example.com',
  secret: 's3cr=t',
  type: 'text',
};

test('render replaces known placeholders in one pass and leaves unknown ones', () => {
  assert.equal(render('{to}:{text}:{nope}', values), '+447700900123:Hi {text} & bye:{nope}');
  assert.equal(render('no placeholders', values), 'no placeholders');
  assert.deepEqual(placeholdersIn('{baseUrl}/a/{username}/{to}{x_1}'), ['baseUrl', 'username', 'to', 'x_1']);
});

test('renderUrl keeps {baseUrl} as it is and URL-encodes the other values', () => {
  assert.equal(renderUrl('{baseUrl}/2010-04-01/Accounts/{username}/Messages.json', values), 'https://api.example.com/2010-04-01/Accounts/AC1%2F2/Messages.json');
  assert.equal(renderUrl('{baseUrl}/send?to={to}&from={from}', values), 'https://api.example.com/send?to=%2B447700900123&from=ACME%20Ltd');
});

test('renderFields leaves out fields that render to nothing', () => {
  assert.deepEqual(renderFields({ To: '{to}', Body: '{text}', StatusCallback: '{receipt_url}', Fixed: 'x', Empty: '' }, values), {
    To: '+447700900123',
    Body: 'Hi {text} & bye',
    Fixed: 'x',
  });
});

test('readPath walks objects and arrays, takes the first present alternative, reads own properties only', () => {
  const answer = { 'message-count': '2', messages: [{ 'message-id': 'A1', status: '0' }, { 'message-id': 'A2', status: 1 }], sid: null, nested: { a: { b: false } } };
  assert.equal(readPath(answer, 'messages.0.message-id'), 'A1');
  assert.equal(readPath(answer, 'messages.1.status'), 1);
  assert.equal(readPath(answer, 'messages.2.status'), undefined);
  assert.equal(readPath(answer, 'messages.x'), undefined);
  assert.equal(readPath(answer, 'nested.a.b'), false);
  assert.equal(readPath(answer, 'sid|message-count'), '2', 'null counts as absent');
  assert.equal(readPath(answer, 'code|messages.0.status'), '0');
  assert.equal(readPath(answer, 'constructor'), undefined);
  assert.equal(readPath(answer, '__proto__'), undefined);
  assert.equal(readPath('text', 'length'), undefined);
  assert.equal(readPath(undefined, 'a'), undefined);
  assert.equal(readText(answer, 'messages.1.status'), '1');
  assert.equal(readText(answer, 'nested.a.b'), 'false');
  assert.equal(readText(answer, 'nested'), undefined, 'objects are not text');
  assert.equal(readText(answer, undefined), undefined);
});

test('form bodies: encoded as application/x-www-form-urlencoded and read back', () => {
  const fields = { To: '+447700900123', Body: 'a b&c=d ü €', 'client-ref': '7' };
  const body = encodeForm(fields);
  assert.equal(body, 'To=%2B447700900123&Body=a+b%26c%3Dd+%C3%BC+%E2%82%AC&client-ref=7');
  assert.deepEqual(decodeForm(body), fields);
  assert.deepEqual(formEntries('a=1&b=2&a=3'), [['a', '1'], ['b', '2'], ['a', '3']]);
  assert.deepEqual(decodeForm('a=1&a=3'), { a: '1' }, 'the first of a repeated name');
  const odd = decodeForm('__proto__=x&b=1');
  assert.equal(Object.getPrototypeOf(odd), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, 'x');
});
