import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';
import { Session } from '../src/smpp/session.ts';
import type { PduOf } from '../src/smpp/pdu.ts';
import { openDatabase, type Db } from '../src/store/db.ts';
import { ServerProcess, Workspace, uspeedoPost, waitFor } from './harness.ts';

/*
 * kill -9 of a node with an SMPP customer streaming submits. What the customer was answered with status 0
 * (its SessionNo as message_id) was stored before the answer, so after a restart on the same store every
 * such message exists, becomes final, and its receipt reaches the customer as deliver_sm: on the bind
 * before the crash, or on the new bind. Submits unanswered at the kill may or may not exist.
 * USMS_SMPP_CRASH_MESSAGES sets the volume (default 20000); the kill comes after 40% of it is answered.
 */

const MESSAGES = Number(process.env.USMS_SMPP_CRASH_MESSAGES ?? 20_000);
const KILL_AFTER = Math.floor(MESSAGES * 0.4);
const NODE_ENV = { USMS_SMPP_PORT: '0', USMS_RATE_LIMIT: '0', USMS_SANDBOX_RECEIPT_DELAY_MS: '20', USMS_LEASE_MS: '6000', USMS_LOG_LEVEL: 'warn' };
const FINAL = new Set(['delivered', 'undelivered', 'expired', 'failed', 'unknown']);
/**
 * Receipts the dead node had claimed from the store wait for their claim to lapse (60 s in
 * outbox-pump.ts) before the new node sends them: the wait allows for that and the sandbox's orphan scan.
 */
const RECEIPT_WAIT_MS = 120_000;

function smppPortOf(server: ServerProcess): number {
  const line = server.output.find((l) => l.startsWith('{"url"'));
  return JSON.parse(line!).smppPort as number;
}

/** +86 139 numbers, all distinct, none ending in the sandbox's special suffixes (0000 UNDELIV, 0001 no receipt). */
const destination = (i: number) => `86139${String(1_000_000 + i)}2`;

/** deliver_sm receipts seen on one bind: how often each receipted_message_id came, and its stat. */
class Receipts {
  readonly count = new Map<string, number>();
  readonly stat = new Map<string, string>();
  total = 0;

  constructor(session: Session) {
    session.on('deliver_sm', (pdu: PduOf<'deliver_sm'>) => {
      const id = pdu.tlvs.receiptedMessageId;
      if (!id) return;
      this.total++;
      this.count.set(id, (this.count.get(id) ?? 0) + 1);
      const stat = /stat:(\w+)/.exec(pdu.shortMessage.toString('latin1'))?.[1];
      if (stat) this.stat.set(id, stat);
    });
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}

async function statuses(db: Db, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks(ids, 500)) {
    const rows = await db.selectFrom('messages').select(['session_no', 'status']).where('session_no', 'in', part).execute();
    for (const r of rows) out.set(r.session_no, r.status);
  }
  return out;
}

