import type { SessionAccount } from '../../auth/tokenService';
import { intl, t } from '../../i18n/i18n';
import { csvCell } from '../../incidents/csv';
import { labels } from '../../incidents/labels';
import type { SlaTargets } from '../../incidents/sla';
import { ageLabel, backlogChart, durationChart, durationText, trendChart, utcDay } from '../../metrics/charts';
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

/** A UTC day as ISO: what a CSV and its file name carry whatever the reader's language. */
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * `days=7|30|90` (back from now), or `from` and `to` (UTC dates, both included; a `to` later than
 * now ends now). A custom period that cannot be read shows the default one with why.
 */
export function parsePeriod(query: Record<string, unknown>, now: number): PeriodChoice {
  const back = (days: number): Period => ({ from: now - days * DAY_MS, to: now });
  const fallback = (error?: string, from = '', to = ''): PeriodChoice => ({ period: back(Number(DEFAULT_DAYS)), choice: DEFAULT_DAYS, from, to, error });
  const { from, to, days } = query;
  if (typeof from === 'string' || typeof to === 'string') {
    const [f, until] = [typeof from === 'string' ? from.trim() : '', typeof to === 'string' ? to.trim() : ''];
    if (!DATE.test(f) || !DATE.test(until) || Number.isNaN(Date.parse(`${f}T00:00:00Z`)) || Number.isNaN(Date.parse(`${until}T00:00:00Z`))) {
      return fallback(t('metrics:errors.dates'), f.slice(0, 10), until.slice(0, 10));
    }
    const start = Date.parse(`${f}T00:00:00Z`);
    const end = Math.min(now, Date.parse(`${until}T00:00:00Z`) + DAY_MS);
    if (end <= start) return fallback(t('metrics:errors.order'), f, until);
    if (end - start > MAX_CUSTOM_DAYS * DAY_MS) return fallback(t('metrics:errors.tooLong', { max: intl().number(MAX_CUSTOM_DAYS) }), f, until);
    return { period: { from: start, to: end }, choice: 'custom', from: f, to: until };
  }
  if (days === undefined) return fallback();
  if (typeof days !== 'string' || !(PERIOD_DAYS as readonly string[]).includes(days)) {
    throw new InvalidInputError('filter', t('metrics:errors.notAPeriod', { value: quotedInput(days, 20) }), '/metrics');
  }
  return { period: back(Number(days)), choice: days, from: '', to: '' };
}

/** The query string that selects the same period (for the CSV links). */
export const periodQuery = (p: PeriodChoice) => (p.choice === 'custom' ? `from=${p.from}&to=${p.to}` : `days=${p.choice}`);

const pct = (part: number, whole: number) => (whole === 0 ? '—' : t('metrics:percent', { value: intl().number(Math.round((part / whole) * 1000) / 10) }));

/** Everything the metrics page shows: this period's figures, the previous period's, and their charts. */
export async function loadMetricsView(sync: IndexSync, account: SessionAccount, query: Record<string, unknown>, targets: SlaTargets, now: number) {
  const chosen = parsePeriod(query, now);
  const [{ current, previous, covered }, fresh] = await Promise.all([sync.indexOf(account).metrics(chosen.period, targets), sync.freshness(account)]);
  return {
    title: t('metrics:title'),
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
      acknowledge: durationChart(t('metrics:acknowledge.title'), current.acknowledge),
      resolve: durationChart(t('metrics:resolve.title'), current.resolve),
      backlog: backlogChart(current),
      trend: trendChart(current),
    },
    tables: Object.fromEntries(FIGURES.map((f) => [f, figureTable(f, current, previous)])) as Record<Figure, Table>,
    durationText,
    pct,
    // The page writes a period's days in the reader's language, still as UTC days.
    day: utcDay,
  };
}

/** The figures on the page, each a table the page shows and the CSV download carries. */
export const FIGURES = ['acknowledge', 'resolve', 'sla', 'backlog', 'trend', 'workload', 'closing', 'detection-sources', 'service-sources'] as const;
export type Figure = (typeof FIGURES)[number];

export function parseFigure(raw: unknown): Figure {
  if (typeof raw !== 'string' || !(FIGURES as readonly string[]).includes(raw)) {
    throw new InvalidInputError('filter', t('metrics:errors.notAFigure', { value: String(raw).slice(0, 30) }), '/metrics');
  }
  return raw as Figure;
}

type Cell = string | number;
export interface Table {
  head: string[];
  rows: Cell[][];
}

/** How a table writes durations, shares and days: words on the page, machine values in a spreadsheet. */
interface Format {
  duration(ms: number | null): string;
  share(part: number, whole: number): string;
  day(at: number): string;
  /** A duration column's header (the sheet's says its unit). */
  durationHead(label: string): string;
  /** A share column's header (the sheet's says it is a percentage). */
  shareHead(label: string): string;
}

const PAGE: Format = { duration: durationText, share: pct, day: utcDay, durationHead: (label) => label, shareHead: (label) => label };
const SHEET: Format = {
  duration: (ms) => (ms === null ? '' : (ms / 3_600_000).toFixed(2)),
  share: (part, whole) => (whole === 0 ? '' : ((part / whole) * 100).toFixed(1)),
  day: isoDay,
  durationHead: (label) => t('metrics:csv.hours', { label }),
  shareHead: (label) => t('metrics:csv.percent', { label }),
};

