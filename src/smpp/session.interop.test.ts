// The session against the npm `smpp` package's server mode, an SMSC we did not write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import smpp, { type NpmPdu, type NpmServer, type NpmSession } from 'smpp';
import { SmppConnectionError, SmppTimeoutError } from './errors.ts';
import type { PduOf } from './pdu.ts';
import { Session, type SessionOptions } from './session.ts';

type DeliverSm = PduOf<'deliver_sm'>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Peer {
  server: NpmServer;
  port: number;
  sessions: NpmSession[];
  outstanding: number;
  maxOutstanding: number;
  unbinds: number;
}

/**
 * An npm-smpp SMSC: accepts any bind, answers submit_sm after `delayMs` (or never, if null). With `tls`
 * (key and certificate), it listens over TLS.
 */
async function startPeer(delayMs: number | null = 0, onSubmit?: (session: NpmSession, pdu: NpmPdu) => void, tls?: { key: Buffer; cert: Buffer }): Promise<Peer> {
  const peer: Peer = { server: undefined as unknown as NpmServer, port: 0, sessions: [], outstanding: 0, maxOutstanding: 0, unbinds: 0 };
  let nextId = 0xa000;
  peer.server = smpp.createServer(tls ?? {}, (session) => {
    peer.sessions.push(session);
    session.on('error', () => undefined); // npm smpp kills the process on an unhandled 'error'
    for (const bind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
      session.on(bind, (pdu: NpmPdu) => session.send(pdu.response({ system_id: 'NPMSMSC' })));
    }
    session.on('enquire_link', (pdu: NpmPdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: NpmPdu) => {
      peer.unbinds++;
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: NpmPdu) => {
      peer.outstanding++;
      peer.maxOutstanding = Math.max(peer.maxOutstanding, peer.outstanding);
      onSubmit?.(session, pdu);
      if (delayMs === null) return;
      setTimeout(() => {
        peer.outstanding--;
        if (!session.socket.destroyed) session.send(pdu.response({ message_id: (nextId++).toString(16).toUpperCase() }));
      }, delayMs);
    });
  });
  peer.server.listen(0, '127.0.0.1');
  await once(peer.server, 'listening');
  peer.port = (peer.server.address() as AddressInfo).port;
  return peer;
}

async function stopPeer(peer: Peer): Promise<void> {
  for (const s of peer.sessions) s.destroy();
  await new Promise((r) => peer.server.close(r));
}

async function withPeer(
  delayMs: number | null,
  options: Partial<SessionOptions>,
  fn: (peer: Peer, s: Session) => Promise<void>,
  onSubmit?: (session: NpmSession, pdu: NpmPdu) => void,
  peerTls?: { key: Buffer; cert: Buffer },
): Promise<void> {
  const peer = await startPeer(delayMs, onSubmit, peerTls);
  const s = new Session({ host: '127.0.0.1', port: peer.port, systemId: 'usms', password: 'pw', reconnect: false, ...options });
  try {
    await fn(peer, s);
  } finally {
    await s.close();
    await stopPeer(peer);
  }
}

const msg = (i = 0) => ({ sourceAddr: 'USMS', destinationAddr: `44770090${String(i).padStart(4, '0')}`, destAddrTon: 1, destAddrNpi: 1, registeredDelivery: 1, shortMessage: Buffer.from(`hi ${i}`) });

test('npm smpp SMSC: bind, submit, receipt, enquire_link from the SMSC, unbind', async () => {
  await withPeer(
    0,
    {},
    async (peer, s) => {
      const bound = await s.connect();
      assert.equal(bound.command === 'bind_transceiver_resp' && bound.systemId, 'NPMSMSC');
      const receipt = once(s, 'deliver_sm');
      const resp = await s.submit(msg(1));
      assert.equal(resp.messageId, 'A000');
      const [dlr] = (await receipt) as [DeliverSm];
      assert.equal(dlr.esmClass, 4);
      assert.equal(dlr.tlvs.receiptedMessageId, 'A000');
      assert.equal(dlr.tlvs.messageState, 2);
      assert.match(dlr.shortMessage.toString('latin1'), /stat:DELIVRD/);
      const enquired = new Promise<NpmPdu>((resolve) => peer.sessions[0]!.send(new smpp.PDU('enquire_link', {}), resolve));
      assert.equal((await enquired).command, 'enquire_link_resp');
      await s.close();
      assert.equal(peer.unbinds, 1);
    },
    (session, pdu) => {
      assert.equal(pdu.destination_addr, '447700900001');
      setTimeout(() => {
        session.deliver_sm({
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 4,
          data_coding: 0,
          short_message: Buffer.from('id:40960 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:hi 1'),
          receipted_message_id: 'A000',
          message_state: 2,
        });
      }, 20);
    },
  );
});

test('npm smpp SMSC: the window holds while the SMSC answers slowly', async () => {
  await withPeer(15, { windowSize: 4 }, async (peer, s) => {
    await s.connect();
    const resps = await Promise.all(Array.from({ length: 30 }, (_, i) => s.submit(msg(i))));
    assert.equal(resps.length, 30);
    assert.equal(peer.maxOutstanding, 4);
  });
});

test('npm smpp SMSC: an unanswered submit times out', async () => {
  await withPeer(null, { responseTimeoutMs: 60 }, async (_peer, s) => {
    await s.connect();
    const err = await s.submit(msg()).catch((e: unknown) => e);
    assert.ok(err instanceof SmppTimeoutError && err.written && err.outcomeUnknown);
  });
});

test('npm smpp SMSC: dropping the connection mid-window fails written PDUs with written=true', async () => {
  await withPeer(null, { windowSize: 5 }, async (peer, s) => {
    await s.connect();
    const pending = Array.from({ length: 8 }, (_, i) => s.submit(msg(i)).catch((e: unknown) => e));
    while (peer.outstanding < 5) await sleep(2);
    peer.sessions[0]!.destroy();
    const errors = await Promise.all(pending);
    assert.ok(errors.every((e) => e instanceof SmppConnectionError));
    assert.deepEqual(errors.map((e) => (e as SmppConnectionError).written), [true, true, true, true, true, false, false, false]);
  });
});

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tls');
const smscTls = { key: readFileSync(join(fixtures, 'smsc-key.pem')), cert: readFileSync(join(fixtures, 'smsc-cert.pem')) };

test('npm smpp SMSC over TLS: bind, submit and answer cross the encrypted connection', async () => {
  await withPeer(
    0,
    { tls: { ca: smscTls.cert } },
    async (peer, s) => {
      const bound = await s.connect();
      assert.equal(bound.command === 'bind_transceiver_resp' && bound.systemId, 'NPMSMSC');
      assert.ok(peer.sessions[0]!.socket instanceof TLSSocket && peer.sessions[0]!.socket.encrypted, 'the SMSC side is a TLS socket');
      const resp = await s.submit(msg(7));
      assert.equal(resp.messageId, 'A000');
    },
    undefined,
    smscTls,
  );
});

test('npm smpp SMSC over TLS: a certificate nobody trusts is refused, nothing is bound or sent', async () => {
  await withPeer(
    0,
    { tls: true },
    async (peer, s) => {
      // The first bind fails with the TLS error itself (with reconnect on, it is the carrier's last error).
      const err = await s.connect().catch((e: unknown) => e);
      assert.ok(err instanceof Error, `got ${String(err)}`);
      assert.match(err.message, /self-signed certificate/);
      assert.equal(s.state, 'closed');
      assert.equal(peer.maxOutstanding, 0);
    },
    undefined,
    smscTls,
  );
});
