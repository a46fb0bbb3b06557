/**
 * npm run bench:smpp-server: usms's SMPP server for customers against the bound of the same load.
 *   (a) bound: our SMPP client (Session, transceiver, window 100) straight to our SMSC simulator (answers at
 *       once, receipts after BENCH_SMPP_SERVER_RECEIPT_MS, default 20).
 *   (b) through usms: the same client bound to usms's SMPP port (an SMPP user with window 100 and no rate cap,
 *       free content), usms delivering through an SMPP carrier (window 100) to the same kind of simulator;
 *       the simulator's receipts come back to usms, which stores them and sends them to the client as deliver_sm.
 * Each case: BENCH_SMPP_SERVER_MESSAGES messages (default 20000), all submitted at once and paced by the client's
 * window; messages per second from the first submit to the last receipt the client received, the submit
 * rate (to the last answer), and for (b) the usms process's CPU a message (and its main thread's share).
 * BENCH_SMPP_SERVER_ROUNDS (default 1) repeats (a) then (b); one JSON line per case and one with the ratio
 * (b)/(a) per round. USMS_SERVER_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") reaches the usms process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Session } from '../src/smpp/session.ts';
import type { PduOf } from '../src/smpp/pdu.ts';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { ServerProcess } from '../test/harness.ts';
import { speedProbeMs } from './speed-probe.ts';

const MESSAGES = Number(process.env.BENCH_SMPP_SERVER_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_SMPP_SERVER_ROUNDS ?? 1);
const RECEIPT_MS = Number(process.env.BENCH_SMPP_SERVER_RECEIPT_MS ?? 20);
const WINDOW = 100;
const TICKS = 100; // USER_HZ on Linux
/** The goal: usms end to end at this fraction of the bound, or more. */
const GOAL = 0.6;

/** CPU seconds of a process, or with `thread` of one of its threads (the main thread's id is the pid). */
function cpuSeconds(pid: number, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

/** CPU seconds of each thread of a process, by thread id. */
function threadSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), cpuSeconds(pid, Number(tid)));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** 139 numbers, all distinct. */
const destination = (i: number) => `86139${String(10_000_000 + i)}`;

function simulator(systemId: string): Promise<Simulator> {
  return startSimulator({ systemId, password: 'secret1', receiptDelayMs: RECEIPT_MS, responseDelayMs: 0, receiptTlvs: true, keepSubmitted: 0 });
}

interface Streamed {
  submitSeconds: number;
  endToEndSeconds: number;
  answered: number;
  receipts: number;
  duplicateReceipts: number;
  /** Receipts the client had when the last submit was answered: does the receipt path keep pace with the submits? */
  receiptsAtLastAnswer: number;
  /** What `onAnswered` read when every submit was answered. */
  atLastAnswer: Record<string, number>;
}

/**
 * Binds, submits `count` messages (the window paces them), and resolves once a receipt for every answered
 * message has arrived. The clock starts at the first submit.
 */
