import { inputDateTime, parseFilter, serializeFilter } from '../../src/incidents/queueFilter';
import { defenderFilter } from '../../src/incidents/sources/defender';
import { graphFilter } from '../../src/incidents/sources/graph';

const ctx = { upn: 'alex@contoso.example', now: Date.UTC(2026, 10, 24) };

describe('queue filter', () => {
  it('defaults to the open statuses, High/Medium/Low, last 6 months', () => {
    const f = parseFilter({});
    expect(f.status).toEqual(['active', 'inProgress', 'awaitingAction']);
    expect(f.severity).toEqual(['high', 'medium', 'low']);
    const from = new Date(ctx.now - 183 * 24 * 3600e3).toISOString();
    expect(graphFilter(f, ctx)).toBe(`(status eq 'active' or status eq 'inProgress' or status eq 'awaitingAction') and lastUpdateDateTime ge ${from}`);
    // The legacy API knows no "awaiting action": the app filters status itself there.
    expect(defenderFilter(f, ctx)).toBe(`lastUpdateTime ge ${from}`);
  });

  it('accepts the names of older bookmarks', () => {
    const f = parseFilter({ status: ['Active', 'InProgress', 'Redirected', 'merged'], severity: 'UnSpecified' });
    expect(f.status).toEqual(['active', 'inProgress', 'redirected']);
    expect(f.severity).toEqual(['unknown']);
  });

  it('puts only API-filterable fields into $filter, escaping quotes', () => {
    const f = parseFilter({ status: ['resolved'], assignee: "o'brien@contoso.example", window: '24h', severity: 'low', tag: "x' or 1 eq 1", q: 'abc' });
    const from = new Date(ctx.now - 24 * 3600e3).toISOString();
    expect(graphFilter(f, ctx)).toBe(`status eq 'resolved' and assignedTo eq 'o''brien@contoso.example' and lastUpdateDateTime ge ${from}`);
    expect(defenderFilter(f, ctx)).toBe(`status eq 'Resolved' and assignedTo eq 'o''brien@contoso.example' and lastUpdateTime ge ${from}`);
    expect(graphFilter(f, ctx)).not.toContain('1 eq 1');
  });

  it('uses the signed-in analyst for "me" and leaves "unassigned" to the app', () => {
    expect(graphFilter(parseFilter({ assignee: 'me', status: 'active' }), ctx)).toContain("assignedTo eq 'alex@contoso.example'");
    expect(graphFilter(parseFilter({ assignee: 'unassigned', status: 'active' }), ctx)).not.toContain('assignedTo');
  });

  it('reads a custom window\'s date and time as UTC, whatever the server\'s zone', () => {
    const odata = graphFilter(parseFilter({ window: 'custom', from: '2026-11-01T08:30', to: '2026-11-01T17:00:00Z' }), ctx);
    expect(odata).toContain('lastUpdateDateTime ge 2026-11-01T08:30:00.000Z');
    expect(odata).toContain('lastUpdateDateTime le 2026-11-01T17:00:00.000Z');
    expect(inputDateTime('2026-11-01', false)).toBe('2026-11-01T00:00');
    expect(inputDateTime('2026-11-01', true)).toBe('2026-11-01T23:59');
    expect(inputDateTime('2026-11-01T17:00:00Z', true)).toBe('2026-11-01T17:00');
  });

  it('turns a custom window of whole days into inclusive bounds', () => {
    const odata = graphFilter(parseFilter({ window: 'custom', from: '2026-11-01', to: '2026-11-02' }), ctx);
    expect(odata).toContain('lastUpdateDateTime ge 2026-11-01T00:00:00.000Z');
    expect(odata).toContain('lastUpdateDateTime le 2026-11-02T23:59:59.999Z');
  });

  it.each([
    [{ status: 'Open' }, 'status'],
    [{ severity: 'Critical' }, 'severity'],
    [{ assignee: "x' or 1 eq 1" }, 'assignee'],
    [{ window: '2y' }, 'window'],
    [{ window: 'custom' }, 'from'],
    [{ window: 'custom', from: 'yesterday' }, 'from'],
    [{ window: 'custom', from: '2026-11-02', to: '2026-11-01' }, 'to'],
    [{ q: 'x'.repeat(101) }, 'q'],
    [{ sort: 'random' }, 'sort'],
    [{ dir: 'up' }, 'dir'],
    [{ page: '0' }, 'page'],
    [{ size: '1000' }, 'size'],
    [{ classification: 'maybe' }, 'classification'],
    [{ determination: 'notADetermination' }, 'determination'],
    [{ deviceGroup: 'x\u0000' }, 'deviceGroup'],
    [{ more: 'portal' }, 'more'],
    [{ sla: 'late' }, 'sla'],
    [{ unassigned: '0' }, 'unassigned'],
    [{ unassigned: '4h' }, 'unassigned'],
  ])('rejects %j naming %s', (query, field) => {
    expect(() => parseFilter(query)).toThrow(expect.objectContaining({ field }));
  });

  it('round-trips every filter through its query string, defaults left out', () => {
    const query = {
      status: ['resolved', 'redirected'], severity: 'informational', assignee: 'sam@contoso.example', window: '3d',
      classification: 'falsePositive', determination: 'notMalicious', source: 'microsoftDefenderForEndpoint', detectionSource: 'antivirus',
      category: 'Malware', deviceGroup: 'Servers', tag: 'vip', q: '10.1.2.3', sort: 'name', dir: 'asc', size: '100', page: '3',
      more: ['lastActivity', 'devices'], sla: 'soon', unassigned: '12',
    };
    const f = parseFilter(query);
    // Extra columns in the order asked (the analyst's), each once.
    expect(f.more).toEqual(['lastActivity', 'devices']);
    expect(parseFilter(queryOf(serializeFilter(f)))).toEqual(f);
    expect(serializeFilter(parseFilter({}))).toBe('');
    expect(serializeFilter(parseFilter({ page: '1', size: '50', dir: 'desc' }))).toBe('');
  });
});

function queryOf(qs: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (out[k] ??= []).push(v);
  return out;
}
