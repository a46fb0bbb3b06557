import type { Logger } from 'pino';
import type { SandboxConfig } from '../config.ts';
import type { SessionOptions } from '../smpp/session.ts';
import type { Carrier } from './carrier.ts';
import { HttpCarrier } from './http.ts';
import type { HttpSettings } from './http-settings.ts';
import { SandboxCarrier, type OwedReceipts } from './sandbox.ts';
import { SmppCarrier } from './smpp.ts';
import type { SmppSettings } from './smpp-settings.ts';

/** A carrier's configuration, keyed by kind. */
export type CarrierSpec =
  | { kind: 'sandbox'; config: SandboxConfig; owedReceipts: OwedReceipts }
  | { kind: 'smpp'; settings: SmppSettings }
  | { kind: 'http'; name: string; atLeastOnce: boolean; settings: HttpSettings; secret: string };

/** What every carrier may need from the node that runs it. */
export interface CarrierDeps {
  log: Logger;
  /** How long a submit may wait for a connection or window space before it is requeued (keep below the lease). */
  queueTimeoutMs: number;
  /** Upper bound for a carrier's own response timeout (keep below the lease). */
  maxResponseTimeoutMs: number;
  /** Where providers send receipts: USMS_PUBLIC_URL + /carriers/<name>/receipts ('' when not public). */
  receiptUrl: (carrier: string) => string;
  /** SMPP session overrides (tests: reconnect delays). */
  session?: Partial<SessionOptions>;
}

/** The one place that knows every kind: a new kind is one line here. */
export function createCarrier(spec: CarrierSpec, deps: CarrierDeps): Carrier {
  switch (spec.kind) {
    case 'sandbox':
      return new SandboxCarrier(spec.owedReceipts, spec.config);
    case 'smpp':
      return new SmppCarrier(spec.settings, deps);
    case 'http':
      return new HttpCarrier(spec.name, spec.settings, spec.secret, { atLeastOnce: spec.atLeastOnce, receiptUrl: deps.receiptUrl(spec.name), log: deps.log });
  }
}
