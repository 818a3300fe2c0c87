import { labels } from '../../src/incidents/labels';
import { defenderIncident } from '../../src/incidents/sources/defender';
import { graphIncident } from '../../src/incidents/sources/graph';
import { retryAfterOf } from '../../src/incidents/sources/http';
import { evidenceGroups } from '../../src/incidents/view';

/** Shaped like the example of Graph's "Get incident" page ($expand=alerts), trimmed. */
const graphPayload = {
  '@odata.type': '#microsoft.graph.security.incident',
  id: '2972395',
  incidentWebUrl: 'https://security.microsoft.com/incidents/2972395?tid=12f988bf-16f1-11af-11ab-1d7cd011db47',
  redirectIncidentId: null,
  displayName: 'Multi-stage incident involving Initial access & Command and control on multiple endpoints reported by multiple sources',
  tenantId: '12f988bf-16f1-11af-11ab-1d7cd011db47',
  createdDateTime: '2021-08-13T08:43:35.5533333Z',
  lastUpdateDateTime: '2021-09-30T09:35:45.1133333Z',
  assignedTo: 'KaiC@contoso.onmicrosoft.com',
  classification: 'TruePositive',
  determination: 'MultiStagedAttack',
  status: 'Active',
  severity: 'medium',
  customTags: ['Demo'],
  systemTags: ['Defender Experts'],
  comments: [{ comment: 'Demo incident', createdBy: 'DavidS@contoso.onmicrosoft.com', createdTime: '2021-09-30T12:07:37.2756993Z' }],
  alerts: [
    {
      id: 'da637551227677560813_-961444813',
      title: 'Suspicious execution of hidden file',
      severity: 'low',
      status: 'new',
      serviceSource: 'microsoftDefenderForEndpoint',
      detectionSource: 'antivirus',
      category: 'DefenseEvasion',
      mitreTechniques: ['T1564.001'],
      evidence: [
        { '@odata.type': '#microsoft.graph.security.deviceEvidence', verdict: 'unknown', remediationStatus: 'none', roles: [], deviceDnsName: 'tempDns', osPlatform: 'Windows10', rbacGroupName: 'UnassignedGroup' },
        { '@odata.type': '#microsoft.graph.security.userEvidence', verdict: 'suspicious', roles: ['compromised'], userAccount: { accountName: 'user1', domainName: 'contoso', userPrincipalName: 'user1@contoso.com' } },
        { '@odata.type': '#microsoft.graph.security.fileEvidence', verdict: 'malicious', fileDetails: { fileName: 'a.exe', sha256: 'ab'.repeat(32), filePath: 'C:\\\\tmp' } },
        { '@odata.type': '#microsoft.graph.security.kubernetesPodEvidence', verdict: 'unknown', name: 'web-7f9', podIp: { ipAddress: '10.0.0.4' }, namespace: 'prod' },
      ],
    },
  ],
};

describe('the Graph adapter reads what Graph sends', () => {
  it('maps ids, names, enums in either case, tags, comments in either key style, and typed evidence', () => {
    const i = graphIncident(graphPayload);
    expect(i).toMatchObject({
      id: '2972395',
      displayName: graphPayload.displayName,
      status: 'active',
      severity: 'medium',
      classification: 'truePositive',
      determination: 'multiStagedAttack',
      assignedTo: 'KaiC@contoso.onmicrosoft.com',
      customTags: ['Demo'],
      systemTags: ['Defender Experts'],
      comments: [{ text: 'Demo incident', author: 'DavidS@contoso.onmicrosoft.com', createdAt: '2021-09-30T12:07:37.2756993Z' }],
    });
    const groups = evidenceGroups(i!);
    expect(groups.map((g) => [g.type, g.items.map((e) => e.name)])).toEqual([
      ['device', ['tempDns']],
      ['user', ['user1@contoso.com']],
      ['file', ['a.exe']],
      ['kubernetesPod', ['web-7f9']],
    ]);
    expect(groups[3]?.label).toBe('Kubernetes pod');
  });

  it('reads both spellings of determinations and keeps a member it does not know, marked', () => {
    expect(graphIncident({ ...graphPayload, determination: 'clean' })?.determination).toBe('notMalicious');
    expect(graphIncident({ ...graphPayload, determination: 'insufficientData' })?.determination).toBe('notEnoughDataToValidate');
    const future = graphIncident({ ...graphPayload, status: 'pendingReview' });
    expect(future?.status).toBe('pendingReview');
    expect(labels.status(future!.status)).toBe('pendingReview (not known to ThreatDesk)');
    expect(labels.status('awaitingAction')).toBe('Awaiting action');
  });

  it('refuses an item without an id or last update, instead of guessing', () => {
    expect(graphIncident({ ...graphPayload, id: undefined })).toBeUndefined();
    expect(graphIncident({ ...graphPayload, lastUpdateDateTime: undefined })).toBeUndefined();
    expect(graphIncident('not an object')).toBeUndefined();
    // A missing creation time is not a reason to drop an incident.
    expect(graphIncident({ ...graphPayload, createdDateTime: undefined })?.createdAt).toBeNull();
  });
});

