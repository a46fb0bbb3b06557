import type { CallbackConfig } from '../config.ts';

/**
 * Delay before attempt n+1 after n failed attempts: base * 2^(n-1), capped at max, with +-20% jitter
 * so many accounts' retries do not hit at the same moment.
 */
export function retryDelay(failedAttempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40);
  const jittered = Math.min(maxMs, exp) * (0.8 + 0.4 * random());
  return Math.max(1, Math.round(Math.min(maxMs, jittered)));
}

/**
 * After a failed attempt: when to try again, or undefined when the push is failed for good
 * (it has had `maxAttempts` attempts, or it has been queued longer than `maxAgeSeconds`; 0 = no age limit).
 */
export function nextAttemptAt(
  failedAttempts: number,
  queuedAt: number,
  now: number,
  cfg: Pick<CallbackConfig, 'maxAttempts' | 'maxAgeSeconds' | 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number | undefined {
  if (failedAttempts >= cfg.maxAttempts) return undefined;
  if (cfg.maxAgeSeconds > 0 && now - queuedAt >= cfg.maxAgeSeconds * 1000) return undefined;
  return now + retryDelay(failedAttempts, cfg.retryBaseMs, cfg.retryMaxMs, random);
}
