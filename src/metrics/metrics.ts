import type { SlaTargets } from '../incidents/sla';
import type { MetricRow } from '../index/reports';

/**
 * The SOC lead's figures over one period, from the index's narrow rows (reports.ts): pure, so that
 * every figure is computed the one way the page, the CSV and the tests read it.
 *
 * Times: an incident is acknowledged when first assigned or first moved off Active, resolved when
 * its status became Resolved. The index dates each from the version of the incident in which it
 * first saw the change (Graph records neither); an incident it first read already acknowledged or
 * resolved carries an estimate (derive.ts: estimatedClocks), counted apart as estimated.
 */

export const DAY_MS = 86_400_000;

/** [from, to): instants in ms since the epoch. */
export interface Period {
  from: number;
  to: number;
}

/** The severities figures are given for, in the portal's order. */
export const METRIC_SEVERITIES = ['high', 'medium', 'low', 'informational'] as const;

export interface Durations {
  /** Incidents the figure covers. */
  n: number;
  /** Of which with an estimated time. */
  estimated: number;
  /** Milliseconds; null when n is 0. */
  median: number | null;
  p90: number | null;
  /** The severity's SLA target (ms), when one is set, and how many met it. */
  target: number | null;
  met: number;
}

export const AGE_BUCKETS = [
  { key: 'lt1d', label: 'Under 1 day', upTo: DAY_MS },
  { key: '1to3d', label: '1 to 3 days', upTo: 3 * DAY_MS },
  { key: '3to7d', label: '3 to 7 days', upTo: 7 * DAY_MS },
  { key: 'gt7d', label: 'Over 7 days', upTo: Infinity },
] as const;

export interface OutcomeCounts {
  /** A source, or '' for incidents whose alerts ThreatDesk has not read. */
  source: string;
  n: number;
  truePositive: number;
  falsePositive: number;
  informational: number;
  /** Classification not set. */
  unclassified: number;
}

export interface Metrics {
  period: Period;
  /** Acknowledged in the period: created → first assignment or status change. */
  acknowledge: Record<string, Durations>;
  /** Resolved in the period: created → resolved. */
  resolve: Record<string, Durations>;
  /** Open at the period's end, by age bucket and severity. */
  backlog: { bucket: string; label: string; bySeverity: Record<string, number>; total: number }[];
  backlogTotal: number;
  /** Open incidents at the end of each day of the period (the last point at its end). */
  trend: { at: number; open: number }[];
  /** Per assignee ('' unassigned): open at the period's end, resolved in it. */
  workload: { assignee: string; open: number; resolved: number }[];
  outcomes: {
    resolved: number;
    byDetectionSource: OutcomeCounts[];
    byServiceSource: OutcomeCounts[];
    unclassified: number;
    noDetermination: number;
    noComment: number;
  };
}

/** The p-th quantile of sorted values, interpolated linearly between ranks (PostgreSQL's percentile_cont). */
export function quantile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

function durations(spans: { ms: number; estimated: boolean }[], target: number | null): Durations {
  const sorted = spans.map((s) => s.ms).sort((a, b) => a - b);
  return {
    n: sorted.length,
    estimated: spans.filter((s) => s.estimated).length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    target,
    met: target === null ? 0 : sorted.filter((v) => v <= target).length,
  };
}

const within = (t: number | null, p: Period): t is number => t !== null && t >= p.from && t < p.to;

/** Open at instant t: created before it and not resolved by it (merged incidents are not in the rows). */
export function openAt(r: MetricRow, t: number): boolean {
  if (r.createdAt === null || r.createdAt >= t) return false;
  if (r.status !== 'resolved') return true;
  return (r.resolvedAt ?? r.createdAt) > t;
}

const NO_CLASSIFICATION = new Set(['', 'unknown']);
const NO_DETERMINATION = new Set(['', 'unknown', 'notavailable']);

