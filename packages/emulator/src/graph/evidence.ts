import type { GraphEvidenceKind } from '../defender/catalog';
import { SCENARIOS } from '../defender/catalog';
import type { TenantProfile } from '../defender/generate';
import type { Alert, Device, Entity } from '../defender/model';
import { hash32, Rng } from '../defender/prng';
import { formatTicks } from '../defender/timestamps';
import { itemAt } from '../lists';
import { lowerFirst } from './enums';

/**
 * The `evidence` of a Graph alert (resources/security-alertevidence.md): the legacy alert's devices and
 * entities mapped onto the typed evidence Graph defines, plus what only Graph shows (cloud applications,
 * Azure/AWS/GCP resources, storage, containers and Kubernetes, and a type from the future that no client
 * can know). Deterministic: the same alert gives the same evidence on every call.
 */

type Json = Record<string, unknown>;
const NS = '#microsoft.graph.security.';

/** Where the Graph-only evidence of a templated alert comes from: the templates that name some, by title. */
const GRAPH_ONLY = SCENARIOS.flatMap((s) => s.alerts).filter((t) => t.graphEvidence?.length);

const SOME_FUTURE_TYPE = `${NS}someFutureEvidence`;

interface Ctx {
  profile: TenantProfile;
  rng: Rng;
  alert: Alert;
  /** The alert's creation instant, for evidence timestamps. */
  createdMs: number;
}

function stamp(c: Ctx, offsetMs = 0): string {
  return formatTicks(c.createdMs + offsetMs + c.rng.int(0, 90_000), c.rng.int(0, 9999));
}

function base(c: Ctx, type: string, fields: { verdict?: string; remediationStatus?: string; roles?: string[]; tags?: string[] } = {}): Json {
  return {
    '@odata.type': `${NS}${type}Evidence`,
    createdDateTime: stamp(c),
    verdict: fields.verdict ?? c.rng.pick(['unknown', 'suspicious', 'suspicious', 'malicious']),
    remediationStatus: fields.remediationStatus ?? 'none',
    remediationStatusDetails: null,
    roles: fields.roles ?? [],
    detailedRoles: [],
    tags: fields.tags ?? [],
  };
}

