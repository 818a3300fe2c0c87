import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import type { FaultEndpoint } from '../src/control/types';
import { DefenderCaller, defenderToken, type ApiResponse } from '../src/testing/defenderTokens';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';

/*
 * Faults name operations, not URLs: the same fault applies to the next such call on either surface, so a
 * test written for the app's Defender client works for its Graph client. Error bodies keep each surface's shape.
 */

let emu: Emulator;
let graph: GraphCaller;
let defender: DefenderCaller;
let id: number;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
  graph = new GraphCaller(emu);
  defender = new DefenderCaller(emu);
  id = itemAt(await emu.control.incidents.list(CONTOSO_ID), 0, 'incidents').incidentId;
});
afterEach(() => emu.control.faults.clear());
afterAll(async () => {
  await graph.close();
  await defender.close();
  await emu.close();
});

type Surface = 'graph' | 'defender';
type Operation = Extract<FaultEndpoint, `incidents.${string}`>;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tokenFor = (surface: Surface) => (surface === 'graph' ? graphToken(emu, 'riley@contoso.example') : defenderToken(emu, 'riley@contoso.example'));

/** Each operation on each surface; a Defender comment is a PATCH whose only property is `comment`. */
const calls: Record<Surface, Record<Operation, (token: string, text?: string) => Promise<ApiResponse>>> = {
  graph: {
    'incidents.list': (t) => graph.list(t, { $top: '3' }),
    'incidents.get': (t) => graph.incident(t, id),
    'incidents.update': (t, text = 'fault test') => graph.patch(t, id, { customTags: [text] }),
    'incidents.comment': (t, text = 'fault test') => graph.comment(t, id, text),
  },
  defender: {
    'incidents.list': (t) => defender.list(t, { $top: '3' }),
    'incidents.get': (t) => defender.get(`/api/incidents/${id}`, t),
    'incidents.update': (t, text = 'fault test') => defender.patch(`/api/incidents/${id}`, t, { tags: [text] }),
    'incidents.comment': (t, text = 'fault test') => defender.patch(`/api/incidents/${id}`, t, { comment: text }),
  },
};

/** Each surface's error shape: Graph's innerError, the Defender API's tracking `target`, and their codes for a 401. */
const SHAPES: Record<Surface, { keys: string[]; unauthorized: string; trackingId: (error: Record<string, unknown>) => unknown }> = {
  graph: { keys: ['code', 'message', 'innerError'], unauthorized: 'InvalidAuthenticationToken', trackingId: (e) => (e.innerError as Record<string, unknown>)['request-id'] },
  defender: { keys: ['code', 'message', 'target'], unauthorized: 'Unauthorized', trackingId: (e) => e.target },
};

/** The error body in the surface's own shape; `code` as Graph names it (401 is Unauthorized on the Defender API). */
function expectShape(surface: Surface, res: ApiResponse, status: number, code: string): { code: string; message: string } {
  expect(res.status).toBe(status);
  const shape = SHAPES[surface];
  const error = (res.json as { error: Record<string, unknown> & { code: string; message: string } }).error;
  expect(Object.keys(error)).toEqual(shape.keys);
  expect(shape.trackingId(error)).toMatch(GUID);
  expect(error.code).toBe(code === 'InvalidAuthenticationToken' ? shape.unauthorized : code);
  return error;
}

const cases = (['graph', 'defender'] as const).flatMap((surface) =>
  (['incidents.list', 'incidents.get', 'incidents.update', 'incidents.comment'] as const).map((op) => [surface, op] as const),
);

