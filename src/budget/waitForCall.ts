import { setTimeout as delay } from 'node:timers/promises';
import type { CallRequest, Decision, QuotaGovernor } from './governor';

/** Other callers may take the refilled token first; retrying sooner than this only spins. */
const MIN_SLEEP_MS = 5;

/**
 * Asks for a call, and while it is refused with a retry time within `maxWaitMs` of the start, waits
 * until then and asks again. Returns the last decision: a refusal means the caller should give up
 * (or show what is known) rather than wait longer.
 */
export async function waitForCall(
  governor: QuotaGovernor,
  req: CallRequest,
  maxWaitMs: number,
  sleep: (ms: number) => Promise<unknown> = (ms) => delay(ms),
  now: () => number = Date.now,
): Promise<Decision> {
  const deadline = now() + maxWaitMs;
  for (;;) {
    const decision = await governor.take(req);
    if (decision.ok || decision.retryAtMs > deadline) return decision;
    await sleep(Math.max(MIN_SLEEP_MS, decision.retryAtMs - now()));
  }
}
