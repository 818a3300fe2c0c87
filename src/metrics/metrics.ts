/**
 * The SOC lead's figures over one period: what each means (the database computes them over the
 * analyst's partition, src/index/metricsQuery.ts; the page and the CSV read them).
 *
 * Open at an instant: created before it and not resolved by it. Merged incidents are left out.
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

/** Ages of open incidents; each key is named in words by the catalogue (metrics:age.*), in the reader's language. */
export const AGE_BUCKETS = [
  { key: 'lt1d', upTo: DAY_MS },
  { key: '1to3d', upTo: 3 * DAY_MS },
  { key: '3to7d', upTo: 7 * DAY_MS },
  { key: 'gt7d', upTo: Infinity },
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
  /** Open at the period's end, by age bucket and severity (for the previous period: none, only the total). */
  backlog: { bucket: string; bySeverity: Record<string, number>; total: number }[];
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

/**
 * Open incidents at the end of each day of the period (the last point at its end), from those open
 * at its start and those created and resolved on each of its days (day k: created in
 * [from + k days, from + k + 1 days), resolved in (from + k days, from + k + 1 days]).
 */
export function trendOf(p: Period, openAtStart: number, createdOn: Map<number, number>, resolvedOn: Map<number, number>): Metrics['trend'] {
  const out: Metrics['trend'] = [];
  let open = openAtStart;
  for (let k = 0; ; k++) {
    open += (createdOn.get(k) ?? 0) - (resolvedOn.get(k) ?? 0);
    const at = Math.min(p.from + (k + 1) * DAY_MS, p.to);
    out.push({ at, open });
    if (at >= p.to) return out;
  }
}

/** The period of equal length just before. */
export const previousOf = (p: Period): Period => ({ from: p.from - (p.to - p.from), to: p.from });
