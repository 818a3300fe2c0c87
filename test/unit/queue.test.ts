import { decodeCursor, encodeCursor, readQueue, sortRows, type ListPages } from '../../src/incidents/queue';
import { DEFAULT_FILTER, parseFilter, type QueueFilter } from '../../src/incidents/queueFilter';
import { defenderFilter } from '../../src/incidents/sources/defender';
import { graphFilter } from '../../src/incidents/sources/graph';
import type { Incident } from '../../src/incidents/model';
import { incident } from '../helpers/incidents';

const ts = (n: number) => new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString().replace('Z', '0000Z');
const ctx = { upn: 'alex@contoso.example', now: Date.UTC(2026, 10, 24) };

/** A fake list endpoint: the given order, fixed server page size, continuation by an opaque link. */
function fakeApi(ordered: Incident[], pageSize: number): { list: ListPages; calls: (string | undefined)[] } {
  const calls: (string | undefined)[] = [];
  const list: ListPages = async (continuation) => {
    calls.push(continuation);
    const at = continuation ? Number(new URL(continuation).searchParams.get('$skiptoken')) : 0;
    const incidents = ordered.slice(at, at + pageSize);
    const next = at + pageSize < ordered.length ? `https://graph.example/v1.0/security/incidents?$skiptoken=${at + pageSize}` : undefined;
    return { incidents, skipped: 0, next, total: ordered.length };
  };
  return { list, calls };
}

async function readAll(list: ListPages, filter: QueueFilter, pageSize: number, budget = 3): Promise<{ ids: string[]; views: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let views = 0;
  do {
    const batch = await readQueue(list, filter, ctx, cursor, { pageSize, budget });
    ids.push(...batch.rows.map((r) => r.id));
    cursor = batch.next;
    views++;
  } while (cursor && views < 1000);
  return { ids, views };
}

/** A deterministic shuffle, so an order the app must not rely on is the same in every run. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const ORDERS: [string, (all: Incident[]) => Incident[]][] = [
  ['newest update first', (all) => [...all].sort((a, b) => b.lastUpdateAt.localeCompare(a.lastUpdateAt))],
  ['oldest created first', (all) => [...all].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))],
  ['shuffled', (all) => shuffled(all)],
];

describe('reading the queue without assuming an order', () => {
  const all = Array.from({ length: 500 }, (_, i) => incident(i + 1, ts(i % 97), { createdAt: ts(500 - i), customTags: i % 7 === 0 ? ['VIP'] : [] }));

  it.each(ORDERS)('shows every incident exactly once across views when the API serves them %s, 20 a page', async (_name, order) => {
    const { list } = fakeApi(order(all), 20);
    const { ids } = await readAll(list, DEFAULT_FILTER, 50);
    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);
  });

  it('does not take a short page for the end of the list: only a missing continuation ends it', async () => {
    const { list, calls } = fakeApi(all, 20);
    const { ids } = await readAll(list, { ...DEFAULT_FILTER, tag: 'VIP' }, 25, 50);
    expect(ids.sort((a, b) => Number(a) - Number(b))).toEqual(all.filter((i) => i.customTags.includes('VIP')).map((i) => i.id));
    expect(calls).toHaveLength(25);
  });

  it('stops at the call budget, says so, and continues exactly where it stopped', async () => {
    const rare = all.map((i, n) => ({ ...i, customTags: n >= 490 ? ['rare'] : [] }));
    const { list, calls } = fakeApi(rare, 20);
    const filter = { ...DEFAULT_FILTER, tag: 'rare' };
    const first = await readQueue(list, filter, ctx, undefined, { pageSize: 25, budget: 2 });
    expect(first.partial).toBe(true);
    expect(first.rows).toHaveLength(0);
    expect(first.calls).toBe(2);
    expect(first.examined).toBe(40);
    expect(first.total).toBe(500);
    expect(first.next).toBeDefined();
    expect(calls).toHaveLength(2);
    const { ids } = await readAll(list, filter, 25, 2);
    expect(ids).toHaveLength(10);
  });

  it('keeps hidden severities out of the rows but in the counts, and counts merged incidents apart', async () => {
    const rows = [
      incident(1, ts(1), { severity: 'informational' }),
      incident(2, ts(2), { severity: 'high' }),
      incident(3, ts(3), { severity: 'low', status: 'redirected', redirectIncidentId: '2' }),
    ];
    const batch = await readQueue(fakeApi(rows, 10).list, { ...DEFAULT_FILTER, status: ['active', 'redirected'] }, ctx, undefined, { pageSize: 10, budget: 1 });
    expect(batch.rows.map((r) => r.id)).toEqual(['3', '2']);
    expect(batch.counts.bySeverity.informational).toBe(1);
    expect(batch.counts.bySeverity.high).toBe(1);
    expect(batch.counts.bySeverity.low).toBe(0);
    expect(batch.counts.merged).toBe(1);
    expect(batch.next).toBeUndefined();
  });

  it('shows an incident whose status ThreatDesk does not know, rather than hiding it', async () => {
    const batch = await readQueue(fakeApi([incident(1, ts(1), { status: 'somethingNew' })], 10).list, DEFAULT_FILTER, ctx, undefined, { pageSize: 10, budget: 1 });
    expect(batch.rows.map((r) => r.status)).toEqual(['somethingNew']);
  });

  it('sorts what it read, ties by id, so the order is the same on every load', () => {
    const rows = [incident(1, ts(3), { severity: 'low', createdAt: ts(1) }), incident(2, ts(2), { severity: 'high', createdAt: ts(2) }), incident(3, ts(2), { severity: 'high', createdAt: ts(2) })];
    expect(sortRows(rows, 'severity').map((r) => r.id)).toEqual(['2', '3', '1']);
    expect(sortRows(rows, 'created').map((r) => r.id)).toEqual(['2', '3', '1']);
    expect(sortRows(rows, 'updated').map((r) => r.id)).toEqual(['1', '2', '3']);
  });
});

describe('cursor', () => {
  it('round-trips an API continuation and refuses anything else', () => {
    const link = 'https://graph.microsoft.com/v1.0/security/incidents?$skiptoken=abc';
    expect(decodeCursor(encodeCursor(link))).toBe(link);
    expect(decodeCursor(encodeCursor('skip:300'))).toBe('skip:300');
    expect(decodeCursor(encodeCursor('javascript:alert(1)'))).toBeUndefined();
    expect(decodeCursor(encodeCursor('http://evil.example/x'))).toBeUndefined();
    expect(decodeCursor('not base64 json!')).toBeUndefined();
  });
});

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
  ])('rejects %j naming %s', (query, field) => {
    expect(() => parseFilter(query)).toThrow(expect.objectContaining({ field }));
  });
});
