import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';
import { allPages, type GraphAlert, type GraphEvidence, type GraphIncident } from './helpers/graph';

const PREFER = { prefer: 'include-unknown-enum-members' };
const NS = '#microsoft.graph.security.';
const EVIDENCE_TYPES = [
  'amazonResource',
  'analyzedMessage',
  'azureResource',
  'blob',
  'blobContainer',
  'cloudApplication',
  'container',
  'containerImage',
  'containerRegistry',
  'device',
  'file',
  'googleCloudResource',
  'ip',
  'kubernetesCluster',
  'kubernetesController',
  'kubernetesNamespace',
  'kubernetesPod',
  'kubernetesSecret',
  'kubernetesServiceAccount',
  'kubernetesService',
  'mailCluster',
  'mailbox',
  'oauthApplication',
  'process',
  'registryKey',
  'registryValue',
  'securityGroup',
  'url',
  'user',
] as const;
type EvidenceType = (typeof EVIDENCE_TYPES)[number];
/** The fields each type carries (a name-like one at least), per resources/security-*evidence.md. */
const FIELDS: Record<EvidenceType, string[]> = {
  device: ['deviceDnsName', 'osPlatform', 'osBuild', 'riskScore', 'rbacGroupName', 'healthStatus', 'mdeDeviceId'],
  user: ['userAccount'],
  file: ['fileDetails'],
  process: ['processId', 'processCommandLine', 'imageFile', 'parentProcessId', 'processCreationDateTime'],
  ip: ['ipAddress', 'countryLetterCode'],
  url: ['url'],
  mailbox: ['primaryAddress', 'displayName'],
  analyzedMessage: ['subject', 'internetMessageId', 'p1Sender', 'recipientEmailAddress', 'deliveryAction'],
  mailCluster: ['name', 'clusterBy', 'clusterByValue', 'emailCount'],
  registryKey: ['registryHive', 'registryKey'],
  registryValue: ['registryHive', 'registryKey', 'registryValueName', 'registryValue', 'registryValueType'],
  securityGroup: ['displayName', 'securityGroupId'],
  cloudApplication: ['displayName', 'appId'],
  oauthApplication: ['displayName', 'appId', 'publisher'],
  azureResource: ['resourceId', 'resourceName', 'resourceType'],
  amazonResource: ['amazonAccountId', 'amazonResourceId', 'resourceName', 'resourceType'],
  googleCloudResource: ['projectId', 'resourceName', 'resourceType', 'fullResourceName'],
  blob: ['name', 'url', 'blobContainer'],
  blobContainer: ['name', 'url', 'storageResource'],
  container: ['name', 'containerId', 'image', 'isPrivileged'],
  containerImage: ['imageId', 'registry'],
  containerRegistry: ['registry'],
  kubernetesCluster: ['name', 'platform', 'version'],
  kubernetesController: ['name', 'type', 'namespace'],
  kubernetesNamespace: ['name', 'cluster'],
  kubernetesPod: ['name', 'namespace', 'containers', 'podIp'],
  kubernetesSecret: ['name', 'secretType', 'namespace'],
  kubernetesServiceAccount: ['name', 'namespace'],
  kubernetesService: ['name', 'serviceType', 'namespace'],
};

let emu: Emulator;
let api: GraphCaller;
let riley: string;
/** Every Contoso incident with its alerts, fetched one by one with the Prefer header. */
let expanded: GraphIncident[];

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 100_000 } });
  api = new GraphCaller(emu);
  riley = await graphToken(emu, 'riley@contoso.example');
  const ids = (await allPages(api, riley)).flatMap((p) => p.value.map((i) => i.id));
  expanded = [];
  for (const id of ids) {
    const res = await api.incident<GraphIncident & { '@odata.context'?: string }>(riley, id, '?$expand=alerts', PREFER);
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#security/incidents/$entity');
    delete res.json['@odata.context'];
    expanded.push(res.json);
  }
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

const alerts = () => expanded.flatMap((i) => i.alerts ?? []);
const evidence = () => alerts().flatMap((a) => a.evidence);
const typeName = (e: GraphEvidence) => e['@odata.type'].replace(NS, '').replace(/Evidence$/, '');