test(`kill -9 while an SMPP customer streams ${MESSAGES} submits: every submit answered 0 exists after the restart, ends final and its receipt reaches the customer`, { timeout: 300_000 }, async () => {
  const ws = await Workspace.create();
  let server: ServerProcess | undefined = await ServerProcess.start(NODE_ENV, ws);
  const first = server;
  let crashed: Promise<void> | undefined;
  let db: Db | undefined;
  const sessions: Session[] = [];
  try {
    const { creds } = await server.setupAccount({ templates: [] });
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
    // Four binds: the dead node's lease on the first (15 s) does not refuse the bind after the restart.
    const user = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId),
      '--system-id', 'crash', '--max-binds', '4', '--window', '100', '--throughput', '0');
    const bindTo = (port: number, mode: 'transceiver' | 'receiver') => {
      const s = new Session({ host: '127.0.0.1', port, mode, systemId: user.SystemId, password: user.Password, windowSize: 100, reconnect: false, enquireLinkMs: 0, queueTimeoutMs: 300_000 });
      sessions.push(s);
      return s;
    };

    // 1. Stream submits through a transceiver; kill -9 the node once KILL_AFTER are answered.
    const tx = bindTo(smppPortOf(first), 'transceiver');
    const before = new Receipts(tx);
    await tx.connect();
    const answered = new Map<string, number>();
    const refused = new Map<number, number>();
    let lost = 0;
    const started = Date.now();
    const submits = Array.from({ length: MESSAGES }, (_, i) =>
      tx.submit({
        sourceAddr: 'usms', sourceAddrTon: 5, destinationAddr: destination(i), destAddrTon: 1, destAddrNpi: 1, registeredDelivery: 1,
        shortMessage: Buffer.from(`crash test message ${i}`, 'latin1'),
      }).then(
        (resp) => {
          assert.ok(resp.messageId, 'an answer with status 0 names the message');
          assert.ok(!answered.has(resp.messageId), `message_id ${resp.messageId} answered twice`);
          answered.set(resp.messageId, i);
          if (answered.size === KILL_AFTER) crashed = first.crash();
        },
        (err: { status?: number }) => {
          if (err.status !== undefined) refused.set(err.status, (refused.get(err.status) ?? 0) + 1);
          else lost++;
        },
      ),
    );
    await Promise.all(submits);
    assert.ok(crashed, `the node was killed (answered ${answered.size}, refused ${JSON.stringify([...refused])}, lost ${lost})`);
    await crashed;
    server = undefined;
    await tx.close();
    const ids = [...answered.keys()];
    console.log(`# ${answered.size} answered 0 before the kill (${((Date.now() - started) / 1000).toFixed(1)} s), ${lost} not answered (in flight or never sent), refused ${JSON.stringify([...refused])}; ${before.count.size} receipts on the first bind`);
    assert.equal(refused.size, 0, `submits refused: ${JSON.stringify([...refused])}`);

    // 2. A new node on the same store; the customer binds again (receiver) for the receipts still owed.
    server = await ServerProcess.start(NODE_ENV, ws);
    const rx = bindTo(smppPortOf(server), 'receiver');
    const after = new Receipts(rx);
    await rx.connect();

    // Each one exists, as the customer would ask (GetUSMSSendReceipt, 100 SessionNo a request).
    const missing: string[] = [];
    for (const part of chunks(ids, 100)) {
      const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: part });
      assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
      for (const d of r.body.Data as Array<{ SessionNo: string; ReceiptSet: unknown[] }>) if (d.ReceiptSet.length !== 1) missing.push(d.SessionNo);
    }
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} messages answered with status 0 do not exist after the restart`);

    // Each one becomes final.
    db = await openDatabase({ ...loadConfig(ws.env), migrateOnStart: false });
    const final = await waitFor('every answered message final', async () => {
      const s = await statuses(db!, ids);
      return ids.every((id) => FINAL.has(s.get(id) ?? '')) ? s : undefined;
    }, RECEIPT_WAIT_MS).catch(async (err: Error) => {
      const s = await statuses(db!, ids);
      const open = ids.filter((id) => !FINAL.has(s.get(id) ?? ''));
      throw new Error(`${err.message}: ${open.length} not final, e.g. ${JSON.stringify(open.slice(0, 5).map((id) => [id, s.get(id)]))}`);
    });
    // Submits in flight at the kill may have been stored without their answer reaching the customer.
    const stored = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', creds.AccountId).executeTakeFirstOrThrow();
    const byStatus: Record<string, number> = {};
    for (const id of ids) byStatus[final.get(id)!] = (byStatus[final.get(id)!] ?? 0) + 1;

    // Each one's receipt reaches the customer, on the first bind or on the new one.
    const unreceipted = () => ids.filter((id) => !before.count.has(id) && !after.count.has(id));
    await waitFor('every receipt at the customer', async () => (unreceipted().length === 0 ? true : undefined), RECEIPT_WAIT_MS).catch(async (err: Error) => {
      const left = unreceipted();
      const rows = await db!.selectFrom('smpp_outbox').innerJoin('messages', 'messages.id', 'smpp_outbox.message_id')
        .select(['messages.session_no', 'messages.status as message_status', 'smpp_outbox.status', 'smpp_outbox.attempts', 'smpp_outbox.lease_owner', 'smpp_outbox.lease_until', 'smpp_outbox.last_error'])
        .where('messages.session_no', 'in', left.slice(0, 5)).execute();
      throw new Error(`${err.message}: ${left.length} of ${ids.length} without a receipt, e.g. ${JSON.stringify(rows)}`);
    });
    const twice = ids.filter((id) => (before.count.get(id) ?? 0) + (after.count.get(id) ?? 0) > 1);
    const onBoth = ids.filter((id) => before.count.has(id) && after.count.has(id));
    const unanswered = [...after.count.keys()].filter((id) => !answered.has(id)).length;
    console.log(`# after the restart: ${JSON.stringify(byStatus)}; receipts: ${before.count.size} on the first bind, ${after.count.size} on the new one ` +
      `(${after.total} deliver_sm), ${twice.length} ids received more than once (${onBoth.length} on both binds); ` +
      `${Number(stored.n) - ids.length} messages stored without their answer reaching the customer, ${unanswered} receipts for them`);

    // A receipt says what the message became.
    const wrong = ids.filter((id) => {
      const stat = after.stat.get(id) ?? before.stat.get(id);
      return final.get(id) === 'delivered' ? stat !== 'DELIVRD' : stat === 'DELIVRD';
    });
    assert.deepEqual(wrong.slice(0, 5).map((id) => [id, final.get(id), after.stat.get(id) ?? before.stat.get(id)]), [], `${wrong.length} receipts disagree with the stored state`);
  } finally {
    for (const s of sessions) await s.close().catch(() => {});
    await db?.destroy();
    // A killed node cannot be stopped: it is waited for instead.
    if (server === first && crashed) await crashed;
    else if (server) await server.stop(true);
    await ws.remove();
  }
});
