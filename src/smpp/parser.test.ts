import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CommandStatus } from './constants.ts';
import { Parser, PduError, decodeFrame, type ParseResult } from './parser.ts';
import { createPdu, type Pdu } from './pdu.ts';
import { serialize } from './serializer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const cstr = (s: string) => Buffer.from(`${s}\0`, 'latin1');

function frame(commandId: number, status: number, seq: number, body: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(16 + body.length, 0);
  head.writeUInt32BE(commandId, 4);
  head.writeUInt32BE(status, 8);
  head.writeUInt32BE(seq, 12);
  return Buffer.concat([head, body]);
}

function only(results: ParseResult[]): Pdu {
  assert.equal(results.length, 1);
  const r = results[0]!;
  if (r instanceof PduError) assert.fail(`unexpected error: ${r.message}`);
  return r;
}

function errorOf(buf: Buffer): PduError {
  const results = new Parser().parse(buf);
  assert.equal(results.length, 1);
  const r = results[0]!;
  assert.ok(r instanceof PduError, 'expected a PduError');
  return r;
}

test('enquire_link header-only PDU', () => {
  const pdu = only(new Parser().parse(hex('00000010 00000015 00000000 00000001')));
  assert.equal(pdu.command, 'enquire_link');
  assert.equal(pdu.sequence, 1);
  assert.equal(pdu.status, 0);
});

test('bind_transmitter SMPP3TEST / secret08 / SUBMIT1', () => {
  const body = Buffer.concat([cstr('SMPP3TEST'), cstr('secret08'), cstr('SUBMIT1'), hex('34 01 01'), cstr('')]);
  const bytes = frame(0x00000002, 0, 0x2a, body);
  assert.equal(bytes.length, 0x2f);
  const pdu = only(new Parser().parse(bytes));
  assert.equal(pdu.command, 'bind_transmitter');
  if (pdu.command !== 'bind_transmitter') return;
  assert.equal(pdu.systemId, 'SMPP3TEST');
  assert.equal(pdu.password, 'secret08');
  assert.equal(pdu.systemType, 'SUBMIT1');
  assert.equal(pdu.interfaceVersion, 0x34);
  assert.equal(pdu.addrTon, 1);
  assert.equal(pdu.addrNpi, 1);
  assert.equal(pdu.addressRange, '');
  assert.equal(pdu.sequence, 0x2a);
});

test('submit_sm with a TLV, and submit_sm_resp', () => {
  const body = Buffer.concat([
    cstr(''), hex('05 00'), cstr('USMS'), hex('01 01'), cstr('447700900123'),
    hex('00 00 00'), cstr(''), cstr(''), hex('01 00 00 00'), hex('05'), Buffer.from('hello'),
    hex('0204 0002 0007'),
  ]);
  const pdu = only(new Parser().parse(frame(0x04, 0, 7, body)));
  assert.equal(pdu.command, 'submit_sm');
  if (pdu.command !== 'submit_sm') return;
  assert.equal(pdu.sourceAddrTon, 5);
  assert.equal(pdu.sourceAddr, 'USMS');
  assert.equal(pdu.destAddrTon, 1);
  assert.equal(pdu.destinationAddr, '447700900123');
  assert.equal(pdu.registeredDelivery, 1);
  assert.deepEqual(pdu.shortMessage, Buffer.from('hello'));
  assert.equal(pdu.tlvs.userMessageReference, 7);

  const resp = only(new Parser().parse(frame(0x80000004, 0, 7, cstr('0A1B2C'))));
  assert.equal(resp.command, 'submit_sm_resp');
  assert.equal(resp.command === 'submit_sm_resp' && resp.messageId, '0A1B2C');
});

test('header-only error responses decode with empty fields', () => {
  const resp = only(new Parser().parse(frame(0x80000004, CommandStatus.ESME_RTHROTTLED, 9, Buffer.alloc(0))));
  assert.equal(resp.command, 'submit_sm_resp');
  assert.equal(resp.status, 0x58);
  assert.equal(resp.command === 'submit_sm_resp' && resp.messageId, '');
});

test('receipt TLVs decode to typed values; unknown TLVs stay raw', () => {
  const body = Buffer.concat([
    cstr(''), hex('01 01'), cstr('447700900123'), hex('00 00'), cstr('USMS'),
    hex('04 00 00'), cstr(''), cstr(''), hex('00 00 00 00'), hex('00'),
    hex('001E 0007'), cstr('ABC123'),
    hex('0427 0001 02'),
    hex('0423 0003 03 0001'),
    hex('1400 0003 aabbcc'),
    hex('0427 0001 05'),
  ]);
  const pdu = only(new Parser().parse(frame(0x05, 0, 3, body)));
  assert.equal(pdu.command, 'deliver_sm');
  assert.equal(pdu.tlvs.receiptedMessageId, 'ABC123');
  assert.equal(pdu.tlvs.messageState, 2);
  assert.deepEqual(pdu.tlvs.networkErrorCode, { networkType: 3, errorCode: 1 });
  assert.deepEqual(pdu.tlvs.unknown, [
    { tag: 0x1400, value: hex('aabbcc') },
    { tag: 0x0427, value: hex('05') },
  ]);
  // re-serialised unchanged (named TLVs first, then the raw ones, which is also how they arrived here)
  assert.deepEqual(serialize(pdu), frame(0x05, 0, 3, body));
});

