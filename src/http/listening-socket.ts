import { spawn } from 'node:child_process';
import type { Server } from 'node:net';

// The helper child: wraps its descriptor 4 (the inherited listening socket) in a server, sends it back
// over the IPC channel and exits.
const HELPER = "const s = require('net').createServer(); s.listen({ fd: 4 }, () => process.send('socket', s, () => process.exit(0)))";

/**
 * A listening socket of this thread's own, for the socket the main thread listens on (descriptor `fd`).
 *
 * Node 20 has no `reusePort`, and `listen({ fd })` in a worker thread shares the main thread's descriptor
 * number, which both threads would then close. So a short-lived helper child inherits the descriptor and
 * sends it back over IPC: SCM_RIGHTS gives this thread a new descriptor for the same socket. Both
 * threads' event loops then wait on the socket and the kernel hands each connection to one of them.
 * The returned server only accepts; its 'connection' events go to the thread's HTTP server.
 */
export async function adoptListeningSocket(fd: number): Promise<Server> {
  const helper = spawn(process.execPath, ['-e', HELPER], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc', fd],
    env: {},
  });
  let stderr = '';
  helper.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    helper.once('message', (_msg, handle) => resolve(handle as Server));
    helper.once('error', reject);
    helper.once('exit', (code) => reject(new Error(`listening-socket helper exited with ${code} before sending the socket: ${stderr.trim()}`)));
  });
}
