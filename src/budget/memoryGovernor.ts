import { PRIORITIES, type Backend, type BudgetStatus, type CallRequest, type Decision, type Priority, type QuotaGovernor, type QuotaPolicy } from './governor';
import { analystLimit } from './policy';

/** Refills add fractions of a token, whose sum can land a hair under a whole one: that much is forgiven. */
const EPSILON = 1e-9;
/** Idle state is dropped at most this often, so a long-running process keeps only active tenants and analysts. */
const SWEEP_MS = 60_000;
const USAGE_SECONDS = 60;
const COUNTED = [...PRIORITIES, 'denied'] as const;

type Counts = Record<(typeof COUNTED)[number], number>;
interface Bucket {
  tokens: number;
  ts: number;
  windowMs: number;
}

const scopeKey = (tenantId: string, backend: Backend) => JSON.stringify([tenantId, backend]);
const ruleKey = (tenantId: string, backend: Backend, rule: number) => JSON.stringify([tenantId, backend, rule]);
const zeroCounts = (): Counts => ({ interactive: 0, delta: 0, backfill: 0, denied: 0 });

/**
 * The governor of a single instance: the same buckets as RedisGovernor, in this process. Keys are
 * JSON arrays, so no tenant id or analyst oid can collide with another's.
 */
export class MemoryGovernor implements QuotaGovernor {
  /** A bucket untouched for its whole window is full again, the same as an absent one. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly pauses = new Map<string, number>();
  /** By tenant and backend: granted and refused calls by epoch second, the last minute only. */
  private readonly usage = new Map<string, Map<number, Counts>>();
  private lastSweep: number;

  constructor(
    private readonly policyFor: (b: Backend) => QuotaPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  take(req: CallRequest): Promise<Decision> {
    const now = this.now();
    this.sweep(now);
    const scope = scopeKey(req.tenantId, req.backend);
    const decision = this.decide(req, scope, now);
    this.count(scope, now, decision.ok ? req.priority : 'denied');
    return Promise.resolve(decision);
  }

  pause(tenantId: string, backend: Backend, untilMs: number): Promise<void> {
    const scope = scopeKey(tenantId, backend);
    this.pauses.set(scope, Math.max(this.pauses.get(scope) ?? 0, untilMs));
    return Promise.resolve();
  }

  status(tenantId: string, backend: Backend): Promise<BudgetStatus> {
    const now = this.now();
    const scope = scopeKey(tenantId, backend);
    const pausedUntil = this.pauses.get(scope);
    const second = Math.floor(now / 1000);
    const lastMinute = zeroCounts();
    for (const [s, counts] of this.usage.get(scope) ?? []) {
      if (s > second - USAGE_SECONDS && s <= second) for (const what of COUNTED) lastMinute[what] += counts[what];
    }
    return Promise.resolve({
      backend,
      pausedUntilMs: pausedUntil !== undefined && pausedUntil > now ? pausedUntil : null,
      rules: this.policyFor(backend).rules.map(({ kinds, limit, windowMs }, i) => ({
        kinds,
        limit,
        windowMs,
        available: Math.floor(this.level(ruleKey(tenantId, backend, i), limit, windowMs, now) + EPSILON),
      })),
      lastMinute,
    });
  }

  private decide(req: CallRequest, scope: string, now: number): Decision {
    const pausedUntil = this.pauses.get(scope);
    if (pausedUntil !== undefined && pausedUntil > now) return { ok: false, reason: 'paused', retryAtMs: pausedUntil };
    const policy = this.policyFor(req.backend);
    // Every bucket the call draws from: the tenant's for each rule of its kind (leaving the priority's
    // reserve), and the analyst's own share of that rule.
    const draws = policy.rules.flatMap((rule, i) => {
      if (!rule.kinds.includes(req.kind)) return [];
      const tenant = ruleKey(req.tenantId, req.backend, i);
      const share = analystLimit(policy, rule);
      return [
        { key: tenant, limit: rule.limit, windowMs: rule.windowMs, need: 1 + policy.reserve[req.priority] * rule.limit, analyst: false },
        // The reserve holds in the analyst's share too: their own background work (syncs, a bulk job)
        // never takes the last of it from their pages.
        { key: JSON.stringify([tenant, req.analyst]), limit: share, windowMs: rule.windowMs, need: 1 + policy.reserve[req.priority] * share, analyst: true },
      ].map((d) => ({ ...d, level: this.level(d.key, d.limit, d.windowMs, now) }));
    });
    const short = draws.filter((d) => d.level + EPSILON < d.need);
    if (short.length) {
      // Every short bucket must have refilled enough before the call can pass.
      const waitMs = Math.max(...short.map((d) => ((d.need - d.level) * d.windowMs) / d.limit));
      return { ok: false, reason: short.some((d) => !d.analyst) ? 'budget' : 'analyst', retryAtMs: now + Math.max(1, Math.ceil(waitMs)) };
    }
    for (const d of draws) this.buckets.set(d.key, { tokens: d.level - 1, ts: now, windowMs: d.windowMs });
    return { ok: true };
  }

  private level(key: string, limit: number, windowMs: number, now: number): number {
    const bucket = this.buckets.get(key);
    // max(0, …): a clock stepping back must not drain a bucket.
    return bucket ? Math.min(limit, bucket.tokens + (Math.max(0, now - bucket.ts) * limit) / windowMs) : limit;
  }

  private count(scope: string, now: number, what: Priority | 'denied'): void {
    const second = Math.floor(now / 1000);
    const log = this.usage.get(scope) ?? new Map<number, Counts>();
    this.usage.set(scope, log);
    for (const s of log.keys()) if (s <= second - USAGE_SECONDS) log.delete(s);
    const counts = log.get(second) ?? zeroCounts();
    counts[what]++;
    log.set(second, counts);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (now - bucket.ts >= bucket.windowMs) this.buckets.delete(key);
    for (const [scope, until] of this.pauses) if (until <= now) this.pauses.delete(scope);
    const second = Math.floor(now / 1000);
    for (const [scope, log] of this.usage) if (Math.max(...log.keys()) <= second - USAGE_SECONDS) this.usage.delete(scope);
  }
}
