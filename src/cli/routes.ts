import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { OperatorError } from '../operator/actor.ts';
import { addRoute, listRoutes, removeRoute, type RouteView } from '../operator/routes.ts';
import { withOperator } from './db-command.ts';

interface RouteOpts {
  id?: string;
  carrier?: string;
  prefix?: string;
  default?: boolean;
  account?: string;
  priority?: string;
  weight?: string;
  cost?: string;
  json?: boolean;
}

/**
 * One line per route, its carriers in the order they are tried:
 * `+86, every account: #3 cn-a (priority 0, weight 1, cost 0.012) > #5 cn-b (priority 1, weight 1)`.
 */
export function routeLines(rows: RouteView[]): string[] {
  const lines: string[] = [];
  let key = '';
  for (const r of rows) {
    const k = `${r.Prefix}/${r.AccountId}`;
    const carrier = `#${r.Id} ${r.Carrier} (priority ${r.Priority}, weight ${r.Weight}${r.Cost === null ? '' : `, cost ${r.Cost}`})`;
    if (k === key) {
      lines[lines.length - 1] += ` > ${carrier}`;
      continue;
    }
    key = k;
    const where = r.Prefix === '*' ? (r.AccountId === null ? '* (default)' : '*') : r.Prefix;
    lines.push(`${where}, ${r.AccountId === null ? 'every account' : `account ${r.AccountId}`}: ${carrier}`);
  }
  return lines;
}

/** The flags as the operator layer's route input (the same object the console sends as JSON). */
function routeInput(o: RouteOpts) {
  return { Carrier: o.carrier, Prefixes: o.prefix, Default: o.default, AccountIds: o.account, Priority: o.priority, Weight: o.weight, Cost: o.cost };
}

/** The routing table: JSON rows with --json, one line per route otherwise. */
export const shownRoutes = (rows: RouteView[], json: boolean | undefined) => (json ? rows : routeLines(rows));

const FLAGS: Record<string, string> = {
  Carrier: '--carrier', Prefixes: '--prefix', Default: '--default', AccountIds: '--account', Priority: '--priority', Weight: '--weight', Cost: '--cost', Id: '--id',
};

/** The operator layer names its fields; a refusal here names the flags typed instead. */
async function flagged<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err;
    throw new OperatorError(err.kind, err.message.replace(/\b(Carrier|Prefixes|Default|AccountIds|Priority|Weight|Cost|Id)\b/g, (f) => FLAGS[f]!));
  }
}

/**
 * `usms route add|list|remove`: which carriers take which destinations, in which order (failover by
 * priority, least cost, weighted shares). A running server follows a change within USMS_CARRIER_POLL_MS.
 */
export function registerRouteCommands(program: Command, config: () => Config): void {
  const route = program.command('route').description('routes: the carriers of each destination prefix (and account), in the order they are tried');

  route
    .command('add')
    .description('put a carrier on routes (or change its priority, weight or cost there); the most specific route matching a message is its route')
    .requiredOption('--carrier <name>', 'a carrier (usms carrier list), or sandbox')
    .option('--prefix <codes>', 'destinations starting with these digits, e.g. 86,44')
    .option('--default', 'every destination (the default route, or with --account every destination of the account)')
    .option('--account <ids>', 'only messages of these AccountIds (default: every account)')
    .option('--priority <n>', 'lower is tried first; the next takes over while it is down (0..1000; new: 0)')
    .option('--weight <n>', 'share of traffic among carriers of equal priority and cost (1..1000; new: 1)')
    .option('--cost <amount>', 'price a segment, such as 0.012: the cheaper of equal priority goes first ("none": not known)')
    .option('--json', 'print JSON')
    .action(withOperator<RouteOpts>(config, async (ctx, o) => {
      if ((o.prefix === undefined) === !o.default) throw new Error('give --prefix or --default');
      const { Routes, ...result } = await flagged(() => addRoute(ctx, routeInput(o)));
      return { ...result, Routes: shownRoutes(Routes, o.json) };
    }));

  route
    .command('list')
    .description('every route, most specific first, with its carriers in order')
    .option('--json', 'print JSON')
    .action(withOperator<RouteOpts>(config, async (ctx, o) => ({ Routes: shownRoutes((await listRoutes(ctx)).Routes, o.json) })));

  route
    .command('remove')
    .description('take a carrier off routes: --id N (from route list), or --carrier with --prefix or --default')
    .option('--id <n>', 'the row id route list shows (#N)')
    .option('--carrier <name>', 'the carrier to take off')
    .option('--prefix <codes>', 'the routes of these prefixes')
    .option('--default', 'the route of every destination')
    .option('--account <ids>', 'the routes of these AccountIds (default: the routes for every account)')
    .option('--json', 'print JSON')
    .action(withOperator<RouteOpts>(config, async (ctx, o) => {
      if (o.id === undefined && o.carrier === undefined) throw new Error('give --id, or --carrier with --prefix or --default');
      if (o.carrier !== undefined && (o.prefix === undefined) === !o.default) throw new Error('give --prefix or --default with --carrier');
      const { Routes, ...result } = await flagged(() => removeRoute(ctx, { ...routeInput(o), Id: o.id }));
      return { ...result, Routes: shownRoutes(Routes, o.json) };
    }));
}
