import assert from 'node:assert/strict';
import { staleInboundPartCarriers, storeInboundPart, storeStaleInboundParts, type InboundInputOf, type InboundPart } from './inbound-parts.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

const inputOf: InboundInputOf = (source, destination, _ton, content, receivedAt) => ({
  carrier: 'c1', phone: `+${source}`, toAddr: destination, extendCode: '', content, receivedAt, moAccount: 7,
});
const part = (seq: number, content: string, receivedAt = 1_000, over: Partial<InboundPart> = {}): InboundPart => ({
  carrier: 'c1', source: '8613800138000', destination: '1069000', ref: 9, total: 3, seq, sourceTon: 1, content, receivedAt, ...over,
});
const inbound = (db: Parameters<typeof storeInboundPart>[0]) =>
  db.selectFrom('inbound_messages').select(['account_id', 'phone', 'content', 'received_at']).orderBy('id').execute();

testOnBothDatabases('MO parts wait in the database; the last one stores the whole message once, a resent part is kept once', async (db) => {
  assert.equal(await storeInboundPart(db, part(3, 'C'), inputOf), undefined);
  assert.equal(await storeInboundPart(db, part(1, 'A', 900), inputOf), undefined);
  assert.equal(await storeInboundPart(db, part(1, 'A', 950), inputOf), undefined, 'the same part again completes nothing');
  // Another message with the same reference from another phone is its own message.
  assert.equal(await storeInboundPart(db, part(2, 'x', 1_000, { source: '8613900139000' }), inputOf), undefined);
  const stored = await storeInboundPart(db, part(2, 'B'), inputOf);
  assert.equal(stored?.accountId, 7);
  assert.deepEqual(await inbound(db), [{ account_id: 7, phone: '+8613800138000', content: 'ABC', received_at: 900 }]);
  assert.deepEqual((await db.selectFrom('inbound_parts').select('source').execute()).map((r) => r.source), ['8613900139000']);
});

testOnBothDatabases('a message still missing parts is stored with what arrived once its first part is old enough, and only once', async (db) => {
  await storeInboundPart(db, part(1, 'A', 1_000), inputOf);
  await storeInboundPart(db, part(3, 'C', 1_500), inputOf);
  assert.deepEqual(await storeStaleInboundParts(db, 'c1', 60_000, inputOf, 60_500), [], 'not old enough yet');
  assert.deepEqual(await storeStaleInboundParts(db, 'other', 60_000, inputOf, 62_000), [], "another carrier's sweep");
  const [stored, ...more] = await storeStaleInboundParts(db, 'c1', 60_000, inputOf, 62_000);
  assert.equal(more.length, 0);
  assert.equal(stored?.toAddr, '1069000');
  assert.deepEqual(await inbound(db), [{ account_id: 7, phone: '+8613800138000', content: 'AC', received_at: 1_000 }]);
  assert.deepEqual(await storeStaleInboundParts(db, 'c1', 60_000, inputOf, 70_000), []);
  // The late part starts a new message rather than disappearing.
  assert.equal(await storeInboundPart(db, part(2, 'B', 63_000), inputOf), undefined);
  assert.equal((await db.selectFrom('inbound_parts').selectAll().execute()).length, 1);
});

testOnBothDatabases('the carriers holding parts of a message old enough to be stored incomplete', async (db) => {
  await storeInboundPart(db, part(1, 'A', 1_000), inputOf);
  await storeInboundPart(db, part(1, 'B', 1_000, { carrier: 'gone' }), inputOf);
  await storeInboundPart(db, part(1, 'C', 30_000, { carrier: 'later' }), inputOf);
  assert.deepEqual(await staleInboundPartCarriers(db, 60_000, 50_000), [], 'nothing old enough yet');
  assert.deepEqual((await staleInboundPartCarriers(db, 60_000, 62_000)).sort(), ['c1', 'gone']);
  await storeStaleInboundParts(db, 'gone', 60_000, inputOf, 62_000);
  assert.deepEqual(await staleInboundPartCarriers(db, 60_000, 62_000), ['c1'], 'stored: its parts are gone');
  assert.deepEqual((await staleInboundPartCarriers(db, 60_000, 100_000)).sort(), ['c1', 'later']);
});
