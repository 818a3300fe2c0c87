import type { Clock } from '../clock';

/** The quotas are per minute (service-facts §1.11). */
export const QUOTA_WINDOW_MS = 60_000;

/**
 * Per-minute call quotas per tenant and app (service-facts §1.11), over a sliding window on the emulator
 * clock: a call counts if it was accepted in the last minute. Refused calls do not count, so a client that
 * waits the Retry-After it was given gets through. Tests move the clock a minute on instead of waiting.
 * The hourly quota (1500) is not emulated: load tests would hit it.
 */
export class QuotaTracker {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Counts a call, or says in how many whole seconds (at least 1) the oldest counted call leaves the window. */
  take(key: string, limit: number): { ok: true } | { ok: false; retryAfterSec: number } {
    const nowMs = this.clock.now();
    const since = nowMs - QUOTA_WINDOW_MS;
    const log = (this.calls.get(key) ?? []).filter((t) => t > since && t <= nowMs);
    if (log.length >= limit) {
      this.calls.set(key, log);
      const [oldest = nowMs] = log;
      const frees = oldest + QUOTA_WINDOW_MS;
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((frees - nowMs) / 1000)) };
    }
    log.push(nowMs);
    this.calls.set(key, log);
    return { ok: true };
  }

  reset(): void {
    this.calls.clear();
  }
}
