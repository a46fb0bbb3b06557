import { HTTP_DEFAULTS, normalizeHttpSettings, type HttpPreset, type HttpSettings, type HttpSettingsOverrides, type ReceiptCode } from './http-settings.ts';

/**
 * Known providers, field for field as their public API documentation has them. Each gives everything
 * but the account (username, sender): `httpSettingsFor('twilio', { username: 'AC...', from: '+1...' })`.
 */

/**
 * Twilio Programmable Messaging: create a Message resource (form-encoded, HTTP basic auth with the Account
 * SID and auth token); 201 with the resource (`sid`, `status`), errors as {code, message, more_info, status}.
 * Status callbacks are signed form POSTs (X-Twilio-Signature). `failed` means Twilio never handed the
 * message on (REJECTD); `undelivered` that the network refused it (UNDELIV); `sent` is not final.
 */
const TWILIO: HttpSettings = {
  preset: 'twilio',
  baseUrl: 'https://api.twilio.com',
  username: '',
  from: '',
  request: {
    method: 'POST',
    url: '{baseUrl}/2010-04-01/Accounts/{username}/Messages.json',
    auth: 'basic',
    format: 'form',
    body: { To: '{to}', From: '{from}', Body: '{text}', StatusCallback: '{receipt_url}' },
  },
  response: {
    idPath: 'sid',
    statusPath: 'status',
    okValues: ['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read'],
    // An error answer has code/message; a created message that failed at once has error_code/error_message.
    errorCodePath: 'code|error_code',
    errorTextPath: 'message|error_message',
    codePrefix: 'TWILIO_',
  },
  receipt: {
    format: 'form',
    idPath: 'MessageSid|SmsSid',
    statusPath: 'MessageStatus|SmsStatus',
    errorCodePath: 'ErrorCode',
    timestampPath: 'RawDlrDoneDate',
    accountPath: 'AccountSid',
    statusMap: {
      accepted: 'ACCEPTD',
      scheduled: 'ACCEPTD',
      queued: 'ACCEPTD',
      sending: 'ENROUTE',
      sent: 'ENROUTE',
      delivered: 'DELIVRD',
      read: 'DELIVRD',
      undelivered: 'UNDELIV',
      failed: 'REJECTD',
      canceled: 'DELETED',
    },
    signature: 'twilio',
  },
  ...HTTP_DEFAULTS,
};

/**
 * Vonage SMS API: api_key and api_secret in the form body, `to` without '+', `type=unicode` for text that
 * is not GSM-7. Always 200: one entry per part in `messages`, each with its own `status` ("0" accepted,
 * "1" throttled, others refused) and `message-id`. Delivery receipts (GET query, or POST as JSON or a form)
 * come per part, unsigned unless the account enables signing.
 */
const VONAGE: HttpSettings = {
  preset: 'vonage',
  baseUrl: 'https://rest.nexmo.com',
  username: '',
  from: '',
  request: {
    method: 'POST',
    url: '{baseUrl}/sms/json',
    auth: 'none',
    format: 'form',
    body: {
      api_key: '{username}',
      api_secret: '{secret}',
      from: '{from}',
      to: '{to_digits}',
      text: '{text}',
      type: '{type}',
      callback: '{receipt_url}',
      'client-ref': '{id}',
    },
  },
  response: {
    partsPath: 'messages',
    idPath: 'message-id',
    statusPath: 'status',
    okValues: ['0'],
    temporaryValues: ['1'],
    errorCodePath: 'status',
    errorTextPath: 'error-text',
    codePrefix: 'VONAGE_',
  },
  receipt: {
    format: 'auto',
    idPath: 'messageId',
    statusPath: 'status',
    errorCodePath: 'err-code',
    // scts: when the network reported (YYMMDDHHMM); message-timestamp: when Vonage sent the receipt.
    timestampPath: 'scts|message-timestamp',
    accountPath: 'api-key',
    statusMap: {
      accepted: 'ACCEPTD',
      buffered: 'ENROUTE',
      delivered: 'DELIVRD',
      expired: 'EXPIRED',
      failed: 'UNDELIV',
      rejected: 'REJECTD',
      unknown: 'UNKNOWN',
    },
    signature: 'none',
  },
  ...HTTP_DEFAULTS,
};

/** A custom provider starts from this: everything about the request and its answer has to be given. */
const CUSTOM: HttpSettings = {
  preset: 'custom',
  baseUrl: '',
  username: '',
  from: '',
  request: { method: 'POST', url: '', auth: 'none', format: 'json', body: {} },
  response: { idPath: '' },
  receipt: {
    format: 'auto',
    idPath: '',
    statusPath: '',
    // SMPP receipt words as they are, and the usual English ones.
    statusMap: {
      ...(Object.fromEntries(['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN', 'ENROUTE', 'ACCEPTD'].map((c) => [c, c])) as Record<string, ReceiptCode>),
      delivered: 'DELIVRD',
      undelivered: 'UNDELIV',
      failed: 'UNDELIV',
      expired: 'EXPIRED',
      rejected: 'REJECTD',
    },
    signature: 'none',
  },
  ...HTTP_DEFAULTS,
};

const PRESETS: Record<HttpPreset, HttpSettings> = { twilio: TWILIO, vonage: VONAGE, custom: CUSTOM };

/**
 * A preset with the given fields over it, checked (throws an Error saying what is wrong). Sections merge
 * field by field, and so do request.body and receipt.statusMap (a body field set to '' is left out).
 */
export function httpSettingsFor(preset: HttpPreset, overrides: HttpSettingsOverrides = {}): HttpSettings {
  const base = PRESETS[preset];
  if (!base) throw new Error(`HTTP carrier settings: preset must be one of ${Object.keys(PRESETS).join(', ')}, not "${String(preset)}"`);
  const { request, response, receipt, ...top } = overrides;
  // Cloned whole, so the settings handed out share no list or map with the presets.
  return normalizeHttpSettings(
    structuredClone({
      ...base,
      ...top,
      preset,
      request: { ...base.request, ...request, body: { ...base.request.body, ...request?.body } },
      response: { ...base.response, ...response },
      receipt: { ...base.receipt, ...receipt, statusMap: { ...base.receipt.statusMap, ...receipt?.statusMap } },
    }),
  );
}

/** The preset itself (a copy), e.g. to show what a preset sends. */
export function httpPreset(preset: HttpPreset): HttpSettings {
  return structuredClone(PRESETS[preset]);
}