function outcomeBy(rows: MetricRow[], sourcesOf: (r: MetricRow) => string[]): OutcomeCounts[] {
  const by = new Map<string, OutcomeCounts>();
  for (const r of rows) {
    const sources = sourcesOf(r);
    for (const source of sources.length ? sources : ['']) {
      const c = by.get(source) ?? { source, n: 0, truePositive: 0, falsePositive: 0, informational: 0, unclassified: 0 };
      c.n++;
      if (r.classification === 'truePositive') c.truePositive++;
      else if (r.classification === 'falsePositive') c.falsePositive++;
      else if (r.classification === 'informationalExpectedActivity') c.informational++;
      else c.unclassified++;
      by.set(source, c);
    }
  }
  return [...by.values()].sort((a, b) => b.n - a.n || a.source.localeCompare(b.source));
}

export function computeMetrics(rows: MetricRow[], period: Period, targets: SlaTargets): Metrics {
  const severities = [...METRIC_SEVERITIES];
  const acknowledged = rows.filter((r) => r.createdAt !== null && within(r.acknowledgedAt, period));
  const resolved = rows.filter((r) => r.status === 'resolved' && r.createdAt !== null && within(r.resolvedAt, period));
  const spansOf = (list: MetricRow[], at: (r: MetricRow) => number | null, estimated: (r: MetricRow) => boolean) =>
    list.map((r) => ({ ms: Math.max(0, (at(r) as number) - (r.createdAt as number)), estimated: estimated(r) }));
  const perSeverity = (list: MetricRow[], at: (r: MetricRow) => number | null, estimated: (r: MetricRow) => boolean, target: (s: string) => number | null) =>
    Object.fromEntries([
      ...severities.map((s) => [s, durations(spansOf(list.filter((r) => r.severity === s), at, estimated), target(s))]),
      ['all', durations(spansOf(list, at, estimated), null)],
    ]) as Record<string, Durations>;

  const open = rows.filter((r) => openAt(r, period.to));
  const backlog = AGE_BUCKETS.map((b, i) => {
    const floor = i === 0 ? 0 : AGE_BUCKETS[i - 1]!.upTo;
    const inBucket = open.filter((r) => {
      const age = period.to - (r.createdAt as number);
      return age >= floor && age < b.upTo;
    });
    return { bucket: b.key, label: b.label, bySeverity: Object.fromEntries(severities.map((s) => [s, inBucket.filter((r) => r.severity === s).length])), total: inBucket.length };
  });

  const trend: Metrics['trend'] = [];
  for (let at = period.from + DAY_MS; ; at += DAY_MS) {
    const point = Math.min(at, period.to);
    trend.push({ at: point, open: rows.filter((r) => openAt(r, point)).length });
    if (point >= period.to) break;
  }

  const assignees = new Map<string, { assignee: string; open: number; resolved: number }>();
  const holder = (a: string) => assignees.get(a) ?? assignees.set(a, { assignee: a, open: 0, resolved: 0 }).get(a)!;
  for (const r of open) holder(r.assignedTo).open++;
  for (const r of resolved) holder(r.assignedTo).resolved++;

  return {
    period,
    acknowledge: perSeverity(acknowledged, (r) => r.acknowledgedAt, (r) => r.ackEstimated, (s) => targets[s]?.assignMs ?? null),
    resolve: perSeverity(resolved, (r) => r.resolvedAt, (r) => r.resolvedEstimated, (s) => targets[s]?.resolveMs ?? null),
    backlog,
    backlogTotal: open.length,
    trend,
    workload: [...assignees.values()].sort((a, b) => b.open - a.open || b.resolved - a.resolved || a.assignee.localeCompare(b.assignee)),
    outcomes: {
      resolved: resolved.length,
      byDetectionSource: outcomeBy(resolved, (r) => r.detectionSources),
      byServiceSource: outcomeBy(resolved, (r) => r.serviceSources),
      unclassified: resolved.filter((r) => NO_CLASSIFICATION.has(r.classification.toLowerCase())).length,
      noDetermination: resolved.filter((r) => NO_DETERMINATION.has(r.determination.toLowerCase())).length,
      noComment: resolved.filter((r) => !r.commented).length,
    },
  };
}

/** The period of equal length just before. */
export const previousOf = (p: Period): Period => ({ from: p.from - (p.to - p.from), to: p.from });
