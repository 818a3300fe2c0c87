import { decodeCursor, encodeCursor, loadQueue, sortRows, type Cursor, type FetchIncidents } from '../../src/defender/queue';
import { buildODataFilter, DEFAULT_FILTER, parseFilter, type QueueFilter } from '../../src/defender/queueFilter';
import type { Incident } from '../../src/defender/types';

/** A fake of the list endpoint's documented semantics: newest update first, $top/$skip, `lastUpdateTime le`. */
function fakeApi(all: Incident[]): { fetch: FetchIncidents; calls: string[] } {
  const sorted = [...all].sort((a, b) => b.lastUpdateTime.localeCompare(a.lastUpdateTime) || b.incidentId - a.incidentId);
  const calls: string[] = [];
  const fetch: FetchIncidents = async (filter, top, skip) => {
    calls.push(`${filter}|${top}|${skip}`);
    const le = filter?.match(/lastUpdateTime le (\S+)/g)?.map((m) => m.split(' ').pop() as string) ?? [];
    const rows = sorted.filter((i) => le.every((t) => i.lastUpdateTime <= t));
    return rows.slice(skip, skip + top);
  };
  return { fetch, calls };
}

function incident(id: number, time: string, extra: Partial<Incident> = {}): Incident {
  return { incidentId: id, createdTime: time, lastUpdateTime: time, status: 'Active', severity: 'High', incidentName: `Incident ${id}`, ...extra };
}

const ts = (n: number) => new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString().replace('Z', '0000Z');
const ctx = { upn: 'alex@contoso.example', now: Date.UTC(2026, 10, 24) };

async function readAll(fetch: FetchIncidents, filter: QueueFilter, pageSize: number, budget = 3): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: Cursor | undefined;
  let pages = 0;
  do {
    const page = await loadQueue(fetch, filter, ctx, cursor, { pageSize, budget });
    ids.push(...page.rows.map((r) => r.incidentId));
    cursor = page.next;
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
}

describe('queue paging', () => {
  it('pages through app-side filtered rows with no gaps or repeats', async () => {
    const all = Array.from({ length: 2000 }, (_, i) => incident(i + 1, ts(i), { tags: i % 7 === 0 ? ['VIP'] : [] }));
    const { fetch } = fakeApi(all);
    const filter = { ...DEFAULT_FILTER, tag: 'VIP' };
    const { ids } = await readAll(fetch, filter, 25);
    const expected = all.filter((i) => i.tags?.includes('VIP')).sort((a, b) => b.lastUpdateTime.localeCompare(a.lastUpdateTime)).map((i) => i.incidentId);
    expect(ids).toEqual(expected);
  });

  it('handles many incidents sharing one lastUpdateTime across API pages', async () => {
    const same = ts(5);
    const all = [...Array.from({ length: 250 }, (_, i) => incident(1000 + i, same)), ...Array.from({ length: 30 }, (_, i) => incident(i + 1, ts(i)))];
    const { fetch } = fakeApi(all);
    const { ids } = await readAll(fetch, DEFAULT_FILTER, 40);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(280);
  });

  it('stops at the call budget, says so, and continues exactly where it stopped', async () => {
    const all = Array.from({ length: 1000 }, (_, i) => incident(i + 1, ts(i), { tags: i < 10 ? ['rare'] : [] }));
    const { fetch, calls } = fakeApi(all);
    const filter = { ...DEFAULT_FILTER, tag: 'rare' };
    const first = await loadQueue(fetch, filter, ctx, undefined, { pageSize: 25, budget: 2 });
    expect(first.partial).toBe(true);
    expect(first.rows).toHaveLength(0);
    expect(first.calls).toBe(2);
    expect(first.examined).toBe(200);
    expect(calls).toHaveLength(2);
    const { ids } = await readAll(fetch, filter, 25, 2);
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('keeps hidden severities out of the rows but in the counts, and counts merged incidents apart', async () => {
    const all = [
      incident(1, ts(1), { severity: 'Informational' }),
      incident(2, ts(2), { severity: 'High' }),
      incident(3, ts(3), { severity: 'Low', status: 'Redirected', redirectIncidentId: 2 }),
    ];
    const { fetch } = fakeApi(all);
    const page = await loadQueue(fetch, { ...DEFAULT_FILTER, status: ['Active', 'Redirected'] }, ctx, undefined, { pageSize: 10, budget: 1 });
    expect(page.rows.map((r) => r.incidentId)).toEqual([3, 2]);
    expect(page.counts.bySeverity.Informational).toBe(1);
    expect(page.counts.bySeverity.High).toBe(1);
    expect(page.counts.bySeverity.Low).toBe(0);
    expect(page.counts.merged).toBe(1);
    expect(page.next).toBeUndefined();
  });

  it('sorts only within the loaded rows when asked', () => {
    const rows = [incident(1, ts(3), { severity: 'Low', createdTime: ts(1) }), incident(2, ts(2), { severity: 'High', createdTime: ts(2) })];
    expect(sortRows(rows, 'severity').map((r) => r.incidentId)).toEqual([2, 1]);
    expect(sortRows(rows, 'created').map((r) => r.incidentId)).toEqual([2, 1]);
    expect(sortRows(rows, 'updated').map((r) => r.incidentId)).toEqual([1, 2]);
  });
});

describe('cursor', () => {
  it('round-trips and refuses tampering', () => {
    const c = { t: '2026-11-20T10:11:12.1234567Z', k: 3 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor(Buffer.from(JSON.stringify(["2026-11-20T10:11:12Z' or 1 eq 1", 0])).toString('base64url'))).toBeUndefined();
    expect(decodeCursor('not base64 json')).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify(['2026-11-20T10:11:12Z', -1])).toString('base64url'))).toBeUndefined();
  });
});

