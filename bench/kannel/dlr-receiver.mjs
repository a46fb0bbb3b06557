// Tiny receiver for Kannel's dlr-url callbacks (smsbox fetches the URL with GET).
// Usage: node dlr-receiver.mjs PORT
// Counts callbacks by their `type` query parameter (Kannel's %d: 1 delivered, 2 failed, 8 SMSC ack, ...).
// GET /stats answers the counts as JSON; they are also printed to stdout on SIGTERM.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const stats = { callbacks: 0, byType: {}, firstAt: 0, lastAt: 0 };

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stats));
    return;
  }
  const now = Date.now();
  const type = url.searchParams.get('type') ?? 'none';
  stats.callbacks++;
  stats.byType[type] = (stats.byType[type] ?? 0) + 1;
  if (!stats.firstAt) stats.firstAt = now;
  stats.lastAt = now;
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(JSON.stringify({ listening: port }) + '\n'));
process.once('SIGTERM', () => {
  process.stdout.write(JSON.stringify(stats) + '\n');
  process.exit(0);
});
