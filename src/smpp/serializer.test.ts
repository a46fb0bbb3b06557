import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { COMMAND_IDS, CommandStatus, type CommandName } from './constants.ts';
import { Parser } from './parser.ts';
import { createPdu, type Pdu } from './pdu.ts';
import { serialize } from './serializer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

test('enquire_link is exactly the 16-octet header', () => {
  assert.deepEqual(serialize(createPdu('enquire_link', { sequence: 1 })), hex('00000010 00000015 00000000 00000001'));
});

test('bind_transmitter SMPP3TEST / secret08 / SUBMIT1 byte for byte', () => {
  const bytes = serialize(createPdu('bind_transmitter', { sequence: 1, systemId: 'SMPP3TEST', password: 'secret08', systemType: 'SUBMIT1' }));
  const expected = hex(
    '0000002f 00000002 00000000 00000001' +
      `${ascii('SMPP3TEST')}00 ${ascii('secret08')}00 ${ascii('SUBMIT1')}00` +
      '34 00 00 00',
  );
  assert.deepEqual(bytes, expected);
});

test('submit_sm byte for byte, with TLVs', () => {
  const bytes = serialize(
    createPdu('submit_sm', {
      sequence: 0x0102,
      sourceAddrTon: 5,
      sourceAddr: 'USMS',
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: '447700900123',
      registeredDelivery: 1,
      dataCoding: 8,
      shortMessage: hex('00480069'),
      tlvs: { userMessageReference: 0x1234, sourcePort: 80 },
    }),
  );
  const body =
    '00 05 00' + `${ascii('USMS')}00` + '01 01' + `${ascii('447700900123')}00` +
    '00 00 00 00 00 01 00 08 00' + '04 00480069' + '0204 0002 1234' + '020a 0002 0050';
  const head = (16 + hex(body).length).toString(16).padStart(8, '0');
  assert.deepEqual(bytes, hex(`${head} 00000004 00000000 00000102 ${body}`));
});

test('error responses are header-only; successful ones carry the body', () => {
  assert.deepEqual(
    serialize(createPdu('submit_sm_resp', { sequence: 5, status: CommandStatus.ESME_RTHROTTLED, messageId: 'ignored' })),
    hex('00000010 80000004 00000058 00000005'),
  );
  assert.deepEqual(serialize(createPdu('submit_sm_resp', { sequence: 5, messageId: 'A1' })), hex(`00000013 80000004 00000000 00000005 ${ascii('A1')}00`));
  assert.deepEqual(serialize(createPdu('generic_nack', { sequence: 9, status: CommandStatus.ESME_RINVCMDID })), hex('00000010 80000000 00000003 00000009'));
});

test('values that cannot be encoded throw RangeError', () => {
  assert.throws(() => serialize(createPdu('submit_sm', { shortMessage: Buffer.alloc(255) })), RangeError);
  assert.throws(() => serialize(createPdu('submit_sm', { destinationAddr: '1'.repeat(21) })), RangeError);
  assert.throws(() => serialize(createPdu('bind_transmitter', { password: '123456789' })), RangeError);
});

test('every command round-trips through the parser', () => {
  const samples: Pdu[] = [];
  for (const name of Object.keys(COMMAND_IDS) as CommandName[]) {
    samples.push(createPdu(name, { sequence: samples.length + 1 }) as Pdu);
  }
  samples.push(
    createPdu('bind_transceiver', { sequence: 100, systemId: 'sys', password: 'pw', systemType: 'T', addrTon: 1, addrNpi: 1, addressRange: '^44' }),
    createPdu('bind_transceiver_resp', { sequence: 100, systemId: 'SMSC', tlvs: { scInterfaceVersion: 0x34 } }),
    createPdu('deliver_sm', { sequence: 101, esmClass: 4, shortMessage: Buffer.from('id:1'), tlvs: { receiptedMessageId: '1', messageState: 2, networkErrorCode: { networkType: 3, errorCode: 0 } } }),
    createPdu('data_sm', { sequence: 102, sourceAddr: 'x'.repeat(64), tlvs: { messagePayload: Buffer.alloc(1000, 1), moreMessagesToSend: 1, payloadType: 0, alertOnMessageDelivery: true } }),
    createPdu('data_sm_resp', { sequence: 102, messageId: 'abc', tlvs: { deliveryFailureReason: 1, additionalStatusInfoText: 'oops' } }),
    createPdu('query_sm_resp', { sequence: 103, messageId: '1', finalDate: '250101120000000+', messageState: 2, errorCode: 0 }),
    createPdu('outbind', { sequence: 104, systemId: 'smsc', password: 'pw' }),
  );
  const p = new Parser();
  assert.deepEqual(p.parse(Buffer.concat(samples.map(serialize))), samples);
});

test('interop: the npm smpp package reads our bytes and we read its bytes', () => {
  const ours = serialize(
    createPdu('submit_sm', { sequence: 77, sourceAddr: 'USMS', destinationAddr: '447700900123', registeredDelivery: 1, shortMessage: Buffer.from('hello'), tlvs: { userMessageReference: 3 } }),
  );
  const theirs = new smpp.PDU(ours);
  assert.equal(theirs.command, 'submit_sm');
  assert.equal(theirs.sequence_number, 77);
  assert.equal(theirs.destination_addr, '447700900123');
  assert.equal(theirs.user_message_reference, 3);

  const npm = new smpp.PDU('deliver_sm', {
    sequence_number: 8,
    source_addr: '447700900123',
    destination_addr: 'USMS',
    esm_class: 4,
    data_coding: 0,
    short_message: Buffer.from('id:42 stat:DELIVRD'),
    receipted_message_id: '42',
    message_state: 2,
  }).toBuffer();
  const [pdu] = new Parser().parse(npm);
  assert.ok(pdu && !('kind' in pdu));
  assert.equal(pdu.command, 'deliver_sm');
  if (pdu.command !== 'deliver_sm') return;
  assert.equal(pdu.esmClass, 4);
  assert.deepEqual(pdu.shortMessage, Buffer.from('id:42 stat:DELIVRD'));
  assert.equal(pdu.tlvs.receiptedMessageId, '42');
  assert.equal(pdu.tlvs.messageState, 2);
  assert.deepEqual(serialize(pdu), npm);
});
