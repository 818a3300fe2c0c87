/**
 * The quota governor: every upstream call of the security API asks it first. The tenant's API
 * budget is shared by every analyst and every ThreatDesk instance, so its buckets live where every
 * instance sees them (Redis), or in this process when there is only one instance.
 */

/**
 * Graph's hunting has its own quota beside the security API's (calls a minute, and query CPU per 15
 * minutes): its own budget, so that a hunting 429 pauses hunting, not the incident syncs.
 */
export type Backend = 'graph' | 'defender' | 'graph-hunting';
/** list: a page of incidents; get: one incident; write: an update or a comment; hunt: an advanced hunting query. */
export type CallKind = 'list' | 'get' | 'write' | 'hunt';
/** Highest first: an analyst's own page and writes, then delta syncs, then backfill. */
export const PRIORITIES = ['interactive', 'delta', 'backfill'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A token bucket: `limit` calls, refilled evenly over `windowMs`. */
export interface QuotaRule {
  kinds: readonly CallKind[];
  limit: number;
  windowMs: number;
  /** The limit this bucket enforces, as published (calls per window), when it differs from the bucket's own figures. */
  published?: { limit: number; windowMs: number };
}

export interface QuotaPolicy {
  /** A call takes one token from every rule whose kinds include its kind. */
  rules: readonly QuotaRule[];
  /** Share of each rule's capacity (0–1) that must remain after the call for a priority to draw it. */
  reserve: Readonly<Record<Priority, number>>;
  /** Share of each rule's capacity (0–1) one analyst may use in its window, whatever the priority. */
  analystShare: number;
}

export interface CallRequest {
  tenantId: string;
  backend: Backend;
  kind: CallKind;
  priority: Priority;
  /** The analyst's object id. */
  analyst: string;
}

export type Decision = { ok: true } | { ok: false; reason: 'paused' | 'budget' | 'analyst'; retryAtMs: number };

export interface BudgetStatus {
  backend: Backend;
  /** Epoch ms until which every call of the tenant waits (an upstream 429), or null. */
  pausedUntilMs: number | null;
  rules: { kinds: readonly CallKind[]; limit: number; windowMs: number; available: number }[];
  /** Calls granted in the last minute, by priority, and calls refused. */
  lastMinute: Record<Priority | 'denied', number>;
}

export interface QuotaGovernor {
  /** Takes one call from the tenant's budget, or says why not and when to ask again. */
  take(req: CallRequest): Promise<Decision>;
  /** Stops every call of the tenant and backend until `untilMs` (never shortens a longer pause). */
  pause(tenantId: string, backend: Backend, untilMs: number): Promise<void>;
  status(tenantId: string, backend: Backend): Promise<BudgetStatus>;
  close?(): Promise<void>;
}
