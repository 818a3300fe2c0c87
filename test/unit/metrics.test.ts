import { durationChart, durationText, trendChart } from '../../src/metrics/charts';
import { computeMetrics, DAY_MS, openAt, previousOf, quantile } from '../../src/metrics/metrics';
import type { MetricRow } from '../../src/index/reports';
import { parseSlaTargets } from '../../src/incidents/sla';
import { parsePeriod } from '../../src/web/pages/metricsPage';
import { handoverChanges, whoHoldsWhat } from '../../src/web/pages/handoverPage';
import { queueMark, sinceVisit } from '../../src/web/sinceVisit';
import { incident } from '../helpers/incidents';

const H = 3_600_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const targets = parseSlaTargets('high:1h/8h,medium:4h/24h');

const row = (id: string, extra: Partial<MetricRow> = {}): MetricRow => ({
  id,
  severity: 'high',
  status: 'active',
  classification: '',
  determination: '',
  assignedTo: '',
  createdAt: T0,
  acknowledgedAt: null,
  ackEstimated: false,
  resolvedAt: null,
  resolvedEstimated: false,
  serviceSources: [],
  detectionSources: [],
  commented: false,
  ...extra,
});

describe('quantile', () => {
  it('interpolates between ranks as PostgreSQL’s percentile_cont does', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.9)).toBe(9);
  });
});

describe('computeMetrics', () => {
  const period = { from: T0, to: T0 + 3 * DAY_MS };

  it('counts an incident in the period its time fell in, against its severity’s target', () => {
    const rows = [
      row('in', { acknowledgedAt: T0 + H / 2, status: 'resolved', resolvedAt: T0 + 9 * H }),
      row('before', { createdAt: T0 - 2 * DAY_MS, acknowledgedAt: T0 - DAY_MS, status: 'resolved', resolvedAt: T0 - H }),
      row('no-creation', { createdAt: null, acknowledgedAt: T0 + H }),
    ];
    const m = computeMetrics(rows, period, targets);
    expect(m.acknowledge.high).toEqual({ n: 1, estimated: 0, median: H / 2, p90: H / 2, target: H, met: 1 });
    expect(m.resolve.high).toMatchObject({ n: 1, median: 9 * H, target: 8 * H, met: 0 });
    const before = computeMetrics(rows, previousOf(period), targets);
    expect([before.acknowledge.high?.n, before.resolve.high?.n]).toEqual([1, 1]);
    expect(m.acknowledge.low).toMatchObject({ n: 0, median: null, target: null });
  });

  it('sees the backlog as it stood at the end of the period, day by day', () => {
    const rows = [
      row('old', { createdAt: T0 - 10 * DAY_MS, severity: 'low' }),
      row('closed-day-2', { createdAt: T0 + H, status: 'resolved', resolvedAt: T0 + DAY_MS + H }),
      row('later', { createdAt: T0 + 4 * DAY_MS }),
      row('reopened-now', { createdAt: T0 + 2 * DAY_MS + H, status: 'inProgress' }),
    ];
    expect(openAt(rows[1] as MetricRow, T0 + DAY_MS)).toBe(true);
    expect(openAt(rows[1] as MetricRow, T0 + DAY_MS + H)).toBe(false);
    const m = computeMetrics(rows, period, targets);
    expect(m.trend.map((p) => [(p.at - T0) / DAY_MS, p.open])).toEqual([[1, 2], [2, 1], [3, 2]]);
    expect(m.backlog.map((b) => [b.bucket, b.total])).toEqual([['lt1d', 1], ['1to3d', 0], ['3to7d', 0], ['gt7d', 1]]);
    expect(m.backlog[3]?.bySeverity).toEqual({ high: 0, medium: 0, low: 1, informational: 0 });
  });

  it('ends the trend at the period’s end when it is not a whole number of days', () => {
    const m = computeMetrics([row('a')], { from: T0, to: T0 + DAY_MS + 5 * H }, targets);
    expect(m.trend.map((p) => p.at - T0)).toEqual([DAY_MS, DAY_MS + 5 * H]);
  });

  it('counts outcomes once per source, and incidents whose alerts were never read apart', () => {
    const resolved = { status: 'resolved', resolvedAt: T0 + H };
    const m = computeMetrics(
      [
        row('tp', { ...resolved, classification: 'truePositive', determination: 'malware', detectionSources: ['antivirus', 'customDetection'], commented: true }),
        row('fp', { ...resolved, classification: 'falsePositive', determination: 'notAvailable', detectionSources: ['antivirus'] }),
        row('unread', { ...resolved, classification: 'unknown', determination: 'unknown' }),
      ],
      period,
      targets,
    );
    expect(m.outcomes.byDetectionSource).toEqual([
      { source: 'antivirus', n: 2, truePositive: 1, falsePositive: 1, informational: 0, unclassified: 0 },
      { source: '', n: 1, truePositive: 0, falsePositive: 0, informational: 0, unclassified: 1 },
      { source: 'customDetection', n: 1, truePositive: 1, falsePositive: 0, informational: 0, unclassified: 0 },
    ]);
    expect([m.outcomes.resolved, m.outcomes.unclassified, m.outcomes.noDetermination, m.outcomes.noComment]).toEqual([3, 1, 2, 2]);
  });
});

