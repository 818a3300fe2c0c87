import type { SessionAccount } from '../../auth/tokenService';
import { csvCell } from '../../incidents/csv';
import { labels } from '../../incidents/labels';
import type { SlaTargets } from '../../incidents/sla';
import { backlogChart, durationChart, durationText, trendChart } from '../../metrics/charts';
import { DAY_MS, METRIC_SEVERITIES, type Durations, type Metrics, type OutcomeCounts, type Period } from '../../metrics/metrics';
import type { IndexSync } from '../../sync/indexSync';
import { InvalidInputError, quotedInput } from '../inputErrors';

/** The periods offered in one click (days back from now). */
export const PERIOD_DAYS = ['7', '30', '90'] as const;
const DEFAULT_DAYS = '30';
const MAX_CUSTOM_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface PeriodChoice {
  period: Period;
  /** 7, 30, 90 or custom. */
  choice: string;
  /** The custom form's values as typed (kept on an error). */
  from: string;
  to: string;
  error?: string;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * `days=7|30|90` (back from now), or `from` and `to` (UTC dates, both included; a `to` later than
 * now ends now). A custom period that cannot be read shows the default one with why.
 */
export function parsePeriod(query: Record<string, unknown>, now: number): PeriodChoice {
  const back = (days: number): Period => ({ from: now - days * DAY_MS, to: now });
  const fallback = (error?: string, from = '', to = ''): PeriodChoice => ({ period: back(Number(DEFAULT_DAYS)), choice: DEFAULT_DAYS, from, to, error });
  const { from, to, days } = query;
  if (typeof from === 'string' || typeof to === 'string') {
    const [f, t] = [typeof from === 'string' ? from.trim() : '', typeof to === 'string' ? to.trim() : ''];
    if (!DATE.test(f) || !DATE.test(t) || Number.isNaN(Date.parse(`${f}T00:00:00Z`)) || Number.isNaN(Date.parse(`${t}T00:00:00Z`))) {
      return fallback('Give both dates of a custom period as year-month-day (2026-11-01).', f.slice(0, 10), t.slice(0, 10));
    }
    const start = Date.parse(`${f}T00:00:00Z`);
    const end = Math.min(now, Date.parse(`${t}T00:00:00Z`) + DAY_MS);
    if (end <= start) return fallback('The period must end after it starts, and start before now.', f, t);
    if (end - start > MAX_CUSTOM_DAYS * DAY_MS) return fallback(`A custom period spans at most ${MAX_CUSTOM_DAYS} days.`, f, t);
    return { period: { from: start, to: end }, choice: 'custom', from: f, to: t };
  }
  if (days === undefined) return fallback();
  if (typeof days !== 'string' || !(PERIOD_DAYS as readonly string[]).includes(days)) {
    throw new InvalidInputError('filter', `“${quotedInput(days, 20)}” is not a period: choose 7, 30 or 90 days.`, '/metrics');
  }
  return { period: back(Number(days)), choice: days, from: '', to: '' };
}

/** The query string that selects the same period (for the CSV links). */
export const periodQuery = (p: PeriodChoice) => (p.choice === 'custom' ? `from=${p.from}&to=${p.to}` : `days=${p.choice}`);

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 1000) / 10} %`);

/** Everything the metrics page shows: this period's figures, the previous period's, and their charts. */
export async function loadMetricsView(sync: IndexSync, account: SessionAccount, query: Record<string, unknown>, targets: SlaTargets, now: number) {
  const chosen = parsePeriod(query, now);
  const [{ current, previous, covered }, fresh] = await Promise.all([sync.indexOf(account).metrics(chosen.period, targets), sync.freshness(account)]);
  return {
    title: 'Metrics',
    chosen,
    periodDays: PERIOD_DAYS,
    csvQuery: periodQuery(chosen),
    current,
    previous,
    covered,
    // Still reading older incidents: the figures will change as they arrive.
    filling: fresh.phase !== 'done',
    asOf: fresh.asOf,
    severities: METRIC_SEVERITIES,
    charts: {
      acknowledge: durationChart('Time to acknowledge', current.acknowledge),
      resolve: durationChart('Time to resolve', current.resolve),
      backlog: backlogChart(current),
      trend: trendChart(current),
    },
    tables: Object.fromEntries(FIGURES.map((f) => [f, figureTable(f, current, previous)])) as Record<Figure, Table>,
    durationText,
    pct,
    day,
  };
}

/** The figures on the page, each a table the page shows and the CSV download carries. */
export const FIGURES = ['acknowledge', 'resolve', 'sla', 'backlog', 'trend', 'workload', 'closing', 'detection-sources', 'service-sources'] as const;
export type Figure = (typeof FIGURES)[number];

export function parseFigure(raw: unknown): Figure {
  if (typeof raw !== 'string' || !(FIGURES as readonly string[]).includes(raw)) {
    throw new InvalidInputError('filter', `“${String(raw).slice(0, 30)}” is not one of the metrics' tables.`, '/metrics');
  }
  return raw as Figure;
}

type Cell = string | number;
export interface Table {
  head: string[];
  rows: Cell[][];
}

/** How a table writes durations and shares: words on the page, numbers in a spreadsheet. */
interface Format {
  duration(ms: number | null): string;
  share(part: number, whole: number): string;
  /** Appended to duration headers. */
  unit: string;
}