function expectNotFound(res: { status: number; json: unknown }, id: string): void {
  expect(res.status).toBe(404);
  const body = res.json as GraphErrorBody;
  expect(body.error.code).toBe('NotFound');
  expect(body.error.message).toBe(`Incident ${id} was not found.`);
  expect(body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

describe('GET /v1.0/security/incidents/{id}', () => {
  it('returns the incident with the $entity context, as its list entry, without alerts unless expanded', async () => {
    const listed = itemAt((await api.list<{ value: GraphIncident[] }>(riley, { $top: '10' })).json.value, 4, 'listed incidents');
    const res = await api.incident<GraphIncident & { '@odata.context': string }>(riley, listed.id);
    expect(res.status).toBe(200);
    const { '@odata.context': context, ...incident } = res.json;
    expect(context).toBe('https://graph.microsoft.com/v1.0/$metadata#security/incidents/$entity');
    expect(incident).toEqual(listed);
    expect(incident).not.toHaveProperty('alerts');
  });

  it('has the documented wire shape: string ids, camelCase enums, tags, comments, nulls rather than missing keys', () => {
    const keys = [
      'id',
      'tenantId',
      'status',
      'incidentWebUrl',
      'redirectIncidentId',
      'displayName',
      'createdDateTime',
      'lastUpdateDateTime',
      'assignedTo',
      'classification',
      'determination',
      'severity',
      'customTags',
      'systemTags',
      'description',
      'comments',
      'alerts',
    ];
    for (const i of expanded) {
      expect(Object.keys(i)).toEqual(keys);
      expect(i.id).toMatch(/^\d+$/);
      expect(i.tenantId).toBe(CONTOSO_ID);
      expect(i.incidentWebUrl).toBe(`https://security.microsoft.com/incidents/${i.id}?tid=${CONTOSO_ID}`);
      expect(['active', 'inProgress', 'resolved', 'redirected', 'awaitingAction']).toContain(i.status);
      expect(['unknown', 'informational', 'low', 'medium', 'high']).toContain(i.severity);
      expect(['unknown', 'truePositive', 'falsePositive', 'informationalExpectedActivity']).toContain(i.classification);
      expect(i.determination).toMatch(/^[a-z][A-Za-z]+$/);
      expect(i.createdDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
      expect(i.redirectIncidentId === null || typeof i.redirectIncidentId === 'string').toBe(true);
      expect(i.redirectIncidentId !== null).toBe(i.status === 'redirected');
      for (const c of i.comments) expect(Object.keys(c)).toEqual(['comment', 'createdByDisplayName', 'createdDateTime']);
    }
    const merged = expanded.filter((i) => i.status === 'redirected');
    expect(merged.length).toBeGreaterThan(0);
    const byId = new Set(expanded.map((i) => i.id));
    for (const i of merged) expect(byId.has(i.redirectIncidentId as string)).toBe(true);
    expect(expanded.some((i) => i.systemTags.length > 0)).toBe(true);
    expect(expanded.some((i) => typeof i.description === 'string' && i.description.length > 0)).toBe(true);
    expect(expanded.some((i) => i.comments.length > 0)).toBe(true);
    expect(expanded.some((i) => i.customTags.length > 0)).toBe(true);
    expect(expanded.some((i) => i.assignedTo === null)).toBe(true);
  });

  it('inlines alerts with $expand=alerts, in the alert shape', () => {
    const all = alerts();
    expect(all.length).toBeGreaterThan(300);
    const keys = ['id', 'incidentId', 'title', 'description', 'severity', 'status', 'serviceSource', 'detectionSource', 'category', 'mitreTechniques'];
    for (const i of expanded) {
      expect(i.alerts?.length).toBeGreaterThan(0);
      for (const a of i.alerts as GraphAlert[]) {
        expect(Object.keys(a)).toEqual(expect.arrayContaining([...keys, 'createdDateTime', 'firstActivityDateTime', 'lastActivityDateTime', 'resolvedDateTime', 'alertWebUrl', 'threatFamilyName', 'actorDisplayName', 'evidence']));
        expect(a.incidentId).toBe(i.id);
        expect(['new', 'inProgress', 'resolved']).toContain(a.status);
        expect(['informational', 'low', 'medium', 'high']).toContain(a.severity);
        expect(a.resolvedDateTime !== null).toBe(a.status === 'resolved');
        expect(a.alertWebUrl).toMatch(/^https:\/\/security\.microsoft\.com\/alerts\//);
      }
    }
    const services = new Set(all.map((a) => a.serviceSource));
    for (const s of ['microsoftDefenderForEndpoint', 'microsoftDefenderForOffice365', 'microsoftDefenderForCloudApps', 'azureAdIdentityProtection', 'microsoftDefenderForIdentity', 'microsoftDefenderForCloud']) {
      expect(services).toContain(s);
    }
    const detections = new Set(all.map((a) => a.detectionSource));
    for (const d of ['microsoftDefenderForEndpoint', 'antivirus', 'microsoftDefenderForContainers', 'microsoftDefenderForStorage']) expect(detections).toContain(d);
    expect(all.some((a) => a.threatFamilyName !== null)).toBe(true);
    expect(all.some((a) => a.actorDisplayName !== null)).toBe(true);
  });

  it('carries typed evidence of every documented type, with its fields, plus a type no client knows', () => {
    const byType = new Map<string, GraphEvidence[]>();
    for (const e of evidence()) {
      expect(e['@odata.type'].startsWith(NS)).toBe(true);
      expect(e).toMatchObject({ createdDateTime: expect.any(String), verdict: expect.any(String), remediationStatus: expect.any(String), roles: expect.any(Array), tags: expect.any(Array) });
      expect(['unknown', 'suspicious', 'malicious', 'noThreatsFound']).toContain(e.verdict);
      expect(['none', 'remediated', 'prevented', 'blocked', 'notFound']).toContain(e.remediationStatus);
      const list = byType.get(typeName(e)) ?? [];
      list.push(e);
      byType.set(typeName(e), list);
    }
    for (const type of EVIDENCE_TYPES) {
      expect({ type, present: byType.has(type) }).toEqual({ type, present: true });
      for (const field of FIELDS[type]) {
        expect({ type, field, present: (byType.get(type) ?? []).some((e) => e[field] !== undefined && e[field] !== null) }).toEqual({ type, field, present: true });
      }
    }
    const unknownTypes = [...byType.keys()].filter((t) => !(EVIDENCE_TYPES as readonly string[]).includes(t));
    expect(unknownTypes).toEqual(['someFuture']);
    expect(byType.get('someFuture')?.[0]?.['@odata.type']).toBe('#microsoft.graph.security.someFutureEvidence');
  });

  it('maps the legacy devices and entities onto evidence: user accounts, file details, process images, senders', () => {
    const of = (type: string) => evidence().filter((e) => typeName(e) === type);
    const firstOf = (type: string) => itemAt(of(type), 0, `${type} evidence`);
    const user = of('user').find((e) => (e.userAccount as Record<string, unknown>).displayName !== null)?.userAccount as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual(['accountName', 'azureAdUserId', 'displayName', 'domainName', 'userPrincipalName', 'userSid']);
    expect(user.userPrincipalName).toMatch(/@contoso\.example$/);
    const file = firstOf('file').fileDetails as Record<string, unknown>;
    expect(file).toMatchObject({ fileName: expect.any(String), filePath: expect.any(String), sha1: expect.stringMatching(/^[0-9a-f]{40}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), fileSize: expect.any(Number) });
    expect((firstOf('process').imageFile as Record<string, unknown>).fileName).toEqual(expect.any(String));
    expect((firstOf('analyzedMessage').p1Sender as Record<string, unknown>).emailAddress).toMatch(/@/);
    const device = firstOf('device');
    expect(device.rbacGroupName).toEqual(expect.any(String));
    expect(device.mdeDeviceId).toMatch(/^[0-9a-f]{40}$/);
    expect(of('ip').some((e) => typeof e.countryLetterCode === 'string')).toBe(true);
  });

  it('answers 404 NotFound for an unknown id, a non-numeric one, another tenant’s, and one outside the user’s device groups', async () => {
    expectNotFound(await api.incident(riley, '999999999'), '999999999');
    expectNotFound(await api.incident(riley, 'abc'), 'abc');
    const contoso = new Set(expanded.map((i) => i.id));
    const fabrikamOnly = (await emu.control.incidents.list(FABRIKAM_ID)).map((s) => String(s.incidentId)).find((id) => !contoso.has(id)) as string;
    expectNotFound(await api.incident(riley, fabrikamOnly), fabrikamOnly);
    const sam = new Set((await emu.control.incidents.visibleIds('sam@contoso.example')).map(String));
    const hidden = expanded.find((i) => !sam.has(i.id))?.id as string;
    expectNotFound(await api.incident(await graphToken(emu, 'sam@contoso.example'), hidden), hidden);
    expect((await api.incident(await graphToken(emu, 'sam@contoso.example'), itemAt([...sam], 0, "sam's incidents"))).status).toBe(200);
  });

  it('refuses query options other than $expand=alerts', async () => {
    const id = itemAt(expanded, 0, 'incidents').id;
    expect((await api.incident<GraphErrorBody>(riley, id, '?$select=id')).json.error.message).toMatch(/'\$select' is not supported/);
    expect((await api.incident<GraphErrorBody>(riley, id, '?$expand=evidence')).status).toBe(400);
  });
});

describe('Prefer: include-unknown-enum-members', () => {
  it('without it, awaitingAction and newer source members read unknownFutureValue; with it, themselves', async () => {
    const awaiting = expanded.find((i) => i.status === 'awaitingAction') as GraphIncident;
    expect(awaiting).toBeDefined();
    const plain = await api.incident<GraphIncident>(riley, awaiting.id);
    expect(plain.json.status).toBe('unknownFutureValue');

    const cloud = expanded.find((i) => i.alerts?.some((a) => a.serviceSource === 'microsoftDefenderForCloud')) as GraphIncident;
    expect(cloud).toBeDefined();
    const cloudPlain = await api.incident<GraphIncident>(riley, cloud.id, '?$expand=alerts');
    const cloudAlerts = (cloudPlain.json.alerts as GraphAlert[]).filter((_, n) => itemAt(cloud.alerts as GraphAlert[], n, 'alerts').serviceSource === 'microsoftDefenderForCloud');
    expect(cloudAlerts.length).toBeGreaterThan(0);
    for (const a of cloudAlerts) {
      expect(a.serviceSource).toBe('unknownFutureValue');
      expect(a.detectionSource).toBe('unknownFutureValue');
    }
    // Base members are unaffected.
    const endpoint = expanded.find((i) => i.alerts?.every((a) => a.serviceSource === 'microsoftDefenderForEndpoint')) as GraphIncident;
    const endpointPlain = await api.incident<GraphIncident>(riley, endpoint.id, '?$expand=alerts');
    expect(endpointPlain.json.alerts?.map((a) => a.serviceSource)).toEqual(endpoint.alerts?.map((a) => a.serviceSource));
    // The header may carry other preferences too.
    const mixed = await api.incident<GraphIncident>(riley, awaiting.id, '', { prefer: 'odata.maxpagesize=10, include-unknown-enum-members' });
    expect(mixed.json.status).toBe('awaitingAction');
  });

  it('some awaitingAction incidents are on workstations, where every analyst sees them, and the Defender API shows them as Active', async () => {
    const sam = await graphToken(emu, 'sam@contoso.example');
    const samAwaiting = (await allPages(api, sam, { $filter: "status eq 'awaitingAction'" }, PREFER)).flatMap((p) => p.value);
    expect(samAwaiting.length).toBeGreaterThan(0);
    const legacy = await emu.control.incidents.get(CONTOSO_ID, Number(itemAt(samAwaiting, 0, 'awaiting incidents').id));
    expect(legacy?.status).toBe('Active');
  });
});