describe('parsePeriod', () => {
  const now = T0 + 12 * H;
  it('reads the offered spans and a custom one ending at its last day’s end or now', () => {
    expect(parsePeriod({}, now)).toMatchObject({ choice: '30', period: { from: now - 30 * DAY_MS, to: now } });
    expect(parsePeriod({ days: '7' }, now).period).toEqual({ from: now - 7 * DAY_MS, to: now });
    expect(parsePeriod({ from: '2026-05-01', to: '2026-05-02' }, now).period).toEqual({ from: Date.parse('2026-05-01T00:00:00Z'), to: Date.parse('2026-05-03T00:00:00Z') });
    expect(parsePeriod({ from: '2026-05-31', to: '2026-06-30' }, now).period.to).toBe(now);
  });

  it('falls back to the default with why, keeping what was typed', () => {
    expect(parsePeriod({ from: '2026-05-31', to: 'soon' }, now)).toMatchObject({ choice: '30', from: '2026-05-31', to: 'soon', error: expect.stringContaining('year-month-day') });
    expect(parsePeriod({ from: '2025-01-01', to: '2026-05-01' }, now).error).toContain('at most 366 days');
    expect(() => parsePeriod({ days: '3650' }, now)).toThrow('not a period');
  });
});

describe('charts', () => {
  it('words durations and draws each target where its value falls', () => {
    expect([durationText(null), durationText(44 * 60_000), durationText(3 * H), durationText(3 * H + 600_000), durationText(50 * H)]).toEqual(['—', '44 min', '3 h', '3 h 10 min', '2 d 2 h']);
    const m = computeMetrics([row('a', { acknowledgedAt: T0 + 2 * H })], { from: T0, to: T0 + DAY_MS }, targets);
    const chart = durationChart('Time to acknowledge', m.acknowledge);
    const target = chart.lines.find((l) => l.dash);
    const median = chart.rects[0];
    // The 1 h target sits at half the 2 h bar's length.
    expect(target && median && target.x1 - median.x).toBe(Math.round(((median?.width ?? 0) / 2)));
    expect(trendChart(m).polyline?.split(' ')).toHaveLength(1);
  });
});

describe('the handover', () => {
  it('sorts changes into escalations, reassignments and resolutions', () => {
    const c = (field: 'severity' | 'assignedTo' | 'status', oldValue: string, newValue: string) => ({ incidentId: '1', displayName: 'x', severity: 'high', field, oldValue, newValue, observedAt: '', changedBy: null });
    const sorted = handoverChanges([c('severity', 'low', 'high'), c('severity', 'high', 'medium'), c('assignedTo', '', 'sam'), c('status', 'active', 'resolved'), c('status', 'active', 'inProgress')]);
    expect([sorted.escalations.length, sorted.reassignments.length, sorted.resolutions.length]).toEqual([1, 1, 1]);
    expect(sorted.escalations[0]?.newValue).toBe('high');
  });

  it('lists who holds what, unassigned first, then the busiest', () => {
    expect(whoHoldsWhat([{ assignedTo: 'b', severity: 'low', n: 1 }, { assignedTo: 'a', severity: 'high', n: 2 }, { assignedTo: '', severity: 'low', n: 1 }, { assignedTo: 'a', severity: 'low', n: 1 }]).map((h) => [h.assignee, h.total])).toEqual([
      ['', 1],
      ['a', 3],
      ['b', 1],
    ]);
  });
});

describe('since your last visit', () => {
  it('marks queue rows against the incident’s last opening, else the queue’s last visit', () => {
    const r = { createdAt: '2026-06-01T05:00:00Z', lastUpdateAt: '2026-06-01T06:00:00Z' };
    expect(queueMark(r, '2026-06-01T05:30:00Z', null)).toBe('Updated since you opened it');
    expect(queueMark(r, '2026-06-01T07:00:00Z', '2026-06-01T00:00:00Z')).toBeUndefined();
    expect(queueMark(r, undefined, '2026-06-01T04:00:00Z')).toBe('New since your last visit');
    expect(queueMark(r, undefined, '2026-06-01T05:30:00Z')).toBe('Updated since your last visit');
    expect(queueMark(r, undefined, null)).toBeUndefined();
  });

  it('tells what is new on the incident, leaving out the analyst’s own doing', () => {
    const i = incident('1', '2026-06-01T06:00:00Z', {
      comments: [
        { text: 'mine', author: 'Me@contoso.example', createdAt: '2026-06-01T06:00:00Z' },
        { text: 'theirs', author: 'sam@contoso.example', createdAt: '2026-06-01T06:00:00Z' },
        { text: 'old', author: 'sam@contoso.example', createdAt: '2026-06-01T01:00:00Z' },
      ],
    });
    const h = (field: 'status' | 'assignedTo', oldValue: string, newValue: string, changedBy: string | null) => ({ incidentId: '1', field, oldValue, newValue, observedAt: '2026-06-01T06:00:00Z', changedBy });
    const news = sinceVisit(i, [h('status', 'active', 'inProgress', null), h('assignedTo', '', 'me@contoso.example', 'me@contoso.example')], '2026-06-01T05:00:00Z', 'me@contoso.example');
    expect(news).toEqual({ at: '2026-06-01T05:00:00Z', newAlerts: 0, newComments: 1, changes: ['Status: Active → In progress'] });
    expect(sinceVisit(i, [], '2026-06-01T07:00:00Z', 'me@contoso.example')).toBeUndefined();
    expect(sinceVisit(i, [], null, 'me@contoso.example')).toBeUndefined();
  });
});
