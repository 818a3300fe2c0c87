import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt, lastItem } from '../src/lists';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';
import { allPages, idsOf, type GraphIncident, type GraphPage } from './helpers/graph';

const PREFER = { prefer: 'include-unknown-enum-members' };
const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#security/incidents';

let emu: Emulator;
let api: GraphCaller;
let riley: string;
/** Every incident of Contoso as Graph shows it with the Prefer header, in listing order. */
let everything: GraphIncident[];

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 100_000 } });
  api = new GraphCaller(emu);
  riley = await graphToken(emu, 'riley@contoso.example');
  everything = (await allPages(api, riley, {}, PREFER)).flatMap((p) => p.value);
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

const ids = (incidents: { id: string }[]) => incidents.map((i) => i.id);

async function expectBadRequest(query: Record<string, string>, message: RegExp, headers?: Record<string, string>): Promise<void> {
  const res = await api.list<GraphErrorBody>(riley, query, headers);
  expect(res.status).toBe(400);
  expect(res.json.error.code).toBe('BadRequest');
  expect(res.json.error.message).toMatch(message);
}

describe('GET /v1.0/security/incidents: envelope and pages', () => {
  it('answers the OData envelope: 50 incidents by default, an absolute nextLink on the emulator, no count unless asked', async () => {
    const res = await api.list<GraphPage>(riley);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(res.json)).toEqual(['@odata.context', 'value', '@odata.nextLink']);
    expect(res.json['@odata.context']).toBe(CONTEXT);
    expect(res.json.value).toHaveLength(50);
    const next = new URL(res.json['@odata.nextLink'] as string);
    expect(next.origin).toBe(emu.urls.graphBase);
    expect(next.pathname).toBe('/v1.0/security/incidents');
    expect(next.searchParams.get('$skiptoken')).toMatch(/\S+/);
    expect(everything).toHaveLength(300);
  });

  it('never carries alerts on a list unless $expand=alerts', async () => {
    const plain = await api.list<GraphPage>(riley, { $top: '5' });
    for (const i of plain.json.value) expect(i).not.toHaveProperty('alerts');
    const expanded = await api.list<GraphPage>(riley, { $top: '3', $expand: 'alerts' });
    expect(expanded.status).toBe(200);
    for (const i of expanded.json.value) expect(i.alerts?.length).toBeGreaterThan(0);
    expect(new URL(expanded.json['@odata.nextLink'] as string).searchParams.get('$expand')).toBe('alerts');
  });

  it('refuses $top above 50 with the observed body: empty code, the exact message, innerError with the request ids', async () => {
    const res = await api.list<GraphErrorBody>(riley, { $top: '100' }, { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json)).toEqual(['error']);
    expect(Object.keys(res.json.error)).toEqual(['code', 'message', 'innerError']);
    expect(res.json.error.code).toBe('');
    expect(res.json.error.message).toBe("The limit of '50' for Top query has been exceeded. The value from the incoming request is '100'.");
    expect(Object.keys(res.json.error.innerError)).toEqual(['date', 'request-id', 'client-request-id']);
    expect(res.json.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(res.json.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(res.json.error.innerError['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000001');
    expect(res.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
    const fiftyOne = await api.list<GraphErrorBody>(riley, { $top: '51' });
    expect(fiftyOne.json.error.message).toBe("The limit of '50' for Top query has been exceeded. The value from the incoming request is '51'.");
    expect((await api.list<GraphPage>(riley, { $top: '50' })).json.value).toHaveLength(50);
  });

  it('$count=true adds @odata.count: the matches of the filter, on every page, not the page size', async () => {
    const filter = "status eq 'active' or status eq 'inProgress'";
    const pages = await allPages(api, riley, { $filter: filter, $count: 'true', $top: '20' });
    const matching = everything.filter((i) => i.status === 'active' || i.status === 'inProgress');
    expect(matching.length).toBeGreaterThan(40);
    for (const p of pages) expect(p['@odata.count']).toBe(matching.length);
    expect(Object.keys(itemAt(pages, 0, 'pages'))).toEqual(['@odata.context', '@odata.count', 'value', '@odata.nextLink']);
    expect(idsOf(pages)).toEqual(ids(matching));
    expect((await api.list<GraphPage>(riley, { $count: 'false' })).json['@odata.count']).toBeUndefined();
  });

  it('$top and $skip pick a window of the listing; the nextLink carries on after it and keeps the options', async () => {
    const res = await api.list<GraphPage>(riley, { $top: '7', $skip: '10', $filter: "severity eq 'high' or severity eq 'medium'" });
    const matching = everything.filter((i) => i.severity === 'high' || i.severity === 'medium');
    expect(ids(res.json.value)).toEqual(ids(matching.slice(10, 17)));
    const next = new URL(res.json['@odata.nextLink'] as string);
    expect(next.searchParams.get('$top')).toBe('7');
    expect(next.searchParams.get('$filter')).toBe("severity eq 'high' or severity eq 'medium'");
    expect(next.searchParams.has('$skip')).toBe(false);
    const second = await api.get<GraphPage>(res.json['@odata.nextLink'] as string, riley);
    expect(ids(second.json.value)).toEqual(ids(matching.slice(17, 24)));
    const beyond = await api.list<GraphPage>(riley, { $skip: '300' });
    expect(beyond.json.value).toEqual([]);
    expect(beyond.json['@odata.nextLink']).toBeUndefined();
  });

  it('caps pages at the page-size setting even when $top is larger, paging on with nextLink', async () => {
    try {
      await emu.control.incidents.setListing({ pageSize: 20 });
      const first = await api.list<GraphPage>(riley, { $top: '50' });
      expect(first.json.value).toHaveLength(20);
      expect((await api.list<GraphPage>(riley)).json.value).toHaveLength(20);
      expect((await api.list<GraphPage>(riley, { $top: '5' })).json.value).toHaveLength(5);
      const pages = await allPages(api, riley, { $top: '50' });
      expect(pages).toHaveLength(15);
      expect(idsOf(pages)).toEqual(ids(everything));
    } finally {
      await emu.control.incidents.setListing({ pageSize: null });
    }
  });

  it('lists each user what their device groups let them see, as the Defender API does', async () => {
    for (const upn of ['alex@contoso.example', 'sam@contoso.example']) {
      const listed = idsOf(await allPages(api, await graphToken(emu, upn)));
      expect(listed).toEqual((await emu.control.incidents.visibleIds(upn)).map(String));
    }
    // Morgan is a Global Administrator (the Graph role check passes) without a Defender role: no device group, no incident.
    const morgan = await api.list<GraphPage>(await graphToken(emu, 'morgan@contoso.example'));
    expect(morgan.status).toBe(200);
    expect(morgan.json.value).toEqual([]);
  });
});

describe('GET /v1.0/security/incidents: $filter', () => {
  const expectFilter = async (filter: string, predicate: (i: GraphIncident) => boolean, headers: Record<string, string> = PREFER) => {
    const expected = ids(everything.filter(predicate));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(everything.length);
    expect(idsOf(await allPages(api, riley, { $filter: filter }, headers))).toEqual(expected);
  };

  it.each(['active', 'inProgress', 'resolved', 'redirected', 'awaitingAction'])("status eq '%s'", async (status) => {
    await expectFilter(`status eq '${status}'`, (i) => i.status === status);
  });

  it.each(['informational', 'low', 'medium', 'high', 'unknown'])("severity eq '%s'", async (severity) => {
    await expectFilter(`severity eq '${severity}'`, (i) => i.severity === severity);
  });

  it.each(['unknown', 'truePositive', 'falsePositive', 'informationalExpectedActivity'])("classification eq '%s'", async (c) => {
    await expectFilter(`classification eq '${c}'`, (i) => i.classification === c);
  });

  it('determination eq, with either documented spelling matching both', async () => {
    await expectFilter("determination eq 'malware'", (i) => i.determination === 'malware');
    await expectFilter("determination eq 'unknown'", (i) => i.determination === 'unknown');
    const spellings: [string, string][] = [
      ['notMalicious', 'clean'],
      ['notEnoughDataToValidate', 'insufficientData'],
      ['compromisedAccount', 'compromisedUser'],
      ['confirmedActivity', 'confirmedUserActivity'],
    ];
    for (const [metadata, page] of spellings) {
      // The generated history holds both spellings of the member.
      expect(everything.some((i) => i.determination === metadata)).toBe(true);
      expect(everything.some((i) => i.determination === page)).toBe(true);
      for (const name of [metadata, page]) await expectFilter(`determination eq '${name}'`, (i) => i.determination === metadata || i.determination === page);
    }
  });

  it('assignedTo eq, case-insensitively, and assignedTo eq null for unassigned', async () => {
    await expectFilter("assignedTo eq 'alex@contoso.example'", (i) => i.assignedTo === 'alex@contoso.example');
    await expectFilter("assignedTo eq 'ALEX@contoso.example'", (i) => i.assignedTo === 'alex@contoso.example');
    await expectFilter("assignedTo eq 'Automation'", (i) => i.assignedTo === 'Automation');
    await expectFilter('assignedTo eq null', (i) => i.assignedTo === null);
  });

  it.each(['ge', 'gt', 'le', 'lt'] as const)('createdDateTime and lastUpdateDateTime with %s', async (op) => {
    const cmp = (a: string, b: string) => (op === 'ge' ? a >= b : op === 'gt' ? a > b : op === 'le' ? a <= b : a < b);
    const pivot = itemAt(everything, Math.floor(everything.length / 3), 'incidents');
    await expectFilter(`createdDateTime ${op} ${pivot.createdDateTime}`, (i) => cmp(i.createdDateTime, pivot.createdDateTime));
    await expectFilter(`lastUpdateDateTime ${op} ${pivot.lastUpdateDateTime}`, (i) => cmp(i.lastUpdateDateTime, pivot.lastUpdateDateTime));
  });

  it('joins with and/or, and binding tighter, and parentheses', async () => {
    const pivot = itemAt(everything, 100, 'incidents');
    await expectFilter(
      `(status eq 'active' or status eq 'inProgress') and lastUpdateDateTime ge ${pivot.lastUpdateDateTime}`,
      (i) => (i.status === 'active' || i.status === 'inProgress') && i.lastUpdateDateTime >= pivot.lastUpdateDateTime,
    );
    await expectFilter(
      "severity eq 'high' or severity eq 'low' and classification eq 'truePositive'",
      (i) => i.severity === 'high' || (i.severity === 'low' && i.classification === 'truePositive'),
    );
    await expectFilter(
      `((createdDateTime lt ${pivot.createdDateTime}) and (assignedTo eq null or determination eq 'other'))`,
      (i) => i.createdDateTime < pivot.createdDateTime && (i.assignedTo === null || i.determination === 'other'),
    );
  });

  it('accepts enum members in other cases (a doc example sends PascalCase)', async () => {
    await expectFilter("status eq 'Active' and severity eq 'High'", (i) => i.status === 'active' && i.severity === 'high');
  });

  it("needs Prefer: include-unknown-enum-members for status eq 'awaitingAction'; without it those read and match as unknownFutureValue", async () => {
    const awaiting = everything.filter((i) => i.status === 'awaitingAction');
    expect(awaiting.length).toBeGreaterThan(0);
    await expectBadRequest({ $filter: "status eq 'awaitingAction'" }, /include-unknown-enum-members/);
    const plain = (await allPages(api, riley, { $filter: "status eq 'unknownFutureValue'" })).flatMap((p) => p.value);
    expect(ids(plain)).toEqual(ids(awaiting));
    for (const i of plain) expect(i.status).toBe('unknownFutureValue');
    const withHeader = await allPages(api, riley, { $filter: "status eq 'unknownFutureValue'" }, PREFER);
    expect(idsOf(withHeader)).toEqual([]);
  });

  it.each([
    ["displayName eq 'x'", /property 'displayName' cannot be filtered on/],
    ["Status eq 'active'", /did you mean 'status'/],
    ["status ne 'active'", /operator 'ne' is not supported for 'status'/],
    ["status eq 'open'", /'open' is not a member of the enum of 'status'/],
    ["determination eq 'benign'", /'benign' is not a member/],
    ['status eq active', /single-quoted member name/],
    ['createdDateTime eq 2026-01-01T00:00:00Z', /operator 'eq' is not supported for 'createdDateTime'/],
    ["createdDateTime ge '2026-01-01T00:00:00Z'", /not a DateTimeOffset literal/],
    ['lastUpdateDateTime ge 2026-13-01T00:00:00Z', /not a DateTimeOffset literal/],
    ["contains(assignedTo, 'alex')", /function 'contains' is not supported/],
    ["(status eq 'active'", /missing '\)'/],
    ["assignedTo eq 'alex", /Unterminated string/],
  ])('refuses $filter=%s with 400 BadRequest', async (filter, message) => {
    await expectBadRequest({ $filter: filter }, message);
  });

  it.each([
    [{ $orderby: 'createdDateTime desc' }, /'\$orderby' is not supported/],
    [{ $select: 'id' }, /'\$select' is not supported/],
    [{ $search: 'phish' }, /'\$search' is not supported/],
    [{ $top: '-1' }, /Invalid value '-1' for \$top/],
    [{ $top: 'ten' }, /Invalid value 'ten' for \$top/],
    [{ $skip: 'x' }, /Invalid value 'x' for \$skip/],
    [{ $count: 'yes' }, /Invalid value 'yes' for \$count/],
    [{ $expand: 'comments' }, /Could not expand 'comments'/],
  ])('refuses %j with 400 BadRequest', async (query, message) => {
    await expectBadRequest(query, message);
  });

  it('ignores custom (non-$) query options', async () => {
    expect((await api.list(riley, { $top: '1', 'client-request-id': 'abc' })).status).toBe(200);
  });
});

describe('GET /v1.0/security/incidents: the skiptoken', () => {
  const firstNext = async (query: Record<string, string> = { $top: '10' }, token = riley) => {
    const res = await api.list<GraphPage>(token, query);
    return res.json['@odata.nextLink'] as string;
  };

  it('refuses a tampered token, a token of another user, a changed query, and $skip beside it', async () => {
    const next = await firstNext();
    const url = new URL(next);
    url.searchParams.set('$skiptoken', 'not-a-token');
    expect((await api.get<GraphErrorBody>(url.toString(), riley)).json.error.message).toMatch(/\$skiptoken is not valid/);
    const alex = await graphToken(emu, 'alex@contoso.example');
    const foreign = await api.get<GraphErrorBody>(next, alex);
    expect(foreign.status).toBe(400);
    const changed = new URL(next);
    changed.searchParams.set('$filter', "status eq 'active'");
    expect((await api.get<GraphErrorBody>(changed.toString(), riley)).status).toBe(400);
    const skipped = new URL(next);
    skipped.searchParams.set('$skip', '3');
    expect((await api.get<GraphErrorBody>(skipped.toString(), riley)).json.error.message).toMatch(/\$skip cannot be combined with \$skiptoken/);
    expect((await api.get<GraphPage>(next, riley)).status).toBe(200);
  });
});

describe('paging 500 incidents by 20 in every order', () => {
  let big: Emulator;
  let bigApi: GraphCaller;
  let token: string;
  let all: string[];

  beforeAll(async () => {
    big = await startEmulator({ incidents: 500, pageSize: 20, quotas: { graph: 100_000 } });
    bigApi = new GraphCaller(big);
    token = await graphToken(big, 'riley@contoso.example');
    all = (await big.control.incidents.list(CONTOSO_ID)).map((s) => String(s.incidentId));
    expect(all).toHaveLength(500);
  });
  afterAll(async () => {
    await bigApi.close();
    await big.close();
  });

  it.each(['shuffled', 'lastUpdated', 'created'] as const)('%s: every incident exactly once, in the listing order, pages of 20', async (order) => {
    await big.control.incidents.setListing({ order });
    const pages = await allPages(bigApi, token, { $count: 'true' });
    expect(pages).toHaveLength(25);
    for (const p of pages) {
      expect(p.value).toHaveLength(20);
      expect(p['@odata.count']).toBe(500);
    }
    const listed = idsOf(pages);
    expect(new Set(listed).size).toBe(500);
    expect(listed).toEqual((await big.control.incidents.list(CONTOSO_ID)).map((s) => String(s.incidentId)));
    expect([...listed].sort()).toEqual([...all].sort());
  });

  it.each(['lastUpdated', 'shuffled'] as const)('%s: stays consistent while incidents change and are added between pages', async (order) => {
    await big.control.incidents.setListing({ order });
    const before = (await big.control.incidents.list(CONTOSO_ID)).map((s) => String(s.incidentId));
    let res = await bigApi.list<GraphPage>(token, { $top: '20' });
    const seen: string[] = res.json.value.map((i) => i.id);
    let step = 0;
    while (res.json['@odata.nextLink']) {
      // Between pages: change one incident not seen yet (in lastUpdated it jumps to the top), one already seen,
      // and add a new one.
      const unseen = before.filter((id) => !seen.includes(id));
      expect(unseen.length).toBeGreaterThan(1);
      expect((await bigApi.patch(token, lastItem(unseen, 'unseen incidents'), { customTags: [`step ${step}`] })).status).toBe(200);
      expect((await bigApi.patch(token, itemAt(seen, 0, 'seen incidents'), { assignedTo: `mover${step}@contoso.example` })).status).toBe(200);
      if (step % 5 === 0) await big.control.incidents.add(CONTOSO_ID, { incidentName: `Added while paging ${step}` });
      step++;
      res = await bigApi.get<GraphPage>(res.json['@odata.nextLink'], token);
      expect(res.status).toBe(200);
      seen.push(...res.json.value.map((i) => i.id));
    }
    expect(step).toBe(Math.ceil(before.length / 20) - 1);
    expect(seen).toHaveLength(before.length);
    expect(new Set(seen).size).toBe(before.length);
    expect([...seen].sort()).toEqual([...before].sort());
    // A new first page sees the added incidents.
    expect((await bigApi.list<GraphPage>(token, { $count: 'true' })).json['@odata.count']).toBe(before.length + 5);
  });
});
