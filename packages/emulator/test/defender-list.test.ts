import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import type { Incident, IncidentSummary } from '../src/defender';
import { DefenderCaller, defenderToken, type ErrorBody } from '../src/testing/defenderTokens';

interface Envelope {
  '@odata.context': string;
  value: Incident[];
}

let emu: Emulator;
let api: DefenderCaller;
let riley: string;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { list: 100_000 } });
  api = new DefenderCaller(emu);
  riley = await defenderToken(emu, 'riley@contoso.example');
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

/** The tenant's incidents as stored, in listing order (read afresh: a test below changes one). */
const all = (): Promise<IncidentSummary[]> => emu.control.incidents.list(CONTOSO_ID);
const ids = (incidents: { incidentId: number }[]) => incidents.map((i) => i.incidentId);
/** The status as this API shows it: the store's AwaitingAction (Graph's awaitingAction) reads Active here. */
const shown = (status: string) => (status === 'AwaitingAction' ? 'Active' : status);

/** Every incident the token's user sees, page by page. */
async function listAll(token: string, filter?: string, top = 100): Promise<Incident[]> {
  const out: Incident[] = [];
  for (let skip = 0; ; skip += top) {
    const query: Record<string, string> = { $top: String(top), $skip: String(skip) };
    if (filter) query.$filter = filter;
    const res = await api.list<Envelope>(token, query);
    expect(res.status).toBe(200);
    out.push(...res.json.value);
    if (res.json.value.length < top) return out;
  }
}

async function expectODataError(query: Record<string, string> | string, message: RegExp): Promise<void> {
  const res = typeof query === 'string' ? await api.get(`/api/incidents?${query}`, riley) : await api.list(riley, query);
  expect(res.status).toBe(400);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe('ODataError');
  expect(body.error.message).toMatch(message);
}

function groupsOf(incident: Incident): Set<string> {
  return new Set(incident.alerts.flatMap((a) => a.devices.map((d) => d.rbacGroupName)));
}

describe('GET /api/incidents: envelope, ordering and paging', () => {
  it('returns the documented envelope with at most 100 incidents by default and no nextLink', async () => {
    const res = await api.list<Envelope>(riley);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['@odata.context', 'value']);
    expect(res.json['@odata.context']).toBe('https://api.security.microsoft.com/api/$metadata#Incidents');
    expect(res.json.value).toHaveLength(100);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    expect(res.headers.get('odata-version')).toBe('4.0');
  });

  it('lists in the listing order, by default a seeded shuffle: the store’s order, stable across requests, no sort by time', async () => {
    expect(await emu.control.incidents.listing()).toEqual({ order: 'shuffled', pageSize: null });
    const listed = await listAll(riley);
    expect(ids(listed)).toEqual(ids(await all()));
    expect(ids(await listAll(riley, undefined, 13))).toEqual(ids(listed));
    const newestFirst = [...listed].sort((a, b) => (a.lastUpdateTime < b.lastUpdateTime ? 1 : -1));
    const oldestFirst = [...newestFirst].reverse();
    const byCreation = [...listed].sort((a, b) => (a.createdTime < b.createdTime ? 1 : -1));
    for (const sorted of [newestFirst, oldestFirst, byCreation]) expect(ids(listed)).not.toEqual(ids(sorted));
  });

  it('orders newest update first (ties by the higher id) or newest created first when set', async () => {
    try {
      expect(await emu.control.incidents.setListing({ order: 'lastUpdated' })).toEqual({ order: 'lastUpdated', pageSize: null });
      const byUpdate = await listAll(riley);
      expect(ids(byUpdate)).toEqual(ids(await all()));
      for (let i = 1; i < byUpdate.length; i++) {
        const [a, b] = [itemAt(byUpdate, i - 1), itemAt(byUpdate, i)];
        expect(a.lastUpdateTime > b.lastUpdateTime || (a.lastUpdateTime === b.lastUpdateTime && a.incidentId > b.incidentId)).toBe(true);
      }
      await emu.control.incidents.setListing({ order: 'created' });
      const byCreation = await listAll(riley);
      expect(ids(byCreation)).toEqual(ids(await all()));
      for (let i = 1; i < byCreation.length; i++) expect(itemAt(byCreation, i - 1).createdTime > itemAt(byCreation, i).createdTime).toBe(true);
      expect(new Set(ids(byCreation))).toEqual(new Set(ids(byUpdate)));
    } finally {
      await emu.control.incidents.setListing({ order: 'shuffled' });
    }
  });

  it('caps pages at the page-size setting (default 100), with or without $top, and pages by $skip without nextLink', async () => {
    try {
      await emu.control.incidents.setListing({ pageSize: 20 });
      const first = await api.list<Envelope>(riley);
      expect(first.json.value).toHaveLength(20);
      expect(Object.keys(first.json)).toEqual(['@odata.context', 'value']);
      expect((await api.list<Envelope>(riley, { $top: '100' })).json.value).toHaveLength(20);
      expect((await api.list<Envelope>(riley, { $top: '7' })).json.value).toHaveLength(7);
      const pages: Incident[] = [];
      for (let skip = 0; ; skip += 20) {
        const page = (await api.list<Envelope>(riley, { $top: '100', $skip: String(skip) })).json;
        expect(page['@odata.nextLink' as keyof Envelope]).toBeUndefined();
        pages.push(...page.value);
        if (page.value.length === 0) break;
        expect(page.value.length).toBeLessThanOrEqual(20);
      }
      expect(ids(pages)).toEqual(ids(await all()));
    } finally {
      await emu.control.incidents.setListing({ pageSize: null });
    }
    expect((await api.list<Envelope>(riley)).json.value).toHaveLength(100);
  });

  it('pages with $top and $skip without gaps or repeats', async () => {
    const pages = await listAll(riley, undefined, 7);
    const stored = await all();
    expect(ids(pages)).toEqual(ids(stored));
    expect(new Set(ids(pages)).size).toBe(stored.length);
    const beyond = await api.list<Envelope>(riley, { $skip: String(stored.length) });
    expect(beyond.json.value).toEqual([]);
  });
});

