// The console's two dictionaries (web/i18n/en.js, zh.js) stay in step: the same keys, the same
// {placeholders}, real Chinese, and every key the pages ask for exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

type Dictionary = Record<string, string>;

const WEB = fileURLToPath(new URL('./web/', import.meta.url));

/** A dictionary module of the page: plain browser JavaScript, so it is loaded by URL and typed here. */
async function dictionary(lang: string): Promise<Dictionary> {
  const module = (await import(new URL(`./web/i18n/${lang}.js`, import.meta.url).href)) as { default: Dictionary };
  return module.default;
}

const en = await dictionary('en');
const zh = await dictionary('zh');

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sources(): Array<{ file: string; text: string }> {
  const files = ['app.js', ...['lib', 'pages'].flatMap((dir) => readdirSync(join(WEB, dir)).filter((f) => f.endsWith('.js')).map((f) => join(dir, f)))];
  // Comments left out: they show calls as examples.
  const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return files.map((file) => ({ file, text: code(readFileSync(join(WEB, file), 'utf8')) }));
}

test('en and zh have the same keys', () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});

test('each text keeps the placeholders of its English one', () => {
  for (const key of Object.keys(en)) assert.deepEqual(placeholders(zh[key]!), placeholders(en[key]!), key);
});

test('no text is empty', () => {
  for (const [key, value] of [...Object.entries(en), ...Object.entries(zh)]) assert.ok(typeof value === 'string' && value.trim(), key);
});

test('the Chinese dictionary is written in Chinese', () => {
  const han = /\p{Script=Han}/u;
  // Technical names (RetCode, system_id, PID, language names...) stay as they are; everything else is translated.
  const translated = Object.keys(zh).filter((key) => zh[key] !== en[key]);
  assert.ok(translated.length / Object.keys(zh).length > 0.9, `only ${translated.length} of ${Object.keys(zh).length} texts differ from English`);
  for (const key of translated) assert.ok(han.test(zh[key]!) || !/[a-z]{4,}/.test(zh[key]!), `${key}: ${zh[key]}`);
});

test('every key asked for by name exists', () => {
  for (const { file, text } of sources()) {
    for (const m of text.matchAll(/\bt\('([^']+)'/g)) assert.ok(m[1]! in en, `${file}: ${m[1]}`);
    for (const m of text.matchAll(/labelOr\(t, '([^']+)'/g)) assert.ok(Object.keys(en).some((k) => k.startsWith(`${m[1]}.`)), `${file}: ${m[1]}.*`);
  }
});

test('every key built from a value exists for each value the server answers', () => {
  const families: Record<string, Array<string | number>> = {
    status: ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'expired', 'failed', 'unknown'],
    // The timeline's events (operator/messages.ts) and the message fields the detail page labels.
    event: ['accepted', 'retrying', 'sending', 'submitted', 'submit-failed', 'part-receipt', 'receipt', 'push-queued', 'push-retrying', 'push-delivered', 'push-failed'],
    message: ['Id', 'AccountId', 'SessionNo', 'Phone', 'Region', 'TemplateId', 'Sender', 'Content', 'Segments', 'Encoding', 'UserId', 'Carrier', 'CarrierMsgId',
      'ReceiptCode', 'ReceiptDesc', 'Status', 'CreateTime', 'SentTime', 'ReceiptTime'],
    review: [0, 1, 2, 3, 4],
    purpose: [1, 2, 3],
    sigType: [0, 1, 2, 3, 4, 5],
    sigPurpose: [0, 1],
    role: ['operator', 'admin', 'developer', 'viewer'],
    navGroup: ['operator', 'messaging', 'setup', 'team'],
    lang: ['en', 'zh'],
    totals: ['Sent', 'Delivered', 'Failed', 'Unknown', 'Pending', 'SuccessRate', 'Spend'],
    // Billing (operator/billing.ts), the ledger's kinds, pumping alarms (operator/alarms.ts).
    billingMode: ['prepaid', 'postpaid', 'free', 'prepaidHint', 'postpaidHint', 'freeHint'],
    ledgerKind: ['topup', 'charge', 'refund', 'adjustment'],
    alarmStatus: ['open', 'released', 'dropped'],
    alarms: ['released', 'dropped'],
    'callback.count': ['Pending', 'Retrying', 'Delivered', 'Failed'],
    'callback.msgType': [0, 2],
    'callback.result': ['Url', 'Status', 'Error'],
    'batch.phase': ['done', 'stopped', 'failed'],
    keyStatus: ['active', 'revoked'],
    userStatus: ['active', 'disabled', 'locked'],
    accountStatus: ['active', 'disabled'],
    push: ['pending', 'delivered', 'failed'],
    carrierState: ['bound', 'partly-bound', 'connecting', 'closed', 'not-running', 'stale'],
    'carriers.policy': ['at-most-once', 'at-least-once'],
    'carriers.f': ['Name', 'Host', 'Port', 'SystemId', 'Password', 'SystemType', 'BindType', 'Window', 'Binds', 'Throughput', 'Split', 'IdFormat', 'Policy', 'RoutePrefixes', 'RouteAccounts', 'SourceAddr', 'Tls', 'Default'],
  };
  for (const [prefix, values] of Object.entries(families)) for (const v of values) assert.ok(`${prefix}.${v}` in en, `${prefix}.${v}`);
});
