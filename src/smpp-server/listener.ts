import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Config } from '../config.ts';
import { serveCustomer, type CustomerSessionHooks, type CustomerSessionOptions } from './customer-session.ts';

/** Connections at once per node; more are closed at once, so a flood cannot exhaust descriptors. */
const MAX_CONNECTIONS = 1_000;

export interface SmppListener {
  /** The port listened on (the configured one, or the one the system chose for 0). */
  readonly port: number;
  /** From now on connections are served; those that arrived while the node started are served first. */
  serve(hooks: CustomerSessionHooks, options?: CustomerSessionOptions): void;
  close(): Promise<void>;
}

/**
 * Listens for SMPP customers (USMS_SMPP_PORT), over TLS when a certificate and key are configured. It
 * listens before the node opens its database, as the HTTP port does, so that a port in use fails the
 * start before anything is created; connections wait until `serve`.
 */
export async function listenSmpp(smpp: NonNullable<Config['smpp']>): Promise<SmppListener> {
  const early: Socket[] = [];
  let accept = (socket: Socket) => {
    early.push(socket);
  };
  const onConnection = (socket: Socket) => {
    socket.on('error', () => {}); // a reset before the session takes it over is nobody's error
    accept(socket);
  };
  let server: Server;
  if (smpp.tlsCert && smpp.tlsKey) {
    server = createTlsServer({ cert: readFileSync(smpp.tlsCert), key: readFileSync(smpp.tlsKey) }, (s: TLSSocket) => onConnection(s));
  } else {
    server = createServer(onConnection);
  }
  server.maxConnections = MAX_CONNECTIONS;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: smpp.port, host: smpp.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use by another process' : code === 'EACCES' ? 'permission denied' : String((err as Error).message).split('\n')[0];
    throw Object.assign(new Error(`cannot listen for SMPP on ${smpp.host}:${smpp.port}: ${why}${code ? ` (${code})` : ''}`), { code });
  }
  const address = server.address();
  const sockets = new Set<Socket>();
  return {
    port: typeof address === 'object' && address ? address.port : smpp.port,
    serve(hooks, options) {
      accept = (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        serveCustomer(socket, hooks, options);
      };
      for (const socket of early.splice(0)) accept(socket);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of early.splice(0)) s.destroy();
        for (const s of sockets) s.destroy();
      });
    },
  };
}