describe.each(cases)('faults on %s %s', (surface, endpoint) => {
  const call = (token: string, text?: string) => calls[surface][endpoint](token, text);

  it('429 with Retry-After, then back to normal', async () => {
    const token = await tokenFor(surface);
    await emu.control.faults.add({ endpoint, kind: '429', retryAfter: 7 });
    const res = await call(token);
    expectShape(surface, res, 429, 'TooManyRequests');
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await call(token)).status).toBe(200);
  });

  it('429-body: no Retry-After header, the wait only in the message', async () => {
    const token = await tokenFor(surface);
    await emu.control.faults.add({ endpoint, kind: '429-body', retryAfter: 8 });
    const res = await call(token);
    const error = expectShape(surface, res, 429, 'TooManyRequests');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(error.message).toBe('API calls quota exceeded! You can send requests again in 8 seconds.');
    expect(Object.keys(res.json as object)).toEqual(['error']);
  });

  it('500, 503 with Retry-After, and 401 even with a valid token', async () => {
    const token = await tokenFor(surface);
    await emu.control.faults.add([
      { endpoint, kind: '500' },
      { endpoint, kind: '503', retryAfter: 3 },
      { endpoint, kind: '401' },
    ]);
    expectShape(surface, await call(token), 500, 'InternalServerError');
    const unavailable = await call(token);
    expectShape(surface, unavailable, 503, 'ServiceUnavailable');
    expect(unavailable.headers.get('retry-after')).toBe('3');
    expectShape(surface, await call(token), 401, 'InvalidAuthenticationToken');
    expect((await call(token)).status).toBe(200);
  });

  it('delay, then the normal answer', async () => {
    const token = await tokenFor(surface);
    await emu.control.faults.add({ endpoint, kind: 'delay', delayMs: 250 });
    const started = Date.now();
    const res = await call(token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(res.status).toBe(200);
    expect(res.json).toBeDefined();
  });

  it('truncated: 200 with the real body cut in half; non-json: 200 with an HTML page', async () => {
    const token = await tokenFor(surface);
    await emu.control.faults.add({ endpoint, kind: 'truncated' });
    const cut = await call(token, 'same text');
    expect(cut.status).toBe(200);
    expect(cut.json).toBeUndefined();
    expect(cut.text.startsWith('{"@odata.context":')).toBe(true);
    await emu.control.faults.add({ endpoint, kind: 'non-json' });
    const html = await call(token);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('no-content: the call is carried out (a change is stored) but answered 204 with an empty body', async () => {
    const token = await tokenFor(surface);
    const text = `no-content ${surface} ${endpoint} ${Date.now()}`;
    await emu.control.faults.add({ endpoint, kind: 'no-content' });
    const res = await call(token, text);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
    const stored = (await emu.control.incidents.get(CONTOSO_ID, id))!;
    const changes = endpoint === 'incidents.update' || endpoint === 'incidents.comment';
    expect({ endpoint, tagged: stored.tags.includes(text) }).toEqual({ endpoint, tagged: endpoint === 'incidents.update' });
    expect({ endpoint, commented: stored.comments.at(-1)?.comment === text }).toEqual({ endpoint, commented: endpoint === 'incidents.comment' });
    expect({ endpoint, changed: stored.tags.includes(text) || stored.comments.some((c) => c.comment === text) }).toEqual({ endpoint, changed: changes });
    expect((await call(token)).status).toBe(200);
  });
});

describe('odd-item: one incident of a list that does not fit the documented shape', () => {
  it.each(['graph', 'defender'] as const)('on the %s surface, spoils the first item only, and leaves the rest as they are', async (surface) => {
    const token = await tokenFor(surface);
    const clean = (await calls[surface]['incidents.list'](token)).json as { value: Record<string, unknown>[] };
    await emu.control.faults.add({ endpoint: 'incidents.list', kind: 'odd-item' });
    const odd = await calls[surface]['incidents.list'](token);
    expect(odd.status).toBe(200);
    const items = (odd.json as { value: Record<string, unknown>[] }).value;
    expect(items).toHaveLength(clean.value.length);
    const first = items[0] as Record<string, unknown>;
    expect({ hasId: Object.hasOwn(first, 'id'), incidentId: first.incidentId }).toEqual({ hasId: false, incidentId: surface === 'graph' ? undefined : 'not-a-number' });
    expect(items.slice(1)).toEqual(clean.value.slice(1));
  });
});

describe('fault behaviour across surfaces', () => {
  it('a fault is taken by the next call of its operation, whichever surface it reaches', async () => {
    const g = await graphToken(emu, 'riley@contoso.example');
    const d = await defenderToken(emu, 'riley@contoso.example');
    await emu.control.faults.add({ endpoint: 'incidents.get', kind: '500', count: 2 });
    expect((await calls.graph['incidents.list'](g)).status).toBe(200);
    expect((await calls.defender['incidents.get'](d)).status).toBe(500);
    expect((await calls.graph['incidents.get'](g)).status).toBe(500);
    expect((await calls.graph['incidents.get'](g)).status).toBe(200);
    expect(await emu.control.faults.list()).toEqual([]);
  });

  it('on the Defender API, only a PATCH that just comments is a comment; one that also changes fields is an update', async () => {
    const d = await defenderToken(emu, 'riley@contoso.example');
    await emu.control.faults.add({ endpoint: 'incidents.comment', kind: '503' });
    expect((await defender.patch(`/api/incidents/${id}`, d, { comment: 'x', status: 'Active' })).status).toBe(200);
    expect((await defender.patch(`/api/incidents/${id}`, d, { comment: 'x' })).status).toBe(503);
    await emu.control.faults.add({ endpoint: 'incidents.update', kind: '503' });
    expect((await defender.patch(`/api/incidents/${id}`, d, { comment: 'y' })).status).toBe(200);
    expect((await defender.patch(`/api/incidents/${id}`, d, { status: 'Active' })).status).toBe(503);
  });

  it('comes before authentication, so it works without a token', async () => {
    await emu.control.faults.add({ endpoint: 'incidents.list', kind: '503', retryAfter: 2 });
    expect((await graph.list('')).status).toBe(503);
  });

  it('429-body and no-content are for the incidents operations only', async () => {
    for (const kind of ['429-body', 'no-content'] as const) {
      await expect(emu.control.faults.add({ endpoint: 'token', kind })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/incidents\.\* endpoints only/) });
    }
    expect(await emu.control.faults.list()).toEqual([]);
  });
});

