import { DEFAULT_SLA, parseSlaTargets, slaOf } from '../../src/incidents/sla';

const H = 3_600_000;
const now = Date.parse('2026-11-30T12:00:00Z');
const ago = (h: number) => new Date(now - h * H).toISOString();
const targets = parseSlaTargets(DEFAULT_SLA);
const open = { status: 'active', severity: 'high', assignedTo: 'sam@contoso.example', createdAt: ago(1), unassignedSince: null };

describe('SLA clocks', () => {
  it('reads the targets, in minutes, hours or days, and names what is wrong', () => {
    expect(targets.high).toEqual({ assignMs: H, resolveMs: 8 * H });
    expect(targets.informational).toEqual({ assignMs: 72 * H, resolveMs: 168 * H });
    expect(parseSlaTargets('high:30m/2d')).toEqual({ high: { assignMs: 30 * 60_000, resolveMs: 48 * H } });
    expect(() => parseSlaTargets('high:1h')).toThrow(/severity:assign\/resolve/);
    expect(() => parseSlaTargets('high:1w/2d')).toThrow(/not a duration/);
    expect(() => parseSlaTargets('critical:1h/2h')).toThrow(/critical/);
  });

  it('is quiet while a clock has more than a quarter left, then says soon, then overdue', () => {
    expect(slaOf(open, targets, now)).toBeUndefined();
    expect(slaOf({ ...open, createdAt: ago(7) }, targets, now)).toEqual({ state: 'soon', clock: 'resolve', due: ago(-1) });
    expect(slaOf({ ...open, createdAt: ago(9) }, targets, now)).toEqual({ state: 'overdue', clock: 'resolve', due: ago(1) });
  });

  it('runs the assign clock from when the incident was last unassigned, and reports the most pressing clock', () => {
    const waiting = { ...open, assignedTo: '', unassignedSince: ago(0.9) };
    expect(slaOf(waiting, targets, now)).toEqual({ state: 'soon', clock: 'assign', due: ago(-0.1) });
    expect(slaOf({ ...waiting, unassignedSince: ago(2) }, targets, now)).toEqual({ state: 'overdue', clock: 'assign', due: ago(1) });
    // Both overdue: the one that ran out first.
    expect(slaOf({ ...waiting, unassignedSince: ago(2), createdAt: ago(10) }, targets, now)).toEqual({ state: 'overdue', clock: 'resolve', due: ago(2) });
  });

  it('has nothing to say of closed incidents, or of severities without a target', () => {
    expect(slaOf({ ...open, createdAt: ago(100), status: 'resolved' }, targets, now)).toBeUndefined();
    expect(slaOf({ ...open, createdAt: ago(1000), severity: 'unknown' }, targets, now)).toBeUndefined();
  });
});