describe('GET /api/incidents: who sees what', () => {
  const visible = async (upn: string) => new Set(await emu.control.incidents.visibleIds(upn));

  it('alex (Servers, Workstations) and sam (Workstations) see different queues; sam’s is inside alex’s', async () => {
    const alex = await listAll(await defenderToken(emu, 'alex@contoso.example'));
    const sam = await listAll(await defenderToken(emu, 'sam@contoso.example'));
    expect(new Set(ids(alex))).toEqual(await visible('alex@contoso.example'));
    expect(new Set(ids(sam))).toEqual(await visible('sam@contoso.example'));
    const alexIds = new Set(ids(alex));
    expect(ids(sam).every((id) => alexIds.has(id))).toBe(true);
    expect(alex.length - sam.length).toBeGreaterThanOrEqual(10);
    for (const i of alex) expect([...groupsOf(i)].some((g) => g === 'Servers' || g === 'Workstations')).toBe(true);
    for (const i of sam) expect(groupsOf(i).has('Workstations')).toBe(true);
    expect(alex.some((i) => groupsOf(i).has('Servers') && !groupsOf(i).has('Workstations'))).toBe(true);
  });

  it('riley (all device groups) sees every incident, including those without devices', async () => {
    const listed = await listAll(riley);
    expect(listed).toHaveLength(await emu.control.incidents.count(CONTOSO_ID));
    expect(listed.some((i) => groupsOf(i).size === 0)).toBe(true);
  });

  it('an analyst added later sees exactly the incidents of their groups', async () => {
    const user = await emu.control.users.add({ upn: 'kiosk.lab@contoso.example', defender: { role: 'analyst', deviceGroups: ['Kiosks', 'Lab'] } });
    const listed = await listAll(await defenderToken(emu, user.upn));
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(ids(listed))).toEqual(await visible(user.upn));
    for (const i of listed) expect(groupsOf(i).has('Kiosks') || groupsOf(i).has('Lab')).toBe(true);
  });

  it('each tenant has its own incidents', async () => {
    const jordan = await listAll(await defenderToken(emu, 'jordan@fabrikam.example'));
    expect(jordan.length).toBeGreaterThan(0);
    for (const i of jordan) expect(i.incidentUri).toBe(`https://security.microsoft.com/incidents/${i.incidentId}?tid=${FABRIKAM_ID}`);
    expect(await emu.control.incidents.count(FABRIKAM_ID)).toBe(300);
  });
});