function legacyBase(c: Ctx, type: string, e: Entity, roles: string[] = []): Json {
  return {
    ...base(c, type, { verdict: lowerFirst(e.verdict), remediationStatus: lowerFirst(e.remediationStatus), roles }),
    createdDateTime: e.evidenceCreationTime,
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function sizeOf(hash: string | null): number {
  return hash ? (parseInt(hash.slice(0, 6), 16) % 4_000_000) + 2048 : 4096;
}

const COUNTRIES = ['US', 'NL', 'RU', 'BR', 'DE', 'SG', 'FR', 'NG'];

function countryOf(ip: string): string | null {
  if (ip.startsWith('10.')) return null;
  return itemAt(COUNTRIES, hash32('country', ip) % COUNTRIES.length, 'countries');
}

function deviceEvidence(c: Ctx, d: Device): Json {
  const host = d.deviceDnsName.split('.')[0];
  return {
    ...base(c, 'device', { roles: c.rng.pick([[], [], ['compromised'], ['attacked']]), tags: d.tags }),
    firstSeenDateTime: d.firstSeen,
    mdeDeviceId: d.mdatpDeviceId,
    azureAdDeviceId: d.aadDeviceId ?? null,
    deviceDnsName: d.deviceDnsName,
    hostName: host,
    ntDomain: d.deviceDnsName.includes('.') ? c.profile.netbios : null,
    dnsDomain: d.deviceDnsName.includes('.') ? c.profile.domain : null,
    osPlatform: d.osPlatform,
    osBuild: d.osBuild ?? null,
    version: d.version ?? null,
    healthStatus: lowerFirst(d.healthStatus),
    riskScore: lowerFirst(d.riskScore),
    rbacGroupId: d.rbacGroupId,
    rbacGroupName: d.rbacGroupName,
    onboardingStatus: lowerFirst(d.onboardingStatus),
    defenderAvStatus: lowerFirst(d.defenderAvStatus),
    lastIpAddress: `10.${(hash32(d.mdatpDeviceId) % 30) + 1}.${hash32(d.mdatpDeviceId, 'b') % 250}.${(hash32(d.mdatpDeviceId, 'c') % 250) + 2}`,
    lastExternalIpAddress: `198.51.100.${(hash32(d.mdatpDeviceId, 'x') % 250) + 2}`,
    loggedOnUsers: [],
    vmMetadata: d.vmMetadata
      ? { vmId: d.vmMetadata.vmId, cloudProvider: 'azure', resourceId: d.vmMetadata.resourceId, subscriptionId: d.vmMetadata.subscriptionId }
      : null,
  };
}

function userAccount(c: Ctx, e: Entity): Json {
  const upn = str(e.userPrincipalName);
  return {
    accountName: str(e.accountName),
    domainName: str(e.domainName),
    userSid: str(e.userSid),
    azureAdUserId: str(e.aadUserId),
    userPrincipalName: upn,
    displayName: c.profile.people.find((p) => p.upn === upn)?.displayName ?? null,
  };
}

const DELIVERY_LOCATIONS: Record<string, string> = { Delivered: 'inbox', Junked: 'junkFolder', Blocked: 'failed', Replaced: 'inbox' };

/** The Graph evidence of one legacy entity (a Registry entity is both a key and a value). */
function fromEntity(c: Ctx, e: Entity): Json[] {
  switch (e.entityType) {
    case 'User':
      return [{ ...legacyBase(c, 'user', e, c.rng.chance(0.4) ? ['compromised'] : []), userAccount: userAccount(c, e) }];
    case 'Ip': {
      const ip = str(e.ipAddress) ?? '';
      const roles = ip.startsWith('10.') ? ['source'] : [c.rng.pick(['attacker', 'source', 'destination', 'commandAndControl'])];
      return [{ ...legacyBase(c, 'ip', e, roles), ipAddress: ip, countryLetterCode: countryOf(ip), location: null }];
    }
    case 'Url':
      return [{ ...legacyBase(c, 'url', e, c.rng.chance(0.5) ? ['commandAndControl'] : []), url: str(e.url) }];
    case 'File': {
      const sha1 = str(e.sha1);
      return [
        {
          ...legacyBase(c, 'file', e),
          detectionStatus: c.rng.pick(['detected', 'blocked', 'prevented']),
          mdeDeviceId: str(e.deviceId),
          fileDetails: {
            fileName: str(e.fileName),
            filePath: str(e.filePath),
            sha1,
            sha256: str(e.sha256),
            md5: null,
            fileSize: sizeOf(sha1),
            filePublisher: null,
            signer: null,
            issuer: null,
          },
        },
      ];
    }
    case 'Process': {
      const sha1 = str(e.sha1);
      return [
        {
          ...legacyBase(c, 'process', e),
          processId: num(e.processId),
          processCommandLine: str(e.processCommandLine),
          processCreationDateTime: str(e.processCreationTime),
          parentProcessId: num(e.parentProcessId),
          parentProcessCreationDateTime: str(e.parentProcessCreationTime),
          parentProcessImageFile: null,
          imageFile: { fileName: str(e.fileName), filePath: null, sha1, sha256: null, md5: null, fileSize: sizeOf(sha1), filePublisher: null, signer: null, issuer: null },
          mdeDeviceId: str(e.deviceId),
          userAccount: null,
          detectionStatus: c.rng.pick(['detected', 'blocked', 'prevented']),
        },
      ];
    }
    case 'Mailbox':
    case 'MailBox':
      return [{ ...legacyBase(c, 'mailbox', e), primaryAddress: str(e.mailboxAddress), displayName: str(e.mailboxDisplayName), userAccount: null }];
    case 'MailMessage': {
      const sender = str(e.sender) ?? '';
      const domain = sender.split('@')[1] ?? null;
      const action = str(e.deliveryAction) ?? 'Delivered';
      return [
        {
          ...legacyBase(c, 'analyzedMessage', e),
          subject: str(e.subject),
          internetMessageId: str(e.internetMessageId),
          networkMessageId: c.rng.guid(),
          p1Sender: { emailAddress: sender, displayName: null, domainName: domain },
          p2Sender: { emailAddress: sender, displayName: null, domainName: domain },
          recipientEmailAddress: str(e.recipient),
          deliveryAction: action,
          deliveryLocation: DELIVERY_LOCATIONS[action] ?? 'unknown',
          receivedDateTime: e.evidenceCreationTime,
          senderIp: `203.0.113.${c.rng.int(2, 250)}`,
          antiSpamDirection: 'Inbound',
          language: 'en',
          attachmentsCount: c.rng.int(0, 2),
          urlCount: c.rng.int(0, 3),
          urls: [],
          threats: [],
          threatDetectionMethods: [],
          urn: `urn:MailEntity:${c.rng.hex(32)}`,
        },
      ];
    }
    case 'MailCluster': {
      const clusterBy = str(e.clusterBy) ?? '';
      const value = str(e.clusterByValue) ?? '';
      return [
        {
          ...legacyBase(c, 'mailCluster', e),
          name: `${clusterBy}: ${value.slice(0, 12)}`,
          clusterBy,
          clusterByValue: value,
          emailCount: num(e.emailCount),
          networkMessageIds: [],
          query: `(NetworkMessageId:* AND ClusterBy:"${clusterBy}")`,
          urn: `urn:MailClusterEntity:${value.slice(0, 32)}`,
        },
      ];
    }
    case 'Registry': {
      const hive = str(e.registryHive);
      const key = str(e.registryKey);
      const valueName = c.rng.pick(['OneDrive Update', 'SecurityHealth', 'Start', 'DisableAntiSpyware', 'Updater']);
      return [
        { ...legacyBase(c, 'registryKey', e, ['edited']), registryHive: hive, registryKey: key },
        {
          ...legacyBase(c, 'registryValue', e, ['edited']),
          registryHive: hive,
          registryKey: key,
          registryValueName: valueName,
          registryValue: str(e.registryValue),
          registryValueType: str(e.registryValueType),
          mdeDeviceId: str(e.deviceId),
        },
      ];
    }
    case 'SecurityGroup':
      return [{ ...legacyBase(c, 'securityGroup', e, ['added']), displayName: str(e.securityGroupName), securityGroupId: str(e.securityGroupId) }];
    default:
      return [];
  }
}

const CLOUD_APPS: readonly [number, string][] = [
  [20893, 'Microsoft Exchange Online'],
  [15600, 'Microsoft OneDrive for Business'],
  [20892, 'Microsoft SharePoint Online'],
  [11161, 'Office 365'],
];
const OAUTH_APPS: readonly [string, string][] = [
  ['Mail Sync Pro', 'Unverified publisher'],
  ['PDF Converter Online', 'pdf-tools.example'],
  ['Calendar Helper', 'Fabrikam Labs'],
];

function cloudApps(c: Ctx): Json[] {
  const [appId, name] = c.rng.pick(CLOUD_APPS);
  const [oauthName, publisher] = c.rng.pick(OAUTH_APPS);
  return [
    { ...base(c, 'cloudApplication', { roles: ['contextual'] }), appId, displayName: name, instanceId: 0, instanceName: name, saasAppId: appId, stream: null },
    {
      ...base(c, 'oauthApplication', { roles: c.rng.chance(0.5) ? ['suspicious'] : ['contextual'] }),
      appId: Rng.from(c.profile.seed, c.profile.tenantId, 'oauth', oauthName).guid(),
      displayName: oauthName,
      objectId: Rng.from(c.profile.seed, c.profile.tenantId, 'oauth-object', oauthName).guid(),
      publisher,
    },
  ];
}

function vmResource(c: Ctx, d: Device): Json | undefined {
  if (!d.vmMetadata) return undefined;
  return {
    ...base(c, 'azureResource', { roles: ['contextual'] }),
    resourceId: d.vmMetadata.resourceId,
    resourceName: d.vmMetadata.resourceId.split('/').pop() ?? d.deviceDnsName,
    resourceType: 'Virtual Machine',
  };
}

/** The cloud world of a tenant, derived from its name: one AKS cluster, a storage account, an AWS account, a GCP project. */
function cloudNames(c: Ctx) {
  const t = c.profile.netbios.toLowerCase();
  const sub = Rng.from(c.profile.seed, c.profile.tenantId, 'subscription').guid();
  return {
    sub,
    cluster: `aks-${t}-prod-01`,
    clusterId: `/subscriptions/${sub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-${t}-prod-01`,
    registry: `${t}acr.azurecr.io`,
    storage: `st${t}data01`,
    storageId: `/subscriptions/${sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/st${t}data01`,
    awsAccount: String(100000000000 + (hash32(c.profile.tenantId, 'aws') % 899999999999)),
    gcpProject: `${t}-analytics`,
    gcpNumber: String(100000000000 + (hash32(c.profile.tenantId, 'gcp') % 899999999999)),
  };
}

function cloudEvidence(c: Ctx, kinds: readonly GraphEvidenceKind[]): Json[] {
  const n = cloudNames(c);
  const app = c.rng.pick(['payments-api', 'web-frontend', 'orders-worker', 'reporting']);
  const namespaceName = c.rng.pick(['payments', 'web', 'default', 'batch']);
  const podName = `${app}-${c.rng.hex(10)}-${c.rng.hex(5)}`;
  const tag = `${c.rng.int(1, 4)}.${c.rng.int(0, 20)}.${c.rng.int(0, 9)}`;
  const labels = { app, 'app.kubernetes.io/part-of': namespaceName };

  const azureResource = (resourceId: string, resourceName: string, resourceType: string, roles = ['contextual']) => ({
    ...base(c, 'azureResource', { roles }),
    resourceId,
    resourceName,
    resourceType,
  });
  const cluster = () => ({
    ...base(c, 'kubernetesCluster', { roles: ['contextual'] }),
    name: n.cluster,
    platform: 'aks',
    distribution: 'aks',
    version: '1.29.4',
    cloudResource: azureResource(n.clusterId, n.cluster, 'Microsoft.ContainerService/managedClusters'),
  });
  const namespace = () => ({ ...base(c, 'kubernetesNamespace', { roles: ['contextual'] }), name: namespaceName, labels: {}, cluster: cluster() });
  const registry = () => ({ ...base(c, 'containerRegistry', { roles: ['contextual'] }), registry: n.registry });
  const image = () => ({
    ...base(c, 'containerImage', { roles: ['contextual'] }),
    imageId: `${n.registry}/${app}:${tag}`,
    digestImage: null,
    registry: registry(),
  });
  const container = () => ({
    ...base(c, 'container', { roles: ['suspicious'] }),
    name: app,
    containerId: c.rng.hex(64),
    command: ['/bin/sh', '-c'],
    args: ['nsenter --target 1 --mount --uts --ipc --net --pid -- bash'],
    isPrivileged: true,
    image: image(),
    pod: null,
  });
  const controller = () => ({ ...base(c, 'kubernetesController', { roles: ['contextual'] }), name: app, type: 'Deployment', labels, namespace: namespace() });
  const serviceAccount = () => ({ ...base(c, 'kubernetesServiceAccount', { roles: ['suspicious'] }), name: `${app}-sa`, namespace: namespace() });
  const ip = (address: string, roles: string[]) => ({ ...base(c, 'ip', { roles }), ipAddress: address, countryLetterCode: countryOf(address), location: null });
  const pod = () => ({
    ...base(c, 'kubernetesPod', { roles: ['compromised'] }),
    name: podName,
    namespace: namespace(),
    labels,
    podIp: ip(`10.244.${c.rng.int(0, 9)}.${c.rng.int(2, 250)}`, ['source']),
    containers: [container()],
    initContainers: [],
    ephemeralContainers: [],
    controller: controller(),
    serviceAccount: serviceAccount(),
  });
  const storageResource = () => azureResource(n.storageId, n.storage, 'Microsoft.Storage/storageAccounts');
  const blobContainer = () => ({
    ...base(c, 'blobContainer', { roles: ['contextual'] }),
    name: 'uploads',
    url: `https://${n.storage}.blob.core.windows.net/uploads`,
    storageResource: storageResource(),
  });

  return kinds.map((kind): Json => {
    switch (kind) {
      case 'kubernetesCluster':
        return cluster();
      case 'kubernetesNamespace':
        return namespace();
      case 'kubernetesPod':
        return pod();
      case 'kubernetesController':
        return controller();
      case 'kubernetesServiceAccount':
        return serviceAccount();
      case 'kubernetesSecret':
        return { ...base(c, 'kubernetesSecret', { roles: ['attacked'] }), name: `${app}-db-credentials`, secretType: 'Opaque', namespace: namespace() };
      case 'kubernetesService':
        return {
          ...base(c, 'kubernetesService', { roles: ['contextual'] }),
          name: `${app}-svc`,
          namespace: namespace(),
          serviceType: 'LoadBalancer',
          clusterIP: ip(`10.0.${c.rng.int(0, 250)}.${c.rng.int(2, 250)}`, ['destination']),
          externalIPs: [ip(`192.0.2.${c.rng.int(2, 250)}`, ['destination'])],
          labels,
          selector: { app },
          servicePorts: [{ name: 'https', port: 443, targetPort: '8443', protocol: 'tcp', nodePort: 0, appProtocol: 'https' }],
        };
      case 'container':
        return container();
      case 'containerImage':
        return image();
      case 'containerRegistry':
        return registry();
      case 'azureResource':
        return storageResource();
      case 'blobContainer':
        return blobContainer();
      case 'blob': {
        const name = c.rng.pick(['invoice_48213.docm', 'update.exe', 'payload.dll', 'backup.zip']);
        return {
          ...base(c, 'blob', { verdict: 'malicious', roles: ['created'] }),
          name,
          url: `https://${n.storage}.blob.core.windows.net/uploads/${name}`,
          etag: `0x8DC${c.rng.hex(12).toUpperCase()}`,
          fileHashes: [{ algorithm: 'sha256', value: c.rng.hex(64) }],
          blobContainer: blobContainer(),
        };
      }
      case 'amazonResource': {
        const user = c.rng.pick(['ci-deployer', 'backup-bot', 'analytics-reader']);
        return {
          ...base(c, 'amazonResource', { roles: ['compromised'] }),
          amazonAccountId: n.awsAccount,
          amazonResourceId: `arn:aws:iam::${n.awsAccount}:user/${user}`,
          resourceName: user,
          resourceType: 'AWS::IAM::User',
        };
      }
      case 'googleCloudResource': {
        const vm = `instance-${c.rng.int(1, 9)}`;
        return {
          ...base(c, 'googleCloudResource', { roles: ['attacked'] }),
          projectId: n.gcpProject,
          projectNumber: Number(n.gcpNumber),
          resourceName: vm,
          resourceType: 'compute.googleapis.com/Instance',
          location: 'europe-west1-b',
          locationType: 'zonal',
          fullResourceName: `//compute.googleapis.com/projects/${n.gcpProject}/zones/europe-west1-b/instances/${vm}`,
        };
      }
      case 'someFuture':
        return someFuture(c);
    }
  });
}

/** Evidence of a type Graph may add one day: clients must show it generically, not break on it. */
function someFuture(c: Ctx): Json {
  return { ...base(c, 'someFuture'), '@odata.type': SOME_FUTURE_TYPE, name: `agent-${c.rng.int(1, 99)}`, detail: 'A kind of evidence this client has never seen.' };
}

/** The evidence of alert number `index` of incident `incidentId`. */
export function alertEvidence(profile: TenantProfile, incidentId: number, index: number, alert: Alert): Json[] {
  const createdMs = Date.parse(alert.creationTime.slice(0, 23) + 'Z');
  const c: Ctx = { profile, alert, createdMs, rng: Rng.from(profile.seed, profile.tenantId, 'graph-evidence', incidentId, index) };
  const out: Json[] = [];
  for (const d of alert.devices) {
    out.push(deviceEvidence(c, d));
    const vm = vmResource(c, d);
    if (vm) out.push(vm);
  }
  for (const e of alert.entities) out.push(...fromEntity(c, e));
  if (alert.serviceSource === 'MicrosoftCloudAppSecurity') out.push(...cloudApps(c));
  const template = GRAPH_ONLY.find((t) => alert.title.startsWith(t.title));
  if (template?.graphEvidence) out.push(...cloudEvidence(c, template.graphEvidence));
  else if (hash32(profile.seed, profile.tenantId, 'future', incidentId, index) % 50 === 0) out.push(someFuture(c));
  return out;
}