function durationTable(cur: Record<string, Durations>, prev: Record<string, Durations>, f: Format): Table {
  return {
    head: [
      t('metrics:col.severity'),
      t('metrics:col.incidents'),
      t('metrics:col.estimated'),
      f.durationHead(t('metrics:col.median')),
      f.durationHead(t('metrics:col.p90')),
      f.durationHead(t('metrics:col.target')),
      t('metrics:col.previousIncidents'),
      f.durationHead(t('metrics:col.previousMedian')),
      f.durationHead(t('metrics:col.previousP90')),
    ],
    rows: [...METRIC_SEVERITIES, 'all'].map((s) => {
      const [c, p] = [cur[s] as Durations, prev[s] as Durations];
      return [s === 'all' ? t('metrics:row.allSeverities') : labels.severity(s), c.n, c.estimated, f.duration(c.median), f.duration(c.p90), c.target === null ? '' : f.duration(c.target), p.n, f.duration(p.median), f.duration(p.p90)];
    }),
  };
}

function outcomeTable(what: string, list: OutcomeCounts[], f: Format): Table {
  return {
    head: [what, t('metrics:col.resolved'), f.shareHead(t('metrics:col.truePositive')), f.shareHead(t('metrics:col.falsePositive')), f.shareHead(t('metrics:col.informational')), f.shareHead(t('metrics:col.notClassified'))],
    rows: list.map((o) => [o.source === '' ? t('metrics:row.alertsNotRead') : labels.source(o.source), o.n, f.share(o.truePositive, o.n), f.share(o.falsePositive, o.n), f.share(o.informational, o.n), f.share(o.unclassified, o.n)]),
  };
}

/** One figure as a table: the page's (words) or the CSV's (numbers, hours). */
export function figureTable(figure: Figure, cur: Metrics, prev: Metrics, f: Format = PAGE): Table {
  switch (figure) {
    case 'acknowledge':
      return durationTable(cur.acknowledge, prev.acknowledge, f);
    case 'resolve':
      return durationTable(cur.resolve, prev.resolve, f);
    case 'sla':
      return {
        head: [
          t('metrics:col.severity'),
          t('metrics:col.acknowledged'),
          f.shareHead(t('metrics:col.withinAssign')),
          t('metrics:col.resolved'),
          f.shareHead(t('metrics:col.withinResolve')),
          f.shareHead(t('metrics:col.previousWithinAssign')),
          f.shareHead(t('metrics:col.previousWithinResolve')),
        ],
        rows: METRIC_SEVERITIES.map((s) => {
          const [a, r, pa, pr] = [cur.acknowledge[s], cur.resolve[s], prev.acknowledge[s], prev.resolve[s]] as Durations[];
          const met = (d: Durations) => (d.target === null ? '' : f.share(d.met, d.n));
          return [labels.severity(s), a!.n, met(a!), r!.n, met(r!), met(pa!), met(pr!)];
        }),
      };
    case 'backlog':
      return { head: [t('metrics:col.age'), ...METRIC_SEVERITIES.map((s) => labels.severity(s)), t('metrics:col.total')], rows: cur.backlog.map((b) => [ageLabel(b.bucket), ...METRIC_SEVERITIES.map((s) => b.bySeverity[s] ?? 0), b.total]) };
    case 'trend':
      return { head: [t('metrics:col.day'), t('metrics:col.openAtEnd')], rows: cur.trend.map((p) => [f.day(p.at - 1), p.open]) };
    case 'workload':
      return {
        head: [t('metrics:col.assignedTo'), t('metrics:col.openAtPeriodEnd'), t('metrics:col.resolvedInPeriod')],
        rows: cur.workload.map((w) => [w.assignee || t('metrics:row.unassigned'), w.open, w.resolved]),
      };
    case 'closing': {
      const line = (what: string, n: (m: Metrics) => number): Cell[] => [what, n(cur), f.share(n(cur), cur.outcomes.resolved), n(prev), f.share(n(prev), prev.outcomes.resolved)];
      return {
        head: [t('metrics:col.resolvedIncidents'), t('metrics:col.incidents'), f.shareHead(t('metrics:col.share')), t('metrics:col.previousPeriod'), f.shareHead(t('metrics:col.previousShare'))],
        rows: [
          [t('metrics:row.allResolved'), cur.outcomes.resolved, '', prev.outcomes.resolved, ''],
          line(t('metrics:row.unclassified'), (m) => m.outcomes.unclassified),
          line(t('metrics:row.noDetermination'), (m) => m.outcomes.noDetermination),
          line(t('metrics:row.noComment'), (m) => m.outcomes.noComment),
        ],
      };
    }
    case 'detection-sources':
      return outcomeTable(t('metrics:col.detectionSource'), cur.outcomes.byDetectionSource, f);
    case 'service-sources':
      return outcomeTable(t('metrics:col.serviceSource'), cur.outcomes.byServiceSource, f);
  }
}

/** A table as CSV after a byte order mark (spreadsheets then read UTF-8), every cell quoted and made safe. */
export const tableCsv = (table: Table) => `\uFEFF${[table.head, ...table.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

/** The CSV of one figure for the chosen period. */
export async function metricsCsv(sync: IndexSync, account: SessionAccount, query: Record<string, unknown>, targets: SlaTargets, now: number): Promise<{ name: string; body: string }> {
  const figure = parseFigure(query.figure);
  const chosen = parsePeriod(query, now);
  const { current, previous } = await sync.indexOf(account).metrics(chosen.period, targets);
  const table = figureTable(figure, current, previous, SHEET);
  return { name: `threatdesk-${figure}-${isoDay(chosen.period.from)}-to-${isoDay(chosen.period.to - 1)}.csv`, body: tableCsv(table) };
}