test('chunked input: one byte at a time, and several PDUs in one chunk', () => {
  const pdus = [
    createPdu('enquire_link', { sequence: 1 }),
    createPdu('submit_sm', { sequence: 2, destinationAddr: '123', shortMessage: Buffer.from('hi'), tlvs: { sarMsgRefNum: 9, sarTotalSegments: 2, sarSegmentSeqnum: 1 } }),
    createPdu('bind_transceiver', { sequence: 3, systemId: 'a', password: 'b' }),
  ];
  const stream = Buffer.concat(pdus.map(serialize));
  const byteWise = new Parser();
  const got: ParseResult[] = [];
  for (const b of stream) got.push(...byteWise.parse(Buffer.from([b])));
  assert.deepEqual(got, pdus);
  assert.deepEqual(new Parser().parse(stream), pdus);
  // split in the middle of the second header
  const p = new Parser();
  assert.deepEqual([...p.parse(stream.subarray(0, 20)), ...p.parse(stream.subarray(20))], pdus);
});

test('command_length below 16 or above the maximum is fatal ESME_RINVCMDLEN', () => {
  const small = errorOf(hex('0000000f 00000015 00000000 00000001'));
  assert.equal(small.status, CommandStatus.ESME_RINVCMDLEN);
  assert.equal(small.fatal, true);
  assert.equal(small.sequence, 1);
  const p = new Parser({ maxLength: 1024 });
  const big = p.parse(hex('00000401 00000004'));
  assert.ok(big[0] instanceof PduError && big[0].fatal && big[0].status === CommandStatus.ESME_RINVCMDLEN);
  assert.deepEqual(p.parse(hex('00000010 00000015 00000000 00000001')), [], 'a broken stream yields nothing more');
});

test('unknown command_id is ESME_RINVCMDID and the stream continues', () => {
  const p = new Parser();
  const out = p.parse(Buffer.concat([frame(0x00000099, 0, 5, hex('0102')), hex('00000010 00000015 00000000 00000006')]));
  assert.equal(out.length, 2);
  const e = out[0] as PduError;
  assert.ok(e instanceof PduError);
  assert.equal(e.status, CommandStatus.ESME_RINVCMDID);
  assert.equal(e.sequence, 5);
  assert.equal(e.fatal, false);
  assert.equal((out[1] as Pdu).command, 'enquire_link');
});

test('body errors: C-string overflow, missing NUL, sm_length and TLV length beyond body', () => {
  const longId = errorOf(frame(0x02, 0, 1, Buffer.concat([cstr('X'.repeat(16)), cstr(''), cstr(''), hex('34 00 00'), cstr('')])));
  assert.equal(longId.status, CommandStatus.ESME_RINVPARLEN);
  const noNul = errorOf(frame(0x02, 0, 1, Buffer.from('SMPP3TEST')));
  assert.equal(noNul.status, CommandStatus.ESME_RINVCMDLEN);
  const head = Buffer.concat([cstr(''), hex('00 00'), cstr('1'), hex('00 00'), cstr('2'), hex('00 00 00'), cstr(''), cstr(''), hex('00 00 00 00')]);
  const smOver = errorOf(frame(0x04, 0, 2, Buffer.concat([head, hex('0a'), Buffer.from('abc')])));
  assert.equal(smOver.status, CommandStatus.ESME_RINVMSGLEN);
  assert.equal(smOver.sequence, 2);
  const tlvOver = errorOf(frame(0x04, 0, 2, Buffer.concat([head, hex('00'), hex('0424 0010 aabb')])));
  assert.equal(tlvOver.status, CommandStatus.ESME_RINVOPTPARSTREAM);
  const tlvStub = errorOf(frame(0x04, 0, 2, Buffer.concat([head, hex('00'), hex('04')])));
  assert.equal(tlvStub.status, CommandStatus.ESME_RINVOPTPARSTREAM);
  const truncated = errorOf(frame(0x04, 0, 2, head.subarray(0, 10)));
  assert.equal(truncated.status, CommandStatus.ESME_RINVCMDLEN);
});

test('fuzz: random and truncated buffers never throw', () => {
  const valid = [
    serialize(createPdu('submit_sm', { sequence: 1, sourceAddr: 'abc', destinationAddr: '123', shortMessage: randomBytes(100), tlvs: { messagePayload: randomBytes(30), unknown: [{ tag: 0x1501, value: randomBytes(3) }] } })),
    serialize(createPdu('deliver_sm', { sequence: 2, esmClass: 4, shortMessage: Buffer.from('id:1 stat:DELIVRD'), tlvs: { receiptedMessageId: '1', messageState: 2 } })),
    serialize(createPdu('bind_transceiver_resp', { sequence: 3, systemId: 'smsc', tlvs: { scInterfaceVersion: 0x34 } })),
  ];
  let rand = 12345;
  const next = () => (rand = (rand * 1103515245 + 12345) >>> 0);
  for (let i = 0; i < 5000; i++) {
    let buf: Buffer;
    const mode = i % 4;
    if (mode === 0) {
      buf = randomBytes(next() % 200);
    } else {
      const base = Buffer.from(valid[next() % valid.length]!);
      if (mode === 1) {
        // keep a valid length header, corrupt body bytes
        for (let k = 0; k < 1 + (next() % 5); k++) {
          const at = 16 + (next() % Math.max(1, base.length - 16));
          if (at < base.length) base[at] = next() & 0xff;
        }
        buf = base;
      } else if (mode === 2) {
        // truncate, then claim a shorter command_length
        const cut = 16 + (next() % (base.length - 15));
        buf = Buffer.from(base.subarray(0, cut));
        buf.writeUInt32BE(cut, 0);
      } else {
        buf = Buffer.concat([base.subarray(0, next() % base.length), randomBytes(next() % 40)]);
      }
    }
    assert.doesNotThrow(() => {
      const p = new Parser();
      let off = 0;
      while (off < buf.length) {
        const n = 1 + (next() % 37);
        p.parse(buf.subarray(off, off + n));
        off += n;
      }
      if (buf.length >= 16) decodeFrame(buf);
    });
  }
});
