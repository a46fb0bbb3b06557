import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha1Hex, sign, signingString } from './signature.ts';

// The reference sheet's test vectors (section 2), checked against the client's own implementation.
const secret2 = 'NTk1Mzk0MAItOWI0My10MGM4LTg0NmMMNDM0ZGM5Y2ZkMmNk';

test('vector 1: UCloud CreateUHostInstance', async () => {
  const params = {
    Action: 'CreateUHostInstance', CPU: 2, ChargeType: 'Month', DiskSpace: 10,
    ImageId: 'f43736e1-65a5-4bea-ad2e-8a46e18883c2', LoginMode: 'Password', Memory: 2048, Name: 'Host01',
    Password: 'VUNsb3VkLmNu', PublicKey: 'ucloudsomeone@example.com1296235120854146120', Quantity: 1,
    Region: 'cn-bj2', Zone: 'cn-bj2-04',
  };
  assert.equal(await sign(params, '46f09bb9fab4f12dfc160dae12273d5332b5debe'), '4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
});

test('vector 2: CreateUSMSTemplate (uSpeedo body)', async () => {
  const params = { Action: 'CreateUSMSTemplate', Purpose: 1, Template: 'your code is {1}', AccountId: 60000011, TemplateName: 'demo' };
  assert.equal(await sign(params, secret2), '11a0430ae6f1a4dc0c656e64dfc1886b0ac4b63a');
});

test('vector 3: SendBatchUSMSMessage with a nested TaskContent array', async () => {
  const params = {
    Action: 'SendBatchUSMSMessage',
    TaskContent: [{ TemplateId: 'UTAXXXXXXXXXXX', SenderId: 'uspeedo', Target: [{ Phone: '1111', TemplateParams: ['1111'] }] }],
  };
  assert.equal(await sign(params, secret2), '7175ca50d6204dfd469e8aab447810c08f9da53f');
});

test('vector 4: the raw signing string', async () => {
  const s = 'ActionDescribeUHostInstanceLimit10PublicKeysomeone@example.com1296235120854146120Regioncn-bj2';
  assert.equal(signingString({ Region: 'cn-bj2', Limit: 10, Action: 'DescribeUHostInstance', PublicKey: 'someone@example.com1296235120854146120' }), s);
  assert.equal(await sha1Hex(s + '46f09bb9fab4f12dfc160dae12273d5332b5debe'), '4201919d267504385deb93af19e0197870fed36b');
});

test('keys sort by code unit and are never re-indexed; Signature is left out', () => {
  assert.equal(signingString({ 'PhoneNumbers.2': 'b', 'PhoneNumbers.10': 'a', Signature: 'x' }), 'PhoneNumbers.10aPhoneNumbers.2b');
});

test('numbers, booleans, null and non-ASCII text', async () => {
  assert.equal(signingString({ a: 42.0, b: true, c: false, d: 1.5, e: 1e21, f: 1e-7, g: null }), 'a42btruecfalsed1.5e1000000000000000000000f0.0000001g');
  // UTF-8 before hashing: sha1("你好") is well known.
  assert.equal(await sha1Hex('你好'), '440ee0853ad1e99f962b63e459ef992d7c211722');
});
