import type { Socket } from 'node:net';

const held = new WeakSet<Socket>();

/**
 * Holds `socket`'s writes until the code running now is done (process.nextTick), so PDUs written in
 * one go (the submit_sm of a claimed batch, the answers to every PDU of one read) leave in one system
 * call instead of one each. Adds no latency: they go out before the event loop turns to I/O again.
 */
export function batchWrites(socket: Socket): void {
  if (held.has(socket)) return;
  held.add(socket);
  socket.cork();
  process.nextTick(() => {
    held.delete(socket);
    socket.uncork();
  });
}