describe('GET /api/incidents: $filter', () => {
  const pivot = async () => {
    const stored = await all();
    return itemAt(stored, Math.floor(stored.length / 3), 'stored incidents');
  };
  const expectFilter = async (filter: string, predicate: (i: IncidentSummary) => boolean) => {
    const expected = ids((await all()).filter(predicate));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(await listAll(riley, filter))).toEqual(expected);
  };

  it.each(['ge', 'gt', 'le', 'lt'] as const)('lastUpdateTime and createdTime with %s', async (op) => {
    const cmp = (a: string, b: string) => (op === 'ge' ? a >= b : op === 'gt' ? a > b : op === 'le' ? a <= b : a < b);
    const p = await pivot();
    await expectFilter(`lastUpdateTime ${op} ${p.lastUpdateTime}`, (i) => cmp(i.lastUpdateTime, p.lastUpdateTime));
    await expectFilter(`createdTime ${op} ${p.createdTime}`, (i) => cmp(i.createdTime, p.createdTime));
  });

  it('accepts the documented form with + for spaces, fewer fraction digits and offsets', async () => {
    const p = await pivot();
    const res = await api.get<Envelope>(`/api/incidents?$filter=lastUpdateTime+ge+${p.lastUpdateTime}`, riley);
    expect(res.status).toBe(200);
    expect(res.json.value.every((i) => i.lastUpdateTime >= p.lastUpdateTime)).toBe(true);
    const whole = p.createdTime.slice(0, 19); // no fraction: the pivot itself is after it
    await expectFilter(`createdTime gt ${whole}Z`, (i) => i.createdTime > `${whole}.0000000Z`);
    const shifted = new Date(Date.parse(`${whole}Z`) + 2 * 3600_000).toISOString().slice(0, 19);
    await expectFilter(`createdTime gt ${shifted}+02:00`, (i) => i.createdTime > `${whole}.0000000Z`);
  });

  it.each(['Active', 'InProgress', 'Resolved', 'Redirected'])("status eq '%s'", async (status) => {
    await expectFilter(`status eq '${status}'`, (i) => shown(i.status) === status);
  });

  it("shows the store's AwaitingAction incidents (Graph's awaitingAction) as Active, and filters them as Active", async () => {
    const awaiting = (await all()).filter((i) => i.status === 'AwaitingAction');
    expect(awaiting.length).toBeGreaterThan(0);
    const res = await api.get<Incident>(`/api/incidents/${itemAt(awaiting, 0).incidentId}`, riley);
    expect(res.json.status).toBe('Active');
    const active = new Set(ids(await listAll(riley, "status eq 'Active'")));
    for (const i of awaiting) expect(active.has(i.incidentId)).toBe(true);
  });

  it('assignedTo eq, case-insensitively for addresses, and assignedTo eq null for unassigned', async () => {
    await expectFilter("assignedTo eq 'alex@contoso.example'", (i) => i.assignedTo === 'alex@contoso.example');
    await expectFilter("assignedTo eq 'Alex@Contoso.example'", (i) => i.assignedTo === 'alex@contoso.example');
    await expectFilter("assignedTo eq 'Automation'", (i) => i.assignedTo === 'Automation');
    await expectFilter('assignedTo eq null', (i) => i.assignedTo === undefined);
  });

  it('joins with and/or, with and binding tighter, and parentheses', async () => {
    const p = await pivot();
    await expectFilter(
      `(status eq 'Active' or status eq 'InProgress') and lastUpdateTime ge ${p.lastUpdateTime}`,
      (i) => (shown(i.status) === 'Active' || i.status === 'InProgress') && i.lastUpdateTime >= p.lastUpdateTime,
    );
    await expectFilter(
      "status eq 'Active' or status eq 'Resolved' and assignedTo eq 'riley@contoso.example'",
      (i) => shown(i.status) === 'Active' || (i.status === 'Resolved' && i.assignedTo === 'riley@contoso.example'),
    );
    await expectFilter(
      `((createdTime ge ${p.createdTime}) and (createdTime lt ${p.lastUpdateTime} or assignedTo eq null))`,
      (i) => i.createdTime >= p.createdTime && (i.createdTime < p.lastUpdateTime || i.assignedTo === undefined),
    );
  });

  it("matches a quote written as '' inside a string", async () => {
    const id = (await all()).at(-1)!.incidentId;
    const patched = await api.patch(`/api/incidents/${id}`, riley, { assignedTo: "o'brien@contoso.example" });
    expect(patched.status).toBe(200);
    const res = await api.list<Envelope>(riley, { $filter: "assignedTo eq 'o''brien@contoso.example'" });
    expect(ids(res.json.value)).toEqual([id]);
  });

  it('applies the filter to what the user may see only', async () => {
    const visible = new Set(await emu.control.incidents.visibleIds('sam@contoso.example'));
    const listed = await listAll(await defenderToken(emu, 'sam@contoso.example'), "status eq 'Active'");
    expect(ids(listed)).toEqual(ids((await all()).filter((i) => visible.has(i.incidentId) && shown(i.status) === 'Active')));
  });

  it('records the exact $filter received', async () => {
    const filter = "status eq 'Active' and lastUpdateTime gt 2026-01-01T00:00:00Z";
    await api.list(riley, { $filter: filter, $top: '5' });
    const last = (await emu.control.stats.requests()).at(-1);
    expect(last?.query).toEqual({ $filter: filter, $top: '5' });
  });
});

