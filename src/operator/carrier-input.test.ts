import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperatorError } from './actor.ts';
import { parseCarrierChanges, parseNewCarrier } from './carrier-input.ts';

const refused = (message: RegExp) => (e: unknown) => e instanceof OperatorError && e.kind === 'bad-input' && message.test(e.message);

test("the CLI's strings and the console's JSON values read the same", () => {
  const fromFlags = parseNewCarrier({ Name: 'c', Host: 'h', Port: '2775', SystemId: 's', Password: 'p', Window: '20', Tls: true, RoutePrefixes: '86,+44', RouteAccounts: '60000001', MoAccount: '60000002' });
  const fromJson = parseNewCarrier({ Name: 'c', Host: 'h', Port: 2775, SystemId: 's', Password: 'p', Window: 20, Tls: true, RoutePrefixes: ['86', '+44'], RouteAccounts: [60000001], MoAccount: 60000002 });
  assert.deepEqual(fromFlags, fromJson);
  assert.deepEqual([fromFlags.prefetch, fromFlags.prefixes, fromFlags.accounts, fromFlags.moAccount, fromFlags.policy], [20, ['86', '44'], [60000001], 60000002, 'at-most-once']);
});

test('changes hold only the fields given; "none" or null clears the MO account; "" empties a list', () => {
  assert.deepEqual(parseCarrierChanges({ Port: '2776' }), { port: 2776 });
  assert.deepEqual(parseCarrierChanges({ MoAccount: 'none', RoutePrefixes: '' }), { moAccount: null, prefixes: [] });
  assert.deepEqual(parseCarrierChanges({ MoAccount: null, IdFormat: 'hex' }), { moAccount: null, idFormat: { resp: 'hex', receipt: 'hex' } });
});

test('refusals name the field', () => {
  assert.throws(() => parseCarrierChanges({ Port: 'x' }), refused(/^Port must be a whole number$/));
  assert.throws(() => parseCarrierChanges({ Tls: 'maybe' }), refused(/^Tls must be true or false$/));
  assert.throws(() => parseCarrierChanges({ IdFormat: 'base64' }), refused(/^id format "base64"/));
  assert.throws(() => parseNewCarrier({ Name: 'c', Host: 'h', Port: 1, SystemId: 's' }), refused(/^Password is required$/));
  assert.throws(() => parseNewCarrier({ Name: 'c', Host: 'h', Port: 1, SystemId: 's', Password: 'toolongpassword' }), refused(/at most 8 characters/));
});
