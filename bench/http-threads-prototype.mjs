/**
 * A prototype, not product code: can two threads of one Node 20 process accept from one listening socket,
 * each with a descriptor of its own (so that each closes only its own)? Node 20 has no reusePort, and
 * `listen({ fd })` in a worker shares the main thread's descriptor *number*, which both would close.
 *
 * The trick: the worker spawns a helper child that inherits the main's descriptor (stdio slot 4), wraps it
 * in a server and sends that back over the IPC channel; SCM_RIGHTS gives the worker a new descriptor for the
 * same socket. The helper exits; the main and the worker then close their own descriptors independently.
 *
 * Usage: node bench/http-threads-prototype.mjs   (needs wrk). Prints one thread's and two threads' req/s
 * for a handler doing about 50-100 us of work, and checks that the main still answers after the worker closed.
 */
import http from 'node:http';
import { exec, spawn } from 'node:child_process';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const work = () => {
  let x = 0;
  for (let i = 0; i < 20000; i++) x += i % 7;
  return x;
};
const handler = (_req, res) => {
  work();
  res.end('{"ok":true}');
};
const wrk = (port) => new Promise((resolve) => exec(`wrk -t2 -c50 -d5s http://127.0.0.1:${port}/`, (_e, out) => resolve(/Requests\/sec:\s*([\d.]+)/.exec(out ?? '')?.[1] ?? 'wrk failed')));

if (!isMainThread) {
  const helper = spawn(process.execPath, ['-e', "const s = require('net').createServer(); s.listen({ fd: 4 }, () => process.send('s', s, () => process.exit(0)))"], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', workerData.fd],
  });
  const own = await new Promise((resolve) => helper.once('message', (_m, handle) => resolve(handle)));
  const server = http.createServer(handler);
  own.on('connection', (socket) => server.emit('connection', socket));
  parentPort.postMessage({ fd: own._handle.fd });
  parentPort.once('message', () => {
    own.close(() => parentPort.postMessage('closed'));
    server.closeAllConnections();
  });
} else {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  console.log(JSON.stringify({ threads: 1, requestsPerSecond: Number(await wrk(port)) }));
  const worker = new Worker(new URL(import.meta.url), { workerData: { fd: server._handle.fd } });
  const { fd } = await new Promise((resolve) => worker.once('message', resolve));
  console.log(JSON.stringify({ threads: 2, mainFd: server._handle.fd, workerFd: fd, requestsPerSecond: Number(await wrk(port)) }));
  worker.postMessage('close');
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  const answer = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
  console.log(JSON.stringify({ mainAnswersAfterWorkerClosed: answer === '{"ok":true}' }));
  server.close();
  server.closeAllConnections();
}
