import type { Logger } from 'pino';
import type { SandboxConfig } from '../config.ts';
import type { SessionOptions } from '../smpp/session.ts';
import type { Carrier } from './carrier.ts';
import { HttpCarrier } from './http.ts';
import { normalizeHttpSettings, type HttpSettings } from './http-settings.ts';
import { SandboxCarrier, type OwedReceipts } from './sandbox.ts';
import { SmppCarrier } from './smpp.ts';
import type { SmppSettings } from '../smpp/bind-settings.ts';

/** A carrier's configuration, keyed by kind. */
export type CarrierSpec =
  | { kind: 'sandbox'; config: SandboxConfig; owedReceipts: OwedReceipts }
  | { kind: 'smpp'; settings: SmppSettings }
  | { kind: 'http'; name: string; atLeastOnce: boolean; settings: HttpSettings; secret: string };

/**
 * A carrier as configured (the carriers table): its kind, the SMPP fields, and a non-SMPP kind's settings
 * as JSON. Window, prefetch, throughput and policy mean the same for every kind: an HTTP carrier's window
 * is its requests in flight, its password the provider's secret.
 */
export type ConfiguredCarrier = SmppSettings & { kind: string; settings: string };

/** The spec of a configured carrier: the one place that reads each kind's settings. */
export function configuredSpec(c: ConfiguredCarrier): CarrierSpec {
  switch (c.kind) {
    case 'smpp':
      return { kind: 'smpp', settings: c };
    case 'http':
      return {
        kind: 'http', name: c.name, atLeastOnce: c.policy === 'at-least-once', secret: c.password,
        settings: { ...normalizeHttpSettings(JSON.parse(c.settings)), concurrency: c.window, throughput: c.throughput },
      };
    default:
      throw new Error(`carrier ${c.name}: unknown kind "${c.kind}"`);
  }
}

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

/** The one place that builds every kind: a new kind is its file plus a line here (and its settings in configuredSpec). */
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
