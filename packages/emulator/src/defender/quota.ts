/**
 * Per-minute call quotas per tenant and app (service-facts §1.11), over a sliding window: a call counts
 * if it was accepted in the last `windowMs`. Refused calls do not count, so a client that waits the
 * Retry-After it was given gets through. The hourly quota (1500) is not emulated: load tests would hit it.
 */
export class QuotaTracker {
  /** Length of the window; tests shorten it so recovery does not take a minute. */
  windowMs = 60_000;
  private readonly calls = new Map<string, number[]>();

  /** Counts a call, or says in how many whole seconds (at least 1) the oldest counted call leaves the window. */
  take(key: string, limit: number, nowMs = Date.now()): { ok: true } | { ok: false; retryAfterSec: number } {
    const since = nowMs - this.windowMs;
    const log = (this.calls.get(key) ?? []).filter((t) => t > since);
    if (log.length >= limit) {
      this.calls.set(key, log);
      const frees = log.length ? log[0] + this.windowMs : nowMs + this.windowMs;
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