describe('the legacy Defender adapter maps into the same model', () => {
  const legacy = {
    incidentId: 924565,
    incidentUri: 'https://security.microsoft.com/incidents/924565?tid=12f988bf',
    redirectIncidentId: null,
    incidentName: 'Ransomware activity',
    createdTime: '2020-09-06T14:46:57.0733333Z',
    lastUpdateTime: '2020-09-06T14:46:57.29Z',
    assignedTo: 'Unassigned',
    classification: 'Unknown',
    determination: 'NotAvailable',
    status: 'Redirected',
    severity: 'UnSpecified',
    tags: ['Ransomware'],
    comments: [{ comment: 'test', createdBy: 'secop2@contoso.com', createdTime: '2021-01-26T01:00:37.8404534Z' }],
    alerts: [
      {
        alertId: 'caD70CFEE2-7FC1-3C6E-B7A0-FD3E1DB6BAB5',
        serviceSource: 'MicrosoftDefenderForEndpoint',
        detectionSource: 'WindowsDefenderAv',
        status: 'Resolved',
        severity: 'High',
        devices: [{ mdatpDeviceId: 'd1', deviceDnsName: 'host1.contoso.com', osPlatform: 'Windows10' }],
        entities: [
          { entityType: 'User', accountName: 'admin', domainName: 'contoso', userPrincipalName: 'admin@contoso.com' },
          { entityType: 'Mailbox', mailboxAddress: 'x@contoso.com', mailboxDisplayName: 'X', verdict: 'Suspicious' },
          { entityType: 'Ip', ipAddress: '10.1.1.1' },
        ],
      },
    ],
  };

  it('turns numbers into string ids, PascalCase into Graph members, and "Unassigned" into nobody', () => {
    const i = defenderIncident(legacy);
    expect(i).toMatchObject({ id: '924565', status: 'redirected', severity: 'unknown', classification: '', determination: '', assignedTo: '', customTags: ['Ransomware'] });
    expect(i?.alerts?.[0]).toMatchObject({ serviceSource: 'microsoftDefenderForEndpoint', status: 'resolved', severity: 'high' });
    expect(evidenceGroups(i!).map((g) => [g.type, g.items.map((e) => [e.name, e.verdict])])).toEqual([
      ['device', [['host1.contoso.com', null]]],
      ['user', [['admin@contoso.com', null]]],
      ['mailbox', [['x@contoso.com', 'suspicious']]],
      ['ip', [['10.1.1.1', null]]],
    ]);
  });

  it('refuses a string that is not a number as an id, and a missing last update', () => {
    expect(defenderIncident({ ...legacy, incidentId: 'abc' })).toBeUndefined();
    expect(defenderIncident({ ...legacy, lastUpdateTime: undefined })).toBeUndefined();
    expect(defenderIncident({ ...legacy, incidentId: '924565' })?.id).toBe('924565');
  });
});

describe('how long a throttled answer asks to wait', () => {
  it('reads the header first, else the sentence in the Defender API message', () => {
    expect(retryAfterOf('12', 'You can send requests again in 8 seconds.')).toBe(12);
    expect(retryAfterOf(undefined, 'API calls quota exceeded! You can send requests again in 8 seconds.')).toBe(8);
    expect(retryAfterOf(undefined, 'try again in 2 minutes')).toBe(120);
    expect(retryAfterOf(undefined, 'Too many requests')).toBeUndefined();
  });
});
