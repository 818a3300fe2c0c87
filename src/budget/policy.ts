import type { Config } from '../config/config';
import type { Backend, CallKind, Priority, QuotaPolicy, QuotaRule } from './governor';

export type QuotaConfig = Config['quota'];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Lower priorities stop while part of each budget is left, so an analyst opening a page never waits
 * behind background work: delta syncs leave a fifth for analysts, backfill (which can always wait) half.
 */
const RESERVE = { interactive: 0, delta: 0.2, backfill: 0.5 } satisfies Record<Priority, number>;

/**
 * A tenant's budget on one backend, from QUOTA_* (defaults in src/config/schema.ts). Where the
 * defaults come from: Microsoft Graph throttles security resources at 150 requests/min per app per
 * tenant, whatever the call (120 by default, to stay clear of it), and allows at least 45 hunting
 * queries a minute per tenant besides (40 by default); the legacy Defender API documents
 * 50/min and 1,500/h for listing incidents, 100/min and 1,500/h for getting one, 50/min for updating one.
 */
export function policyFor(backend: Backend, quota: QuotaConfig): QuotaPolicy {
  const rules: QuotaRule[] =
    backend === 'graph'
      ? [within(['list', 'get', 'write', 'hunt'], quota.graphPerMinute, MINUTE_MS)]
      : backend === 'graph-hunting'
      ? [within(['hunt'], quota.huntingPerMinute, MINUTE_MS)]
      : [
          within(['list'], quota.defenderListPerMinute, MINUTE_MS),
          within(['list'], quota.defenderListPerHour, HOUR_MS),
          within(['get'], quota.defenderGetPerMinute, MINUTE_MS),
          within(['get'], quota.defenderGetPerHour, HOUR_MS),
          within(['write'], quota.defenderWritePerMinute, MINUTE_MS),
        ];
  return { rules, reserve: RESERVE, analystShare: quota.analystShare };
}

/** The share of a published limit that may go out at once, after a quiet spell. */
const BURST = 0.25;

/**
 * A bucket that never lets more than `limit` calls through in any `windowMs`, as Microsoft counts
 * them (a sliding window). A bucket holding `limit` and refilling `limit` per window would let
 * twice that through in the window after a quiet one (the full bucket, then its refill): this one
 * holds a quarter and refills the rest over the window, so a full bucket plus a window's refill is
 * exactly the limit.
 */
export function within(kinds: readonly CallKind[], limit: number, windowMs: number): QuotaRule {
  const capacity = Math.max(1, Math.floor(limit * BURST));
  const refill = Math.max(1, limit - capacity);
  return { kinds, limit: capacity, windowMs: Math.round((capacity * windowMs) / refill), published: { limit, windowMs } };
}

/** One analyst's bucket for a rule: their share of it, but at least one call, so a small share never locks them out. */
export function analystLimit(policy: QuotaPolicy, rule: QuotaRule): number {
  return Math.max(1, Math.floor(policy.analystShare * rule.limit));
}
