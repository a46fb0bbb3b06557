import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsgType, type LowBalanceRecord, type ReceiptRecord, type ReplyRecord } from '../store/callbacks.ts';
import { itemData, lowBalanceItem, receiptItem, renderItem, replyItem } from './payloads.ts';

const receipt: ReceiptRecord = {
  session_no: 'S-1', phone: '13800138000', segments: 2, receipt_at: 1_767_322_245_999, status: 'delivered',
  receipt_code: 'DELIVRD', receipt_desc: 'ok', user_id: 'u1',
};
const reply: ReplyRecord = { phone: '13800000000', content: 'TD "退订"', extend_code: '123', user_id: 'u1', received_at: 1_767_322_245_500 };
const low: LowBalanceRecord = { account_id: 7, balance: 40_000, threshold: 50_000, currency: 'USD', at: 1_767_322_245_001 };

test('a receipt record renders as the MsgType 2 item: key order, whole seconds, UCloud spelling', () => {
  assert.equal(
    renderItem(MsgType.Receipt, JSON.stringify(receipt)),
    '{"SessionNo":"S-1","Phone":"13800138000","CostCount":2,"ReceiptTime":1767322245,"ReceiptResult":"Success","ReceiptCode":"DELIVRD","ReceiptDesc":"ok","UserId":"u1"}',
  );
  const spelled = (status: ReceiptRecord['status']) => receiptItem({ ...receipt, status }).ReceiptResult;
  assert.deepEqual(
    (['delivered', 'undelivered', 'expired', 'failed', 'unknown', 'sent'] as const).map(spelled),
    ['Success', 'Fail', 'Fail', 'SubmitFail', 'Unknow', 'Unknow'],
  );
});

test('a reply record renders as the MsgType 0 item', () => {
  assert.equal(
    renderItem(MsgType.Reply, JSON.stringify(reply)),
    '{"ExtendCode":"123","UserId":"u1","Phone":"13800000000","ReplyContent":"TD \\"退订\\"","ReplyTime":1767322245}',
  );
  assert.deepEqual(replyItem({ ...reply, extend_code: '', user_id: '' }).ExtendCode, '');
});

test('a low-balance record renders as the MsgType 3 item, money as decimal text', () => {
  assert.equal(
    renderItem(MsgType.LowBalance, JSON.stringify(low)),
    '{"AccountId":7,"Balance":"0.04","Threshold":"0.05","Currency":"USD","Time":1767322245}',
  );
  assert.deepEqual([lowBalanceItem({ ...low, balance: -1_500_000 }).Balance, lowBalanceItem({ ...low, threshold: 45_000 }).Threshold], ['-1.50', '0.045']);
});

test('items queued before the store kept records (already the customer item) are returned byte for byte', () => {
  const legacy = [
    [MsgType.Receipt, '{"SessionNo":"S-1","Phone":"13800138000","CostCount":1,"ReceiptTime":1767322245,"ReceiptResult":"Unknow","ReceiptCode":"","ReceiptDesc":"","UserId":""}'],
    [MsgType.Reply, '{"ExtendCode":"","UserId":"","Phone":"1","ReplyContent":"x","ReplyTime":1767322245}'],
    [MsgType.LowBalance, '{"AccountId":7,"Balance":"0.04","Threshold":"0.05","Currency":"USD","Time":1767322245}'],
  ] as const;
  for (const [msgType, stored] of legacy) assert.equal(renderItem(msgType, stored), stored);
});

test('a payload that is no record of its MsgType is returned as it is', () => {
  assert.equal(renderItem(MsgType.Receipt, JSON.stringify(reply)), JSON.stringify(reply), 'a reply record is no receipt');
  assert.equal(renderItem(MsgType.Reply, '{"n":1}'), '{"n":1}');
  assert.equal(renderItem(MsgType.LowBalance, 'not json'), 'not json');
  assert.equal(renderItem(9, JSON.stringify(receipt)), JSON.stringify(receipt), 'an unknown MsgType');
});

test('itemData is the rendered item as a value', () => {
  assert.deepEqual(itemData(MsgType.Receipt, JSON.stringify(receipt)), receiptItem(receipt));
  assert.deepEqual(itemData(MsgType.Reply, JSON.stringify(reply)), replyItem(reply));
});
