// Minimal types for the npm `smpp` package, which ships none. Tests use it as an independent peer only.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface NpmPdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    // Fields are named as in the spec (system_id, short_message, ...).
    [field: string]: any;
    response(options?: Record<string, unknown>): NpmPdu;
    isResponse(): boolean;
    toBuffer(): Buffer;
  }

  export interface NpmSession extends EventEmitter {
    socket: Socket;
    send(pdu: NpmPdu, onResponse?: (resp: NpmPdu) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    deliver_sm(options: Record<string, unknown>, onResponse?: (resp: NpmPdu) => void): boolean;
  }

  export interface NpmServer extends NetServer {
    sessions: NpmSession[];
  }

  interface Smpp {
    createServer(listener: (session: NpmSession) => void): NpmServer;
    /** With `key` and `cert`, a TLS server. */
    createServer(options: { key?: Buffer; cert?: Buffer }, listener: (session: NpmSession) => void): NpmServer;
    PDU: {
      new (command: string, options?: Record<string, unknown>): NpmPdu;
      new (buffer: Buffer): NpmPdu;
    };
    [constant: string]: any;
  }

  const smpp: Smpp;
  export default smpp;
}
