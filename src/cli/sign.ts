import { Option, type Command } from 'commander';
import { sign } from '../auth/signature.ts';
import { printResult } from './output.ts';

/**
 * `usms sign`: the signature a request needs, by the USMS signing rule (auth/signature.ts), so that a shell
 * client (curl) can sign without writing code. A query string is signed as the server reads it (URL-decoded).
 */
export function registerSignCommand(program: Command): void {
  program
    .command('sign')
    .description('print the USMS signature of a JSON body (uSpeedo X-Signature) or of query params (UCloud Signature)')
    .addOption(new Option('--secret <privateKey>', 'the key\'s PrivateKey / secret').env('USMS_API_SECRET').makeOptionMandatory())
    .option('--body <json>', 'the JSON body exactly as it will be sent')
    .option('--query <params>', 'the query string (a=1&b=2) without Signature')
    .option('--json', 'print {"Signature": ...}')
    .action((opts: { secret: string; body?: string; query?: string; json?: boolean }) => {
      if ((opts.body === undefined) === (opts.query === undefined)) throw new Error('give exactly one of --body or --query');
      let params: Record<string, unknown>;
      if (opts.body !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(opts.body);
        } catch {
          throw new Error('--body is not valid JSON');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--body must be a JSON object');
        params = parsed as Record<string, unknown>;
      } else {
        params = Object.fromEntries(new URLSearchParams(opts.query));
      }
      const signature = sign(params, opts.secret);
      if (opts.json) printResult({ Signature: signature }, true);
      else process.stdout.write(signature + '\n');
    });
}
