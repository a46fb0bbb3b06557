import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { registerAdminCommands } from './admin.ts';
import { registerDbCommands } from './db.ts';
import { registerServe } from './serve.ts';

const program = new Command('usms')
  .description('usms: a self-hosted SMS platform speaking the USMS API')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

registerServe(program);
registerDbCommands(program);
registerAdminCommands(program, () => loadConfig());

program.parseAsync(process.argv).catch((err: Error) => {
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
  else process.stderr.write(`usms: ${err.message}\n`);
  process.exitCode = 1;
});
