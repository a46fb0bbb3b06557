import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { startServer } from '../server.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP API and the delivery workers')
    .option('--port <port>', 'listen port (USMS_PORT)')
    .option('--host <host>', 'listen address (USMS_HOST)')
    .option('--role <role>', 'all (default), api (HTTP only) or worker (delivery only) (USMS_ROLE)')
    .option('--json', 'print the listening address as JSON')
    .action(async (opts: { port?: string; host?: string; role?: string; json?: boolean }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port !== undefined ? { USMS_PORT: opts.port } : {}),
        ...(opts.host !== undefined ? { USMS_HOST: opts.host } : {}),
        ...(opts.role !== undefined ? { USMS_ROLE: opts.role } : {}),
      });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(config);
      } catch (err) {
        // One line, no stack: a port in use or a database that cannot be opened is the operator's to fix.
        // Exits at once: a thread that did not stop would otherwise keep the process up.
        const reason = String((err as Error).message ?? err).split('\n')[0];
        if (opts.json) process.stdout.write(JSON.stringify({ error: reason }) + '\n');
        process.stderr.write(`usms: ${reason}\n`);
        process.exit(1);
      }
      if (opts.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port, ...(server.smppPort !== undefined && { smppPort: server.smppPort }) }) + '\n');
      const stop = (signal: string) => {
        server.services.log.info({ signal }, 'signal received');
        server.close().then(
          () => process.exit(0),
          (err) => {
            server.services.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