async function stream(
  port: number, systemId: string, password: string, count: number,
  onStart: () => void = () => {}, onAnswered: () => Record<string, number> = () => ({}),
): Promise<Streamed> {
  const session = new Session({
    host: '127.0.0.1', port, mode: 'transceiver', systemId, password, windowSize: WINDOW, enquireLinkMs: 0, reconnect: false,
    queueTimeoutMs: 900_000, responseTimeoutMs: 30_000,
  });
  const receipted = new Set<string>();
  const ids = new Set<string>();
  let receiptEvents = 0;
  /** Answered messages without a receipt yet, counted once every submit is answered (-1 until then). */
  let missing = -1;
  let complete = 0;
  let lastNew = 0;
  session.on('deliver_sm', (pdu: PduOf<'deliver_sm'>) => {
    const id = pdu.tlvs.receiptedMessageId;
    if (!id) return;
    receiptEvents++;
    if (receipted.has(id)) return;
    receipted.add(id);
    lastNew = performance.now();
    if (missing > 0 && ids.has(id) && --missing === 0) complete = performance.now();
  });
  await session.connect();
  try {
    let failures = 0;
    let lastAnswer = 0;
    onStart();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) =>
      session.submit({
        sourceAddr: 'usms', sourceAddrTon: 5, destinationAddr: destination(i), destAddrTon: 1, destAddrNpi: 1, registeredDelivery: 1,
        shortMessage: Buffer.from(`bench message number ${i}`, 'latin1'),
      }).then(
        (resp) => {
          ids.add(resp.messageId);
          lastAnswer = performance.now();
        },
        (err: Error) => {
          if (failures++ < 3) console.error('# submit failed:', err.message);
        },
      ),
    ));
    if (failures > 0) throw new Error(`${failures} of ${count} submits failed`);
    const receiptsAtLastAnswer = receipted.size;
    const atLastAnswer = onAnswered();
    missing = [...ids].filter((id) => !receipted.has(id)).length;
    if (missing === 0) complete = Math.max(lastNew, lastAnswer);
    const deadline = performance.now() + 600_000;
    while (missing > 0) {
      if (performance.now() > deadline) throw new Error(`${missing} of ${ids.size} receipts missing after 10 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return {
      submitSeconds: (lastAnswer - t0) / 1000,
      endToEndSeconds: (complete - t0) / 1000,
      answered: ids.size,
      receipts: receipted.size,
      duplicateReceipts: receiptEvents - receipted.size,
      receiptsAtLastAnswer,
      atLastAnswer,
    };
  } finally {
    await session.close();
  }
}

function row(scenario: string, s: Streamed, extra: Record<string, unknown> = {}) {
  return {
    scenario,
    messages: s.answered,
    messagesPerSecond: Math.round(s.answered / s.endToEndSeconds),
    submitsPerSecond: Math.round(s.answered / s.submitSeconds),
    secondsToLastAnswer: +s.submitSeconds.toFixed(2),
    secondsToLastReceipt: +s.endToEndSeconds.toFixed(2),
    duplicateReceipts: s.duplicateReceipts,
    receiptsAtLastAnswer: s.receiptsAtLastAnswer,
    ...s.atLastAnswer,
    ...extra,
  };
}

/** (a) The client straight to the simulator. */
async function bound(): Promise<ReturnType<typeof row>> {
  const sim = await simulator('bench');
  try {
    const own0 = process.cpuUsage();
    const s = await stream(sim.port, 'bench', 'secret1', MESSAGES);
    const own = process.cpuUsage(own0);
    return row('bound: client -> simulator', s, { benchCpuMsPerMessage: +((own.user + own.system) / 1000 / s.answered).toFixed(4) });
  } finally {
    await sim.close();
  }
}

/** (b) The client to usms's SMPP port; usms to the simulator through an SMPP carrier. */
async function throughUsms(): Promise<ReturnType<typeof row>> {
  const sim = await simulator('usms');
  const server = await ServerProcess.start({ USMS_SMPP_PORT: '0', USMS_RATE_LIMIT: '0', USMS_LOG_LEVEL: 'warn', USMS_CARRIER_POLL_MS: '500' });
  try {
    const { creds } = await server.setupAccount({ templates: [] });
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
    await server.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1',
      '--default', '--window', String(WINDOW));
    const user = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'bench',
      '--window', String(WINDOW), '--throughput', '0');
    const deadline = Date.now() + 30_000;
    while (sim.stats.activeBinds < 1) {
      if (Date.now() > deadline) throw new Error('usms did not bind to the simulator');
      await new Promise((r) => setTimeout(r, 100));
    }
    const smppPort = JSON.parse(server.output.find((l) => l.startsWith('{"url"'))!).smppPort as number;
    const pid = server.pid;
    let cpu0 = 0;
    let threads0 = new Map<number, number>();
    const own0 = process.cpuUsage();
    const submits0 = sim.stats.accepted;
    const s = await stream(smppPort, user.SystemId, user.Password, MESSAGES, () => {
      cpu0 = cpuSeconds(pid);
      threads0 = threadSeconds(pid);
    }, () => ({ smscAcceptedAtLastAnswer: sim.stats.accepted - submits0 }));
    const serverCpu = cpuSeconds(pid) - cpu0;
    const own = process.cpuUsage(own0);
    const threads = [...threadSeconds(pid)].map(([tid, sec]) => [tid, sec - (threads0.get(tid) ?? 0)] as const).sort((x, y) => y[1] - x[1]);
    return row('usms: client -> usms SMPP server -> SMPP carrier -> simulator', s, {
      serverCpuMsPerMessage: +((serverCpu * 1000) / s.answered).toFixed(4),
      serverMainThreadCpuMsPerMessage: +(((threads.find(([tid]) => tid === pid)?.[1] ?? 0) * 1000) / s.answered).toFixed(4),
      // Busiest threads of the usms process over the run, as a share of one core (the main thread's id is the pid).
      serverThreadsBusy: threads.slice(0, 5).map(([tid, sec]) => `${tid === pid ? 'main' : tid}:${Math.round((100 * sec) / s.endToEndSeconds)}%`).join(' '),
      benchCpuMsPerMessage: +((own.user + own.system) / 1000 / s.answered).toFixed(4),
    });
  } finally {
    await server.stop();
    await sim.close();
  }
}


console.log(`# usms SMPP server bench: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, ${MESSAGES} messages, window ${WINDOW}, receipts after ${RECEIPT_MS} ms; machine speed probe ${speedProbeMs()} ms (lower is faster)`);
for (let round = 1; round <= ROUNDS; round++) {
  const a = await bound();
  console.log(JSON.stringify({ round, ...a }));
  const b = await throughUsms();
  console.log(JSON.stringify({ round, ...b }));
  const ratio = b.messagesPerSecond / a.messagesPerSecond;
  console.log(JSON.stringify({ round, ratio: +ratio.toFixed(3), goal: GOAL, met: ratio >= GOAL }));
}
