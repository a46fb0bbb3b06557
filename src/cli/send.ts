import type { Command } from 'commander';
import { UsmsApiError } from '../client/index.ts';
import { clientFrom, withConnection, type ConnectionOpts } from './connection.ts';
import { parseCsv } from '../batch/csv.ts';
import { printResult } from './output.ts';

/**
 * Customer-side commands that talk to a USMS server over HTTP through the SDK (src/client):
 * `usms send` (one message to some numbers); `usms batch` (a CSV file) is in batch.ts.
 */
export function registerSendCommands(program: Command): void {
  withConnection(program.command('send'))
    .description('send one template message to one or more numbers (SendUSMSMessage)')
    .requiredOption('--template <id>', 'approved TemplateId')
    .requiredOption('--to <phones>', 'phone number(s), comma separated')
    .option('--sender <name>', 'sender name (SenderId / SigContent); default: the account default')
    .option('--params <list>', 'template parameters, comma separated (CSV quoting: \'"a,b",c\')')
    .option('--user-id <id>', 'your own id, echoed in receipts')
    .option('--idempotency-key <key>', 'reuse to retry without sending twice (default: a new one)')
    .option('--json', 'print JSON')
    .action(async (opts: ConnectionOpts & { template: string; to: string; sender?: string; params?: string; userId?: string; idempotencyKey?: string; json?: boolean }) => {
      const client = clientFrom(opts);
      const phones = opts.to.split(',').map((p) => p.trim()).filter(Boolean);
      if (phones.length === 0) throw new Error('--to: give at least one phone number');
      const params = opts.params === undefined || opts.params === '' ? [] : parseCsv(opts.params)[0]?.cells ?? [];
      const callOpts = { idempotencyKey: opts.idempotencyKey };
      const answer = await apiCall(async () => {
        if (client.dialect === 'rest') {
          // REST v1 documents no SendUSMSMessage: the same message as a one-group batch.
          if (!opts.sender) throw new Error('--sender is required with --dialect rest');
          return client.sendBatchUSMSMessage(
            { TaskContent: [{ TemplateId: opts.template, SenderId: opts.sender, Target: phones.map((Phone) => ({ Phone, TemplateParams: params, ...(opts.userId ? { UserId: opts.userId } : {}) })) }] },
            callOpts,
          );
        }
        const senderField = client.dialect === 'ucloud' ? 'SigContent' : 'SenderId';
        return client.sendUSMSMessage(
          { PhoneNumbers: phones, TemplateId: opts.template, TemplateParams: params, ...(opts.sender ? { [senderField]: opts.sender } : {}), ...(opts.userId ? { UserId: opts.userId } : {}) },
          callOpts,
        );
      });
      printResult(answer, Boolean(opts.json));
    });
}

/** An API refusal as a one-line error naming the RetCode. */
async function apiCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsmsApiError) throw new Error(`RetCode ${err.retCode}: ${err.message}`);
    throw err;
  }
}
