import { startEmulator, type Emulator, type Incident } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';

/** POST /v1.0/security/runHuntingQuery over HTTP: the answer's shape, the time range, and each refusal. */

interface Results {
  '@odata.context': string;
  schema: { name: string; type: string }[];
  results: Record<string, unknown>[];
}

const HUNT = 'ThreatHunting.Read.All';
let emu: Emulator;
let api: GraphCaller;
let riley: string;
/** A recent alert of an incident Riley may see, with its device. */
let recent: { incident: Incident; alertId: string; device: string; created: number };

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 100_000 } });
  api = new GraphCaller(emu);
  riley = await graphToken(emu, 'riley@contoso.example', { scp: HUNT });
  const now = await emu.control.clock.now();
  for (const id of await emu.control.incidents.visibleIds('riley@contoso.example')) {
    const incident = await emu.control.incidents.get(CONTOSO_ID, id);
    const alert = incident?.alerts.find((a) => a.devices.length > 0 && now - Date.parse(a.creationTime) < 20 * 86_400_000);
    if (incident && alert) {
      recent = { incident, alertId: alert.alertId, device: alert.devices[0]?.deviceDnsName as string, created: Date.parse(alert.creationTime) };
      break;
    }
  }
  expect(recent).toBeDefined();
});

afterAll(() => emu.close());

const hunt = (body: unknown, token = riley, headers?: Record<string, string>) => api.hunt<Results & GraphErrorBody>(token, body, headers);

describe('a query', () => {
  it('answers in huntingQueryResults’ shape: the schema with its types, then the rows', async () => {
    const res = await hunt({ Query: `DeviceProcessEvents | where DeviceName == '${recent.device}' | project Timestamp, DeviceName, FileName, ProcessId | order by Timestamp asc` });
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults');
    expect(res.json.schema).toEqual([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceName', type: 'String' },
      { name: 'FileName', type: 'String' },
      { name: 'ProcessId', type: 'Int64' },
    ]);
    expect(res.json.results.length).toBeGreaterThan(0);
    for (const row of res.json.results) {
      expect(row.DeviceName).toBe(recent.device);
      expect(row.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
      // Graph marks long values.
      expect(row['ProcessId@odata.type']).toBe('#Int64');
    }
    const times = res.json.results.map((r) => Date.parse(r.Timestamp as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('finds an incident’s alert and its evidence, joined on the alert id', async () => {
    const res = await hunt({ query: `AlertInfo | where AlertId == '${recent.alertId}' | join kind=inner (AlertEvidence) on AlertId | project AlertId, Title, EntityType, DeviceName` });
    expect(res.status).toBe(200);
    expect(res.json.results.length).toBeGreaterThan(0);
    expect(new Set(res.json.results.map((r) => r.AlertId))).toEqual(new Set([recent.alertId]));
  });

  it('reads only the Timespan asked for, and never more than the last 30 days', async () => {
    const count = async (timespan?: string) => {
      const res = await hunt({ Query: 'AlertInfo | summarize count()', ...(timespan === undefined ? {} : { Timespan: timespan }) });
      expect(res.status).toBe(200);
      return res.json.results[0]?.count_ as number;
    };
    const [month, week, ninety] = [await count(), await count('P7D'), await count('P90D')];
    expect(week).toBeLessThan(month);
    expect(ninety).toBe(month);
    const at = new Date(recent.created).toISOString();
    const around = `${new Date(recent.created - 60_000).toISOString()}/${new Date(recent.created + 60_000).toISOString()}`;
    const window = await hunt({ Query: `AlertInfo | where AlertId == '${recent.alertId}' | project Timestamp`, Timespan: around });
    expect(window.json.results.map((r) => Date.parse(r.Timestamp as string))).toEqual([Date.parse(at)]);
    expect((await hunt({ Query: 'AlertInfo | take 1', Timespan: 'last week' })).status).toBe(400);
  });
});

describe('refusals, as Graph words them', () => {
  it('a query that cannot be read, or that names what is not there: 400 BadRequest', async () => {
    const syntax = await hunt({ Query: 'DeviceProcessEvents | where FileName = "x"' });
    expect([syntax.status, syntax.json.error.code]).toEqual([400, 'BadRequest']);
    // Kusto's form: the token and its place, which the app shows in the editor.
    expect(syntax.json.error.message).toMatch(/^Query could not be parsed at '=' on line \[1,38\]: Expected .* but "=" found\. Fix syntax errors in your query\.$/);
    const unsupported = await hunt({ Query: 'DeviceProcessEvents\n| mv-expand FileName' });
    expect(unsupported.json.error.message).toMatch(/^Query could not be parsed at 'mv-expand' on line \[2,3\]: Unsupported operator 'mv-expand'\. Fix syntax errors in your query\.$/);
    const table = await hunt({ Query: 'DeviceRegistryEvents | take 1' });
    expect([table.status, table.json.error.message]).toEqual([400, "'take' operator: Failed to resolve table or column expression named 'DeviceRegistryEvents'. Fix semantic errors in your query."]);
    expect((await hunt({ Timespan: 'P1D' })).status).toBe(400);
    expect((await api.hunt(riley, undefined, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('without ThreatHunting.Read.All, or without a security role: 403; without a token: 401', async () => {
    const incidentsOnly = await graphToken(emu, 'riley@contoso.example');
    const refused = await hunt({ Query: 'AlertInfo | take 1' }, incidentsOnly);
    expect([refused.status, refused.json.error.code]).toEqual([403, 'Forbidden']);
    expect(refused.json.error.message).toContain(HUNT);
    const pat = await graphToken(emu, 'pat@contoso.example', { scp: HUNT });
    expect((await hunt({ Query: 'AlertInfo | take 1' }, pat)).status).toBe(403);
    expect((await api.hunt('', { Query: 'AlertInfo | take 1' })).status).toBe(401);
  });

  it('throttled: 429 with Retry-After, from the quota or an injected fault', async () => {
    await emu.control.faults.add({ endpoint: 'hunting.run', kind: '429', retryAfter: 7, count: 1 });
    const res = await hunt({ Query: 'AlertInfo | take 1' });
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await hunt({ Query: 'AlertInfo | take 1' })).status).toBe(200);
  });

  it('counts hunting queries per tenant in a quota of their own, besides the Graph quota', async () => {
    const small = await startEmulator({ quotas: { graph: 100_000, hunting: 2 } });
    try {
      const caller = new GraphCaller(small);
      const scp = `${HUNT} SecurityIncident.Read.All`;
      const [a, b] = [await graphToken(small, 'riley@contoso.example', { scp }), await graphToken(small, 'alex@contoso.example', { scp })];
      const list = await caller.get('/v1.0/security/incidents?$top=1', a);
      expect(list.status).toBe(200);
      const statuses = [];
      for (const token of [a, b, a]) statuses.push((await caller.hunt(token, { Query: 'AlertInfo | take 1' })).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await caller.hunt(b, { Query: 'AlertInfo | take 1' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Incidents are not held by it.
      expect((await caller.get('/v1.0/security/incidents?$top=1', a)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
