import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { listNodes } from '../operator/nodes.ts';
import { withOperator } from './db-command.ts';
import { legacyNode } from './legacy-shapes.ts';

export function registerNodeCommands(program: Command): void {
  program
    .command('nodes')
    .description('the server processes sharing this database (heartbeat within 15 s)')
    .option('--json', 'print JSON')
    .action(withOperator(() => loadConfig(), async (ctx) => ({ Nodes: (await listNodes(ctx)).Nodes.map(legacyNode) })));
}
