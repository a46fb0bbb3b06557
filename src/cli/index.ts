import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { registerAccountSettings } from './account-settings.ts';
import { registerAdminCommands } from './admin.ts';
import { registerBatch } from './batch.ts';
import { registerBillingCommands } from './billing.ts';
import { registerCallbackCommands } from './callbacks.ts';
import { registerCarrierCommands } from './carrier.ts';
import { registerContentCommands } from './content.ts';
import { registerDbCommands } from './db.ts';
import { registerNodeCommands } from './nodes.ts';
import { registerRouteCommands } from './routes.ts';
import { registerServe } from './serve.ts';
import { registerSendCommands } from './send.ts';
import { registerSendLimitCommands } from './send-limits.ts';
import { registerSignCommand } from './sign.ts';
import { registerSmppUserCommands } from './smpp-users.ts';
import { registerSmscSim } from './smsc-sim.ts';
import { registerTemplateCommands } from './templates.ts';
import { registerUserCommands } from './users.ts';

const program = new Command('usms')
  .description('usms: a self-hosted SMS platform speaking the USMS API')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

registerServe(program);
registerDbCommands(program);
registerNodeCommands(program);
registerAdminCommands(program, () => loadConfig());
registerTemplateCommands(program, () => loadConfig());
registerAccountSettings(program, () => loadConfig());
registerSendLimitCommands(program, () => loadConfig());
registerBillingCommands(program, () => loadConfig());
registerCallbackCommands(program, () => loadConfig());
registerCarrierCommands(program, () => loadConfig());
registerRouteCommands(program, () => loadConfig());
registerUserCommands(program, () => loadConfig());
registerContentCommands(program, () => loadConfig());
registerSmppUserCommands(program, () => loadConfig());
registerSmscSim(program);
registerSendCommands(program);
registerBatch(program);
registerSignCommand(program);

program.parseAsync(process.argv).catch((err: Error) => {
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
  else process.stderr.write(`usms: ${err.message}\n`);
  process.exitCode = 1;
});