describe('GET /api/incidents: what is refused (400 ODataError naming the problem)', () => {
  it.each([
    ["severity eq 'High'", /property 'severity' is not supported in \$filter/],
    ["Status eq 'Active'", /property 'Status'.*did you mean 'status'/],
    ["alerts/any(a: a/serviceSource eq 'x')", /'alerts\/any'/],
    ["status ne 'Active'", /operator 'ne' is not supported for 'status'/],
    ["assignedTo gt 'a'", /operator 'gt' is not supported for 'assignedTo'/],
    ['lastUpdateTime eq 2026-06-03T18:04:29Z', /operator 'eq' is not supported for 'lastUpdateTime'.*ge, gt, le or lt/],
    ['createdTime ne 2026-06-03T18:04:29Z', /operator 'ne' is not supported for 'createdTime'/],
    ['lastUpdateTime equals 2026-06-03T18:04:29Z', /Unknown operator 'equals'/],
    ["contains(assignedTo, 'alex')", /function 'contains' is not supported/],
    ["not status eq 'Active'", /operator 'not' is not supported/],
    ['lastUpdateTime ge 2026-13-01T00:00:00Z', /'2026-13-01T00:00:00Z' is not a valid DateTimeOffset/],
    ['lastUpdateTime ge 2026-06-03', /'2026-06-03' is not a valid DateTimeOffset/],
    ["lastUpdateTime ge '2026-06-03T18:04:29Z'", /unquoted DateTimeOffset literal/],
    ["status eq 'Open'", /'Open' is not a valid value for 'status'/],
    ['status eq Active', /single-quoted string/],
    ["assignedTo eq 'alex", /Unterminated string/],
    ["(status eq 'Active'", /missing '\)'/],
    ["status eq 'Active')", /unexpected '\)'/],
    ["status eq 'Active' AND status eq 'Resolved'", /unexpected 'AND'.*lower-case/],
    ["status eq 'Active' and", /ends where a comparison was expected/],
    ['status', /expected an operator after 'status'/],
    ['status eq', /expected a value after 'status eq'/],
    ['   ', /\$filter query option is empty/],
  ])('$filter=%s', async (filter, message) => {
    await expectODataError({ $filter: filter }, message);
  });

  it.each([
    [{ $top: '101' }, /'101' for \$top: the maximum page size is 100/],
    [{ $top: '0' }, /'0' for \$top: it must be an integer from 1 to 100/],
    [{ $top: '-1' }, /'-1' for \$top/],
    [{ $top: 'ten' }, /'ten' for \$top/],
    [{ $top: '1.5' }, /'1.5' for \$top/],
    [{ $skip: '-1' }, /'-1' for \$skip: it must be an integer of at least 0/],
    [{ $skip: 'x' }, /'x' for \$skip/],
    [{ $orderby: 'createdTime desc' }, /query option '\$orderby' is not supported.*The API chooses the order/],
    [{ $expand: 'alerts' }, /query option '\$expand' is not supported/],
    [{ $count: 'true' }, /query option '\$count' is not supported/],
    [{ $select: 'incidentId' }, /query option '\$select' is not supported/],
    [{ $search: 'phish' }, /query option '\$search' is not supported/],
  ])('%j', async (query, message) => {
    await expectODataError(query, message);
  });

  it('refuses a query option given twice', async () => {
    await expectODataError('$top=5&$top=6', /'\$top' was specified more than once/);
  });

  it('ignores custom (non-$) query options', async () => {
    expect((await api.list(riley, { $top: '1', 'client-request-id': 'abc' })).status).toBe(200);
  });
});
