import type { SubmitResult } from '../carriers/carrier.ts';
import type { SubmitOutcome } from '../store/messages.ts';

const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 300_000;
/** A message held back by throttling is offered again this soon (the session paces the bind itself). */
const PAUSE_RETRY_MS = 1_000;
export const MAX_ATTEMPTS = 8;

/**
 * A carrier's result as the outcome the store records. `failover`: another carrier of the message's
 * route takes messages now, so a retryable refusal is offered to it at once instead of after a backoff.
 */
export function toOutcome(id: number, attempts: number, result: SubmitResult | undefined, atLeastOnce: boolean, carrier?: string, failover = false): SubmitOutcome {
  const by = carrier ? { carrier } : {};
  if (!result) return { id, result: 'unknown', code: 'UNKNOWN', desc: 'carrier gave no result', ...by };
  if (result.ok) return { id, result: 'sent', carrierMsgId: result.carrierMsgId, ...by };
  if (result.kind === 'permanent') return { id, result: 'failed', code: result.code, desc: result.desc, ...by };
  if (result.kind === 'unknown' && !atLeastOnce) return { id, result: 'unknown', code: result.code, desc: result.desc, ...by };
  if (result.kind === 'temporary' && result.uncounted) {
    return { id, result: 'retry', code: result.code, desc: result.desc, retryAt: Date.now() + PAUSE_RETRY_MS, uncounted: true, ...by };
  }
  if (attempts >= MAX_ATTEMPTS) return { id, result: 'failed', code: result.code, desc: `${result.desc} (gave up after ${attempts} attempts)`, ...by };
  const delay = failover ? 0 : Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
  return { id, result: 'retry', code: result.code, desc: result.desc, retryAt: Date.now() + delay, ...by };
}