describe('queue filter', () => {
  it('defaults to Active + InProgress, High/Medium/Low, last 6 months', () => {
    const f = parseFilter({});
    expect(f.status).toEqual(['Active', 'InProgress']);
    expect(f.severity).toEqual(['High', 'Medium', 'Low']);
    expect(buildODataFilter(f, ctx)).toBe(`(status eq 'Active' or status eq 'InProgress') and lastUpdateTime ge ${new Date(ctx.now - 183 * 24 * 3600e3).toISOString()}`);
  });

  it('puts only the API-filterable fields into $filter, escaping quotes', () => {
    const f = parseFilter({ status: ['Resolved'], assignee: "o'brien@contoso.example", window: '24h', severity: 'Low', tag: "x' or 1 eq 1", q: 'abc' });
    const odata = buildODataFilter(f, ctx) as string;
    expect(odata).toBe(`status eq 'Resolved' and assignedTo eq 'o''brien@contoso.example' and lastUpdateTime ge ${new Date(ctx.now - 24 * 3600e3).toISOString()}`);
    expect(odata).not.toContain('severity');
    expect(odata).not.toContain('1 eq 1');
  });

  it('uses the signed-in analyst for "me" and leaves "unassigned" to the app', () => {
    expect(buildODataFilter(parseFilter({ assignee: 'me', status: 'Active' }), ctx)).toContain("assignedTo eq 'alex@contoso.example'");
    expect(buildODataFilter(parseFilter({ assignee: 'unassigned', status: 'Active' }), ctx)).not.toContain('assignedTo');
  });

  it('turns a custom window of whole days into inclusive bounds', () => {
    const odata = buildODataFilter(parseFilter({ window: 'custom', from: '2026-11-01', to: '2026-11-02' }), ctx);
    expect(odata).toContain('lastUpdateTime ge 2026-11-01T00:00:00.000Z');
    expect(odata).toContain('lastUpdateTime le 2026-11-02T23:59:59.999Z');
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
  ])('rejects %j naming %s', (query, field) => {
    expect(() => parseFilter(query)).toThrow(expect.objectContaining({ field }));
  });
});