describe('Graph quota: per tenant, 150 requests a minute by default, on the emulator clock', () => {
  let q: Emulator;
  let qApi: GraphCaller;
  beforeAll(async () => {
    q = await startEmulator();
    qApi = new GraphCaller(q);
  });
  beforeEach(() => q.control.quotas.reset());
  afterAll(async () => {
    await qApi.close();
    await q.close();
  });

  it('defaults to 150 a minute for every Graph call together; the 151st gets 429 with Retry-After', async () => {
    expect((await q.control.quotas.get()).graph).toBe(150);
    const riley = await graphToken(q, 'riley@contoso.example');
    const alex = await graphToken(q, 'alex@contoso.example');
    const target = itemAt(await q.control.incidents.visibleIds('alex@contoso.example'), 0, "alex's incidents");
    for (let i = 0; i < 150; i++) {
      const res = i % 3 === 0 ? await qApi.list(riley, { $top: '1' }) : i % 3 === 1 ? await qApi.incident(alex, target) : await qApi.patch(riley, target, { customTags: [`n${i}`] });
      expect(res.status).toBe(200);
    }
    const refused = await qApi.list(alex, { $top: '1' });
    expect(refused.status).toBe(429);
    expect((refused.json as GraphErrorBody).error.code).toBe('TooManyRequests');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another tenant has its own budget; the Defender API its own quotas.
    expect((await qApi.list(await graphToken(q, 'jordan@fabrikam.example'), { $top: '1' })).status).toBe(200);
    const defenderApi = new DefenderCaller(q);
    expect((await defenderApi.list(await defenderToken(q, 'riley@contoso.example'), { $top: '1' })).status).toBe(200);
    await defenderApi.close();
    // Once the clock passes the window, calls go through again.
    await q.control.clock.advance(61_000);
    expect((await qApi.list(await graphToken(q, 'riley@contoso.example'), { $top: '1' })).status).toBe(200);
  });

  it('reads the configured size live; refused (401/403) and faulted calls do not count', async () => {
    expect(await q.control.quotas.set({ graph: 3 })).toMatchObject({ graph: 3 });
    try {
      const riley = await graphToken(q, 'riley@contoso.example');
      for (let i = 0; i < 3; i++) expect((await qApi.list('garbage')).status).toBe(401);
      expect((await qApi.list(await graphToken(q, 'pat@contoso.example'))).status).toBe(403);
      await q.control.faults.add({ endpoint: 'incidents.list', kind: '500', count: 2 });
      for (let i = 0; i < 2; i++) expect((await qApi.list(riley)).status).toBe(500);
      for (let i = 0; i < 3; i++) expect((await qApi.list(riley, { $top: '1' })).status).toBe(200);
      const throttled = await qApi.list(riley, { $top: '1' });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
      await q.control.clock.advance(30_000);
      expect((await qApi.list(riley, { $top: '1' })).status).toBe(429);
      await q.control.clock.advance(30_000);
      expect((await qApi.list(riley, { $top: '1' })).status).toBe(200);
    } finally {
      await q.control.quotas.set({ graph: 150 });
    }
  });
});

describe('the request log', () => {
  it('records Graph requests beside Defender ones, saying which API, with the Prefer header', async () => {
    const mark = await emu.control.stats.mark();
    const g = await graphToken(emu, 'alex@contoso.example');
    await graph.list(g, { $top: '2', $filter: "status eq 'active'" }, { prefer: 'include-unknown-enum-members' });
    await graph.incident('garbage', id);
    await defender.list(await defenderToken(emu, 'alex@contoso.example'), { $top: '1' });
    expect(await emu.control.stats.requests(mark)).toEqual([
      {
        api: 'graph',
        method: 'GET',
        path: '/v1.0/security/incidents',
        query: { $top: '2', $filter: "status eq 'active'" },
        prefer: 'include-unknown-enum-members',
        upn: 'alex@contoso.example',
        status: 200,
      },
      { api: 'graph', method: 'GET', path: `/v1.0/security/incidents/${id}`, query: {}, status: 401 },
      { api: 'defender', method: 'GET', path: '/api/incidents', query: { $top: '1' }, upn: 'alex@contoso.example', status: 200 },
    ]);
  });
});
