import { durationChart, durationText, trendChart } from '../../src/metrics/charts';
import { DAY_MS, trendOf, type Metrics } from '../../src/metrics/metrics';
import { parsePeriod } from '../../src/web/pages/metricsPage';
import { handoverChanges, whoHoldsWhat } from '../../src/web/pages/handoverPage';
import { queueMark, sinceVisit } from '../../src/web/sinceVisit';
import { incident } from '../helpers/incidents';

const H = 3_600_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');

describe('trendOf', () => {
  it('adds each day’s new incidents and takes away its resolutions, ending at the period’s end', () => {
    const period = { from: T0, to: T0 + 2 * DAY_MS + 5 * H };
    const trend = trendOf(period, 4, new Map([[0, 3], [2, 1]]), new Map([[0, 1], [1, 2]]));
    expect(trend.map((p) => [(p.at - T0) / H, p.open])).toEqual([[24, 6], [48, 4], [53, 5]]);
    expect(trendOf({ from: T0, to: T0 + DAY_MS }, 0, new Map(), new Map())).toEqual([{ at: T0 + DAY_MS, open: 0 }]);
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
    const none = { n: 0, estimated: 0, median: null, p90: null, target: null, met: 0 };
    const chart = durationChart('Time to acknowledge', { high: { n: 1, estimated: 0, median: 2 * H, p90: 2 * H, target: H, met: 0 }, medium: none, low: none, informational: none });
    const target = chart.lines.find((l) => l.dash);
    const median = chart.rects[0];
    // The 1 h target sits at half the 2 h bar's length.
    expect(target && median && target.x1 - median.x).toBe(Math.round((median?.width ?? 0) / 2));
    const m = { period: { from: T0, to: T0 + 2 * DAY_MS }, trend: [{ at: T0 + DAY_MS, open: 2 }, { at: T0 + 2 * DAY_MS, open: 4 }] } as Metrics;
    // Two points: 2 of 4 at the left edge, half way up; 4 (the highest) at the top right.
    expect(trendChart(m).polyline).toBe('40,61 550,6');
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
