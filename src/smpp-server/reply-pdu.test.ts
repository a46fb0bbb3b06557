import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeShortMessage } from '../smpp/short-message-text.ts';
import { createPdu } from '../smpp/pdu.ts';
import { replyPdu } from './reply-pdu.ts';

const decoded = (input: ReturnType<typeof replyPdu>) => decodeShortMessage(createPdu('deliver_sm', input), false);

test('a GSM-7 reply goes as data_coding 0 from the handset to the customer\'s address', () => {
  const pdu = replyPdu({ phone: '+447700900123', to: '12345', content: 'STOP' });
  assert.deepEqual([pdu.sourceAddrTon, pdu.sourceAddr, pdu.destinationAddr, pdu.dataCoding, pdu.esmClass], [1, '447700900123', '12345', 0, 0]);
  assert.equal(decoded(pdu).text, 'STOP');
});

test('text without GSM-7 goes as UCS-2; a long one whole in message_payload', () => {
  const short = replyPdu({ phone: '+8613800138000', to: 'usms', content: '收到，谢谢' });
  assert.deepEqual([short.dataCoding, short.destAddrTon], [8, 5]);
  assert.equal(decoded(short).text, '收到，谢谢');
  const long = '好'.repeat(200);
  const pdu = replyPdu({ phone: '+8613800138000', to: '10690000', content: long });
  assert.equal(pdu.shortMessage!.length, 0);
  assert.equal(pdu.tlvs!.messagePayload!.length, 400);
  assert.equal(decoded(pdu).text, long);
});
