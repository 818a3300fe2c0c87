import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import { DETERMINATIONS, DEVICE_GROUPS, type Incident } from '../src/defender';
import { DefenderCaller, defenderToken } from '../src/testing/defenderTokens';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const DAY = 86_400_000;
const SEVERITY_RANK = ['Informational', 'Low', 'Medium', 'High'];

let emu: Emulator;
let incidents: Incident[];

beforeAll(async () => {
  emu = await startEmulator({ now: NOW, seed: 42 });
  incidents = await everyIncident(emu, CONTOSO_ID);
});
afterAll(() => emu.close());

/** Every incident of the tenant as stored, in API order. */
async function everyIncident(e: Emulator, tenant: string): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const s of await e.control.incidents.list(tenant)) out.push((await e.control.incidents.get(tenant, s.incidentId))!);
  return out;
}
const visibleIds = (upn: string) => emu.control.incidents.visibleIds(upn);
const allText = (i: Incident) => JSON.stringify(i);

describe('generated incidents: determinism', () => {
  it('the same seed and clock give the same data; another seed gives other data', async () => {
    const twin = await startEmulator({ now: NOW, seed: 42 });
    const other = await startEmulator({ now: NOW, seed: 43 });
    try {
      expect(await twin.control.incidents.list(CONTOSO_ID)).toEqual(await emu.control.incidents.list(CONTOSO_ID));
      expect(await everyIncident(twin, CONTOSO_ID)).toEqual(incidents);
      expect(await twin.control.incidents.list(FABRIKAM_ID)).toEqual(await emu.control.incidents.list(FABRIKAM_ID));
      expect(await other.control.incidents.list(CONTOSO_ID)).not.toEqual(await emu.control.incidents.list(CONTOSO_ID));
      // Expanding an incident twice (cache or not) gives the same result.
      const eighth = itemAt(incidents, 7, 'incidents');
      expect(await emu.control.incidents.get(CONTOSO_ID, eighth.incidentId)).toEqual(eighth);
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it('each tenant has its own dataset', async () => {
    expect(await emu.control.incidents.count(CONTOSO_ID)).toBe(300);
    expect(await emu.control.incidents.count(FABRIKAM_ID)).toBe(300);
    const fabrikam = (await emu.control.incidents.get(FABRIKAM_ID, itemAt(await emu.control.incidents.list(FABRIKAM_ID), 0, 'incidents').incidentId))!;
    expect(allText(fabrikam)).toContain('fabrikam.example');
    expect(allText(fabrikam)).not.toContain('contoso.example');
  });
});

describe('generated incidents: shape', () => {
  it('spans the 90 days before now, with ids increasing with createdTime from 1000 on', () => {
    const byCreation = [...incidents].sort((a, b) => (a.createdTime < b.createdTime ? -1 : 1));
    const first = itemAt(byCreation, 0, 'incidents');
    expect(first.incidentId).toBeGreaterThanOrEqual(1000);
    for (let k = 1; k < byCreation.length; k++) expect(itemAt(byCreation, k).incidentId).toBeGreaterThan(itemAt(byCreation, k - 1).incidentId);
    for (const i of incidents) {
      expect(i.createdTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
      expect(Date.parse(i.createdTime)).toBeGreaterThanOrEqual(NOW.getTime() - 90 * DAY);
      expect(i.lastUpdateTime >= i.createdTime).toBe(true);
      expect(Date.parse(i.lastUpdateTime)).toBeLessThanOrEqual(NOW.getTime());
      expect(i.incidentUri).toBe(`https://security.microsoft.com/incidents/${i.incidentId}?tid=${CONTOSO_ID}`);
    }
    expect(Date.parse(first.createdTime)).toBeLessThan(NOW.getTime() - 60 * DAY);
  });

  it('is sparse: no key anywhere holds null', () => {
    for (const i of incidents) expect(allText(i)).not.toMatch(/:null[,}\]]/);
  });

  it('has every status × severity combination', () => {
    const combos = new Set(incidents.map((i) => `${i.status}/${i.severity}`));
    for (const status of ['Active', 'InProgress', 'Resolved', 'Redirected']) {
      for (const severity of ['UnSpecified', 'Informational', 'Low', 'Medium', 'High']) expect(combos).toContain(`${status}/${severity}`);
    }
    const count = (status: string) => incidents.filter((i) => i.status === status).length;
    expect(count('Active')).toBeGreaterThan(count('InProgress'));
    expect(count('Active')).toBeGreaterThan(count('Resolved'));
  });

  it('has every classification with each of its determinations, and unclassified as Unknown/NotAvailable', () => {
    const pairs = new Set(incidents.map((i) => `${i.classification}/${i.determination}`));
    for (const [classification, determinations] of Object.entries(DETERMINATIONS)) {
      for (const d of determinations) expect(pairs).toContain(`${classification}/${d}`);
    }
    expect(pairs).toContain('Unknown/NotAvailable');
    for (const i of incidents) {
      const allowed = i.classification === 'Unknown' ? ['NotAvailable'] : [...DETERMINATIONS[i.classification as keyof typeof DETERMINATIONS], 'NotAvailable'];
      expect(allowed).toContain(i.determination);
    }
  });

  it('links every merged incident to an existing incident of the tenant that is not merged', () => {
    const byId = new Map(incidents.map((i) => [i.incidentId, i]));
    const merged = incidents.filter((i) => i.status === 'Redirected');
    expect(merged.length).toBeGreaterThan(0);
    for (const i of merged) {
      const target = byId.get(i.redirectIncidentId!);
      expect(target).toBeDefined();
      expect(target!.incidentId).not.toBe(i.incidentId);
      expect(target!.status).not.toBe('Redirected');
    }
    expect(merged.some((i) => i.redirectIncidentId! < i.incidentId)).toBe(true);
    expect(merged.some((i) => i.redirectIncidentId! > i.incidentId)).toBe(true);
    for (const i of incidents) if (i.status !== 'Redirected') expect(i.redirectIncidentId).toBeUndefined();
  });

  it('assigns to the tenant’s analysts, Automation, or nobody', () => {
    const assignees = new Set(incidents.map((i) => i.assignedTo ?? '(none)'));
    expect([...assignees].sort()).toEqual(['(none)', 'Automation', 'alex@contoso.example', 'riley@contoso.example', 'sam@contoso.example']);
  });

  it('has 1 to 12 alerts each, with the documented fields, sources and links', () => {
    const sources = new Set<string>();
    const counts = new Set<number>();
    let severityMatches = 0;
    for (const i of incidents) {
      counts.add(i.alerts.length);
      expect(i.alerts.length).toBeGreaterThanOrEqual(1);
      expect(i.alerts.length).toBeLessThanOrEqual(12);
      for (const a of i.alerts) {
        sources.add(a.serviceSource);
        expect(a.incidentId).toBe(i.incidentId);
        for (const key of ['alertId', 'providerAlertId', 'detectionSource', 'detectorId', 'creationTime', 'lastUpdatedTime', 'firstActivity', 'lastActivity', 'title', 'description', 'category', 'status', 'severity', 'investigationState'] as const) {
          expect(a[key]).toEqual(expect.any(String));
        }
        expect(['New', 'InProgress', 'Resolved']).toContain(a.status);
        expect(a.resolvedTime !== undefined).toBe(a.status === 'Resolved');
        // A resolved alert was last updated no earlier than its resolution.
        expect(a.lastUpdatedTime >= (a.resolvedTime ?? '')).toBe(true);
        expect(a.firstActivity <= a.lastActivity && a.lastActivity <= a.creationTime).toBe(true);
        for (const t of a.mitreTechniques) expect(t).toMatch(/^T\d{4}(\.\d{3})?$/);
        const deviceIds = new Set(a.devices.map((d) => d.mdatpDeviceId));
        for (const d of a.devices) {
          expect(d.mdatpDeviceId).toMatch(/^[0-9a-f]{40}$/);
          expect(DEVICE_GROUPS).toContain(d.rbacGroupName);
          expect(d).toMatchObject({ deviceDnsName: expect.any(String), osPlatform: expect.any(String), riskScore: expect.any(String), rbacGroupId: expect.any(Number) });
        }
        const referenced = a.entities.map((e) => e.deviceId).filter((id) => id !== undefined);
        expect(referenced.filter((id) => !deviceIds.has(id as string))).toEqual([]);
      }
      if (i.severity !== 'UnSpecified') {
        const top = Math.max(...i.alerts.map((a) => SEVERITY_RANK.indexOf(a.severity)));
        if (SEVERITY_RANK[top] === i.severity) severityMatches++;
      }
    }
    expect(severityMatches / incidents.filter((i) => i.severity !== 'UnSpecified').length).toBeGreaterThan(0.95);
    expect([...sources].sort()).toEqual(
      expect.arrayContaining([
        'AADIdentityProtection',
        'MicrosoftCloudAppSecurity',
        'MicrosoftDefenderForEndpoint',
        'MicrosoftDefenderForIdentity',
        'MicrosoftDefenderForOffice365',
      ]),
    );
    expect(counts.has(1) && counts.has(2) && [...counts].some((n) => n >= 8)).toBe(true);
  });

  it('has entities of every documented type, both Mailbox spellings, with evidence fields', () => {
    const fields = new Map<string, Set<string>>();
    for (const i of incidents) {
      for (const a of i.alerts) {
        for (const e of a.entities) {
          expect(e).toMatchObject({ evidenceCreationTime: expect.any(String), verdict: expect.any(String), remediationStatus: expect.any(String) });
          const set = fields.get(e.entityType) ?? new Set<string>();
          Object.keys(e).forEach((k) => set.add(k));
          fields.set(e.entityType, set);
        }
      }
    }
    expect([...fields.keys()].sort()).toEqual(
      ['File', 'Ip', 'MailBox', 'MailCluster', 'MailMessage', 'Mailbox', 'Process', 'Registry', 'SecurityGroup', 'Url', 'User'].sort(),
    );
    const expectFields = (type: string, keys: string[]) => expect([...fields.get(type)!]).toEqual(expect.arrayContaining(keys));
    expectFields('User', ['accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName']);
    expectFields('Ip', ['ipAddress']);
    expectFields('Url', ['url']);
    expectFields('File', ['sha1', 'sha256', 'fileName', 'filePath', 'deviceId']);
    expectFields('Process', ['processId', 'processCommandLine', 'processCreationTime', 'parentProcessId', 'parentProcessCreationTime']);
    expectFields('Mailbox', ['mailboxDisplayName', 'mailboxAddress']);
    expectFields('MailMessage', ['sender', 'recipient', 'subject', 'deliveryAction', 'internetMessageId']);
    expectFields('MailCluster', ['clusterBy', 'clusterByValue', 'emailCount']);
    expectFields('Registry', ['registryHive', 'registryKey', 'registryValueType', 'registryValue']);
    expectFields('SecurityGroup', ['securityGroupId', 'securityGroupName']);
  });

  it('has comments, tags, accents and markup in names, alert titles, comments and tags', async () => {
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>alert("x")</script>';
    for (const markup of [img, script]) {
      const carriers = incidents.filter((i) => i.incidentName.includes(markup));
      expect(carriers.length).toBeGreaterThan(0);
      for (const i of carriers) {
        expect(i.alerts.some((a) => a.title.includes(markup))).toBe(true);
        expect(i.comments.some((c) => c.comment.includes(markup))).toBe(true);
        expect(i.tags).toContain(markup);
      }
      // On the first page of the most restricted analyst's queue, so every queue test meets it.
      const samsFirstPage = (await visibleIds('sam@contoso.example')).slice(0, 100);
      expect(carriers.some((i) => samsFirstPage.includes(i.incidentId) && ['Active', 'InProgress'].includes(i.status))).toBe(true);
    }
    expect(incidents.some((i) => i.incidentName === 'Activité suspecte sur le poste de José')).toBe(true);
    expect(incidents.some((i) => i.tags.includes('Équipe rouge'))).toBe(true);
    for (const tag of ['Phishing campaign', 'VIP', 'Pen test', 'Ransomware']) expect(incidents.some((i) => i.tags.includes(tag))).toBe(true);
    const commentCounts = new Set(incidents.map((i) => i.comments.length));
    expect(commentCounts.has(0) && [...commentCounts].some((n) => n >= 4)).toBe(true);
    for (const i of incidents) for (const c of i.comments) expect(c).toEqual({ comment: expect.any(String), createdBy: expect.any(String), createdTime: expect.any(String) });
  });
});

describe('generated incidents: device groups and visibility', () => {
  it('derives each incident’s device groups from its alerts’ devices', async () => {
    const summaries = new Map((await emu.control.incidents.list(CONTOSO_ID)).map((s) => [s.incidentId, s]));
    for (const i of incidents) {
      const groups = new Set(i.alerts.flatMap((a) => a.devices.map((d) => d.rbacGroupName)));
      expect([...groups].sort()).toEqual([...summaries.get(i.incidentId)!.deviceGroups].sort());
    }
    const used = new Set(incidents.flatMap((i) => i.alerts.flatMap((a) => a.devices.map((d) => d.rbacGroupName))));
    expect([...used].sort()).toEqual([...DEVICE_GROUPS].sort());
  });

  it('gives the seeded users queues of clearly different sizes', async () => {
    const sizes: number[] = [];
    for (const upn of ['alex@contoso.example', 'sam@contoso.example', 'riley@contoso.example', 'jordan@fabrikam.example']) sizes.push((await visibleIds(upn)).length);
    const [alex, sam, riley] = sizes as [number, number, number, number];
    expect(riley).toBe(300);
    expect(alex).toBeGreaterThan(sam + 10);
    expect(sam).toBeGreaterThan(30);
    expect(await visibleIds('pat@contoso.example')).toEqual([]);
  });

  it('gives 24 extra analysts over distinct group sets distinct queues', async () => {
    const groups = DEVICE_GROUPS.slice(0, 8);
    const queues = new Set<string>();
    for (let n = 1; queues.size < 24 && n < 256; n++) {
      const mine = groups.filter((_, b) => n & (1 << b));
      const u = await emu.control.users.add({ upn: `extra${n}@contoso.example`, defender: { role: 'analyst', deviceGroups: mine } });
      queues.add([...(await visibleIds(u.upn))].sort().join(','));
    }
    expect(queues.size).toBe(24);
  });
});

describe('generated incidents: scale', () => {
  // Timings at this size are printed by `npm run bench`; here, what must hold at 100,000.
  it('serves 100,000 incidents per tenant: counts, first and last pages, filters, an analyst deep in the queue', async () => {
    const big = await startEmulator({ incidents: 100_000, quotas: { list: 1000, get: 1000 }, listOrder: 'lastUpdated' });
    const api = new DefenderCaller(big);
    try {
      expect(await big.control.incidents.count(CONTOSO_ID)).toBe(100_000);
      const token = await defenderToken(big, 'riley@contoso.example');
      const list = async (query: Record<string, string>) => {
        const res = await api.list<{ value: Incident[] }>(token, query);
        expect(res.status).toBe(200);
        return res.json.value;
      };
      const first = await list({ $top: '100' });
      expect(first).toHaveLength(100);
      expect(await list({ $top: '100', $skip: '99900' })).toHaveLength(100);
      const pivot = (first[50] as Incident).lastUpdateTime;
      const filtered = await list({ $top: '100', $filter: `status eq 'Active' and lastUpdateTime lt ${pivot}` });
      expect(filtered.length).toBeGreaterThan(0);
      for (const i of filtered) expect([i.status, i.lastUpdateTime < pivot]).toEqual(['Active', true]);
      const alex = await defenderToken(big, 'alex@contoso.example');
      expect((await api.list(alex, { $top: '50', $skip: '20000' })).status).toBe(200);
    } finally {
      await api.close();
      await big.close();
    }
  }, 60_000);
});
