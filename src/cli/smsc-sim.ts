import type { Command } from 'commander';
import { startSimulator, type ReceiptStat } from '../smpp/simulator.ts';
import { printResult } from './output.ts';

const STATS: readonly string[] = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'DELETED', 'REJECTD', 'ACCEPTD', 'UNKNOWN', 'ENROUTE'];

/** '0000=UNDELIV,0001=none' -> destination-suffix rules; 'none' sends no receipt. */
export function parseOutcomeRules(raw: string): Array<{ suffix: string; stat: ReceiptStat | undefined }> {
  return raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((rule) => {
      const [suffix, outcome] = rule.split('=').map((x) => x?.trim() ?? '');
      const stat = outcome?.toUpperCase() ?? '';
      if (!suffix || !/^\d+$/.test(suffix) || !(stat === 'NONE' || STATS.includes(stat))) {
        throw new Error(`--outcome: bad rule "${rule}" (want digits=STAT, STAT one of ${STATS.join(', ')} or none)`);
      }
      return { suffix, stat: stat === 'NONE' ? undefined : (stat as ReceiptStat) };
    });
}

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};

/** `usms smsc-sim`: our SMSC simulator (src/smpp/simulator.ts) as a standalone process. */
export function registerSmscSim(program: Command): void {
  program
    .command('smsc-sim')
    .description('run an SMPP 3.4 SMSC simulator (a fake carrier for tests, demos and benchmarks) until SIGTERM / Ctrl-C')
    .option('--port <n>', 'listen port (0 = any free port)', num('--port'), 2775)
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--system-id <id>', 'require this system_id on bind')
    .option('--password <pw>', 'require this password on bind')
    .option('--max-binds <n>', 'refuse binds beyond this many at once', num('--max-binds'))
    .option('--receipt-delay-ms <ms>', 'delay before each delivery receipt', num('--receipt-delay-ms'), 0)
    .option('--no-receipts', 'send no delivery receipts')
    .option('--receipt-tlvs', 'also put receipted_message_id / message_state / network_error_code TLVs on receipts')
    .option('--receipt-first', 'send each receipt before its submit_sm_resp (which follows after --receipt-delay-ms)')
    .option('--outcome <rules>', 'receipt outcome by destination suffix, e.g. 0000=UNDELIV,0001=none (default DELIVRD)', '')
    .option('--id-format <fmt>', 'submit_sm_resp ids: decimal, or hex (receipt text then says decimal)', 'decimal')
    .option('--throttle-every <n>', 'answer every Nth submit_sm with ESME_RTHROTTLED', num('--throttle-every'))
    .option('--response-delay-ms <ms>', 'delay before answering each submit_sm', num('--response-delay-ms'), 0)
    .option('--disconnect-after <n>', 'drop a connection, unanswered, at its Nth submit_sm', num('--disconnect-after'))
    .option('--stall-after <n>', 'at the Nth submit_sm, stop answering that connection (it stays open and reads); new connections are served', num('--stall-after'))
    .option('--json', 'print the listening address as one JSON line')
    .action(async (o: {
      port: number; host: string; systemId?: string; password?: string; maxBinds?: number; receiptDelayMs: number; receipts: boolean;
      receiptTlvs?: boolean; receiptFirst?: boolean; outcome: string; idFormat: string; throttleEvery?: number; responseDelayMs: number;
      disconnectAfter?: number; stallAfter?: number; json?: boolean;
    }) => {
      if (o.idFormat !== 'decimal' && o.idFormat !== 'hex') throw new Error('--id-format must be decimal or hex');
      const rules = parseOutcomeRules(o.outcome);
      const sim = await startSimulator({
        port: o.port,
        host: o.host,
        systemId: o.systemId,
        password: o.password,
        maxBinds: o.maxBinds,
        receipts: o.receipts,
        receiptDelayMs: o.receiptDelayMs,
        receiptTlvs: Boolean(o.receiptTlvs),
        receiptFirst: Boolean(o.receiptFirst),
        outcome: (submit) => {
          const rule = rules.find((r) => submit.destinationAddr.endsWith(r.suffix));
          return rule ? rule.stat : 'DELIVRD';
        },
        idFormat: o.idFormat,
        throttleEvery: o.throttleEvery,
        responseDelayMs: o.responseDelayMs,
        disconnectAfter: o.disconnectAfter,
        stallAfter: o.stallAfter,
      });
      printResult({ host: sim.host, port: sim.port }, Boolean(o.json));
      const stop = () => {
        void sim.close().then(() => {
          if (!o.json) process.stderr.write(`smsc-sim: stopped; ${JSON.stringify(sim.stats)}\n`);
          process.exit(0);
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
