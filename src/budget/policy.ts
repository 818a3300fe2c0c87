import type { Config } from '../config/config';
import type { Backend, Priority, QuotaPolicy, QuotaRule } from './governor';

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
 * tenant, whatever the call (120 by default, to stay clear of it); the legacy Defender API documents
 * 50/min and 1,500/h for listing incidents, 100/min and 1,500/h for getting one, 50/min for updating one.
 */
export function policyFor(backend: Backend, quota: QuotaConfig): QuotaPolicy {
  const rules: QuotaRule[] =
    backend === 'graph'
      ? [{ kinds: ['list', 'get', 'write'], limit: quota.graphPerMinute, windowMs: MINUTE_MS }]
      : [
          { kinds: ['list'], limit: quota.defenderListPerMinute, windowMs: MINUTE_MS },
          { kinds: ['list'], limit: quota.defenderListPerHour, windowMs: HOUR_MS },
          { kinds: ['get'], limit: quota.defenderGetPerMinute, windowMs: MINUTE_MS },
          { kinds: ['get'], limit: quota.defenderGetPerHour, windowMs: HOUR_MS },
          { kinds: ['write'], limit: quota.defenderWritePerMinute, windowMs: MINUTE_MS },
        ];
  return { rules, reserve: RESERVE, analystShare: quota.analystShare };
}

/** One analyst's bucket for a rule: their share of it, but at least one call, so a small share never locks them out. */
export function analystLimit(policy: QuotaPolicy, rule: QuotaRule): number {
  return Math.max(1, Math.floor(policy.analystShare * rule.limit));
}
