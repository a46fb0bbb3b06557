import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import { writeSessions } from '../store/sessions.ts';
import type { Carrier, SubmitResult } from '../carriers/carrier.ts';
import { DeliveryWorker } from './worker.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));

async function queue(db: Db, n: number) {
  const { AccountId: accountId } = await createAccount(db, box, { name: 'a', region: 'GB' });
  await writeSessions(db, [{
    sessionNo: `S-${Math.random()}`, accountId, action: 'SendBatchUSMSMessage', reqUuid: 'r',
    messages: Array.from({ length: n }, (_, i) => ({
      phone: `+4477009${String(i).padStart(5, '0')}`, e164: `+4477009${String(i).padStart(5, '0')}`, region: 'GB', templateId: 'UTA1',
      sender: 'USMS', content: `m${i}`, encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
    })),
  }]);
}

async function countSending(db: Db): Promise<number> {
  const row = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sending').executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function heldAtMostMaxHeld(db: Db) {
  const MESSAGES = 300;
  const MAX_HELD = 20;
  await queue(db, MESSAGES);
  let maxSending = 0;
  let unsettled = 0;
  const submitted = new Map<number, number>();
  const carrier: Carrier = {
    name: 'fake',
    kind: 'fake',
    atLeastOnce: false,
    capacity: { window: MAX_HELD, prefetch: 0, throughput: 0 },
    async start() {},
    async stop() {},
    ready: () => true,
    status: () => { throw new Error('not used'); },
    // Always something left to write: the worker gathers outcomes instead of recording each at once.
    backlog: () => 1,
    async submit(messages) {
      // Just claimed and committed: every `sending` row is in the worker's hands now.
      maxSending = Math.max(maxSending, await countSending(db));
      return messages.map((m) => {
        submitted.set(m.id, (submitted.get(m.id) ?? 0) + 1);
        unsettled++;
        return new Promise<SubmitResult>((resolve) =>
          setTimeout(() => {
            unsettled--;
            resolve({ ok: true, carrierMsgId: `c${m.id}` });
          }, Math.random() * 8),
        );
      });
    },
  };
  const worker = new DeliveryWorker(db, carrier, pino({ level: 'silent' }), { maxHeld: MAX_HELD, batchSize: 500, leaseMs: 30_000, pollMs: 20 });
  worker.start();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirst();
    if (Number(row?.n) === MESSAGES) break;
    assert.ok(Date.now() < deadline, `only ${row?.n} of ${MESSAGES} sent`);
    maxSending = Math.max(maxSending, await countSending(db));
    await new Promise((r) => setTimeout(r, 5));
  }
  await worker.stop();
  assert.ok(maxSending <= MAX_HELD, `${maxSending} messages were sending at once, more than ${MAX_HELD}`);
  assert.ok(maxSending >= MAX_HELD / 2, `the worker kept only ${maxSending} in hand: the pipeline drains`);
  assert.equal(submitted.size, MESSAGES);
  assert.ok([...submitted.values()].every((n) => n === 1), 'nothing submitted twice');
  assert.equal(worker.inHand, 0);
  assert.equal(unsettled, 0);
}

testOnBothDatabases('delivery worker: at most maxHeld claimed and unrecorded at any time; each message submitted and recorded once', heldAtMostMaxHeld);