const PAGE: Format = { duration: durationText, share: pct, unit: '' };
const SHEET: Format = {
  duration: (ms) => (ms === null ? '' : (ms / 3_600_000).toFixed(2)),
  share: (part, whole) => (whole === 0 ? '' : ((part / whole) * 100).toFixed(1)),
  unit: ' (hours)',
};

function durationTable(cur: Record<string, Durations>, prev: Record<string, Durations>, f: Format): Table {
  return {
    head: ['Severity', 'Incidents', 'Of which estimated', `Median${f.unit}`, `90th percentile${f.unit}`, `SLA target${f.unit}`, 'Previous period: incidents', `Previous: median${f.unit}`, `Previous: 90th percentile${f.unit}`],
    rows: [...METRIC_SEVERITIES, 'all'].map((s) => {
      const [c, p] = [cur[s] as Durations, prev[s] as Durations];
      return [s === 'all' ? 'All severities' : labels.severity(s), c.n, c.estimated, f.duration(c.median), f.duration(c.p90), c.target === null ? '' : f.duration(c.target), p.n, f.duration(p.median), f.duration(p.p90)];
    }),
  };
}

function outcomeTable(what: string, list: OutcomeCounts[], f: Format): Table {
  const unit = f === SHEET ? ' (%)' : '';
  return {
    head: [what, 'Resolved', `True positive${unit}`, `False positive${unit}`, `Informational, expected activity${unit}`, `Not classified${unit}`],
    rows: list.map((o) => [o.source === '' ? 'Alerts not read yet' : labels.source(o.source), o.n, f.share(o.truePositive, o.n), f.share(o.falsePositive, o.n), f.share(o.informational, o.n), f.share(o.unclassified, o.n)]),
  };
}

/** One figure as a table: the page's (words) or the CSV's (numbers, hours). */
export function figureTable(figure: Figure, cur: Metrics, prev: Metrics, f: Format = PAGE): Table {
  const share = f === SHEET ? ' (%)' : '';
  switch (figure) {
    case 'acknowledge':
      return durationTable(cur.acknowledge, prev.acknowledge, f);
    case 'resolve':
      return durationTable(cur.resolve, prev.resolve, f);
    case 'sla':
      return {
        head: ['Severity', 'Acknowledged', `Within the target to assign${share}`, 'Resolved', `Within the target to resolve${share}`, `Previous: within the target to assign${share}`, `Previous: within the target to resolve${share}`],
        rows: METRIC_SEVERITIES.map((s) => {
          const [a, r, pa, pr] = [cur.acknowledge[s], cur.resolve[s], prev.acknowledge[s], prev.resolve[s]] as Durations[];
          const met = (d: Durations) => (d.target === null ? '' : f.share(d.met, d.n));
          return [labels.severity(s), a!.n, met(a!), r!.n, met(r!), met(pa!), met(pr!)];
        }),
      };
    case 'backlog':
      return { head: ['Age', ...METRIC_SEVERITIES.map((s) => labels.severity(s)), 'Total'], rows: cur.backlog.map((b) => [b.label, ...METRIC_SEVERITIES.map((s) => b.bySeverity[s] ?? 0), b.total]) };
    case 'trend':
      return { head: ['Day (UTC)', 'Open at its end'], rows: cur.trend.map((p) => [day(p.at - 1), p.open]) };
    case 'workload':
      return { head: ['Assigned to', 'Open at the end of the period', 'Resolved in the period'], rows: cur.workload.map((w) => [w.assignee || 'Unassigned', w.open, w.resolved]) };
    case 'closing': {
      const line = (what: string, n: (m: Metrics) => number): Cell[] => [what, n(cur), f.share(n(cur), cur.outcomes.resolved), n(prev), f.share(n(prev), prev.outcomes.resolved)];
      return {
        head: ['Resolved incidents', 'Incidents', `Share${share}`, 'Previous period', `Previous share${share}`],
        rows: [
          ['All resolved', cur.outcomes.resolved, '', prev.outcomes.resolved, ''],
          line('Classification not set', (m) => m.outcomes.unclassified),
          line('No determination', (m) => m.outcomes.noDetermination),
          line('Without a comment', (m) => m.outcomes.noComment),
        ],
      };
    }
    case 'detection-sources':
      return outcomeTable('Detection source', cur.outcomes.byDetectionSource, f);
    case 'service-sources':
      return outcomeTable('Service source', cur.outcomes.byServiceSource, f);
  }
}

/** A table as CSV after a byte order mark (spreadsheets then read UTF-8), every cell quoted and made safe. */
export const tableCsv = (t: Table) => `\uFEFF${[t.head, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

/** The CSV of one figure for the chosen period. */
export async function metricsCsv(sync: IndexSync, account: SessionAccount, query: Record<string, unknown>, targets: SlaTargets, now: number): Promise<{ name: string; body: string }> {
  const figure = parseFigure(query.figure);
  const chosen = parsePeriod(query, now);
  const { current, previous } = await sync.indexOf(account).metrics(chosen.period, targets);
  const table = figureTable(figure, current, previous, SHEET);
  return { name: `threatdesk-${figure}-${day(chosen.period.from)}-to-${day(chosen.period.to - 1)}.csv`, body: tableCsv(table) };
}
