import type { AlertSeverity, DeviceGroup, Severity } from './model';

/**
 * Static material the generator draws from: scenarios shaped like the incidents Defender XDR correlates,
 * with alert titles, categories and MITRE techniques that belong together. Hosts are `.example` names and
 * addresses come from the documentation ranges, so nothing generated points at a real system.
 */

export const SERVICE = {
  endpoint: 'MicrosoftDefenderForEndpoint',
  office: 'MicrosoftDefenderForOffice365',
  cloudApps: 'MicrosoftCloudAppSecurity',
  aadip: 'AADIdentityProtection',
  identity: 'MicrosoftDefenderForIdentity',
  cloud: 'MicrosoftDefenderForCloud',
} as const;
export type ServiceKey = keyof typeof SERVICE;

/** Older incidents carry the service names of their time (service-facts §1.6). */
export const LEGACY_SERVICE: Partial<Record<ServiceKey, string>> = {
  endpoint: 'MicrosoftDefenderATP',
  office: 'OfficeATP',
};

export const DETECTION_SOURCES: Record<ServiceKey, readonly string[]> = {
  endpoint: ['WindowsDefenderAv', 'WindowsDefenderAtp', 'AutomatedInvestigation', 'CustomerTI'],
  office: ['OfficeATP'],
  cloudApps: ['MCAS'],
  aadip: ['AAD'],
  identity: ['AzureATP'],
  cloud: ['MicrosoftDefenderForCloud'],
};

/** Services whose alerts name devices; the others only carry entities. */
export const DEVICE_SERVICES: ReadonlySet<ServiceKey> = new Set<ServiceKey>(['endpoint', 'identity']);

export type EntityKind =
  | 'User'
  | 'Ip'
  | 'Url'
  | 'File'
  | 'Process'
  | 'Mailbox'
  | 'MailMessage'
  | 'MailCluster'
  | 'Registry'
  | 'SecurityGroup';

/**
 * Evidence only the Graph API shows (the legacy API's entities have no such types): cloud workloads,
 * Kubernetes, storage, other clouds, and one type no client can know yet.
 */
export type GraphEvidenceKind =
  | 'kubernetesCluster'
  | 'kubernetesNamespace'
  | 'kubernetesPod'
  | 'kubernetesController'
  | 'kubernetesSecret'
  | 'kubernetesServiceAccount'
  | 'kubernetesService'
  | 'container'
  | 'containerImage'
  | 'containerRegistry'
  | 'blob'
  | 'blobContainer'
  | 'azureResource'
  | 'amazonResource'
  | 'googleCloudResource'
  | 'someFuture';

export interface AlertTemplate {
  title: string;
  description: string;
  category: string;
  service: ServiceKey;
  mitre: string[];
  entities: EntityKind[];
  /** `{family}` in title/description is replaced by the incident's threat family. */
  usesFamily?: boolean;
  /** Replaces the service's detection source (legacy spelling). */
  detectionSource?: string;
  /** Evidence the Graph API adds to what the legacy entities map to. */
  graphEvidence?: GraphEvidenceKind[];
}

export interface Scenario {
  key: string;
  weight: number;
  /** How many devices (0 = an email, identity or cloud-app incident with no device). */
  devices: [number, number];
  groups: readonly (readonly [DeviceGroup, number])[];
  severity: readonly (readonly [Severity, number])[];
  /** Incident names; `{endpoints}` becomes "one endpoint" or "multiple endpoints", `{family}` the threat family. */
  names: readonly string[];
  alerts: readonly AlertTemplate[];
  /** The determination a resolved true positive of this kind usually gets. */
  truePositive: string;
  tags: readonly string[];
  families?: readonly string[];
  actors?: readonly string[];
}

const A = (
  title: string,
  category: string,
  service: ServiceKey,
  mitre: string[],
  entities: EntityKind[],
  description: string,
  usesFamily = false,
): AlertTemplate => ({ title, category, service, mitre, entities, description, usesFamily });

const POWERSHELL = A(
  'Suspicious PowerShell command line',
  'Execution',
  'endpoint',
  ['T1059.001', 'T1027'],
  ['Process', 'File', 'User'],
  'A suspicious PowerShell command line was found on the device. The command line might be used to download and run a payload.',
);
const INJECTION = A(
  'Suspicious process injection observed',
  'DefenseEvasion',
  'endpoint',
  ['T1055', 'T1055.012'],
  ['Process', 'File'],
  'A process injected code into another process, a technique attackers use to hide malicious code.',
);
const SCHEDULED_TASK = A(
  'Suspicious Scheduled Task',
  'Persistence',
  'endpoint',
  ['T1053.005'],
  ['Process', 'File', 'Registry'],
  'A scheduled task was created to run a file from an unusual location at logon.',
);
const RUN_KEY = A(
  'Anomaly detected in ASEP registry',
  'Persistence',
  'endpoint',
  ['T1547.001', 'T1112'],
  ['Registry', 'Process', 'File'],
  'A process registered a suspicious command or file in an autostart (ASEP) registry key.',
);
const C2 = A(
  'Suspicious connection to a remote host',
  'CommandAndControl',
  'endpoint',
  ['T1071.001', 'T1105'],
  ['Ip', 'Url', 'Process'],
  'A process connected to a remote address associated with command-and-control infrastructure.',
);
const LSASS = A(
  "Mimikatz credential theft tool",
  'CredentialAccess',
  'endpoint',
  ['T1003.001'],
  ['Process', 'File', 'User'],
  'The Mimikatz credential theft tool or its behaviour was detected. Attackers use it to read credentials from LSASS memory.',
);
const MALWARE_DETECTED = A(
  "'{family}' malware was detected",
  'Malware',
  'endpoint',
  [],
  ['File', 'Process'],
  "Malware from the '{family}' family was detected on the device.",
  true,
);
const MALWARE_PREVENTED = A(
  "'{family}' malware was prevented",
  'Malware',
  'endpoint',
  [],
  ['File'],
  "Microsoft Defender Antivirus prevented '{family}' malware from running.",
  true,
);
const RANSOM_FS = A(
  'Ransomware behavior detected in the file system',
  'Ransomware',
  'endpoint',
  ['T1486'],
  ['File', 'Process', 'User'],
  'Files on the device were encrypted or renamed in bulk, behaviour typical of ransomware.',
);
const BACKUP_DELETE = A(
  'File backups were deleted',
  'Impact',
  'endpoint',
  ['T1490', 'T1059.003'],
  ['Process'],
  'A process deleted volume shadow copies, a step ransomware takes before encrypting files.',
);
const REMOTE_EXEC = A(
  'Suspicious remote activity',
  'LateralMovement',
  'endpoint',
  ['T1021.002', 'T1570'],
  ['Process', 'Ip', 'User'],
  'A remote session started a process on this device in a way attackers use to move laterally.',
);
const PORT_SCAN = A(
  'Network scan by a lab device',
  'Discovery',
  'endpoint',
  ['T1046'],
  ['Ip', 'Process'],
  'The device scanned many ports on other hosts of the network.',
);
const COBALT = A(
  "'CobaltStrike' command and control detected",
  'CommandAndControl',
  'endpoint',
  ['T1071.001', 'T1573'],
  ['Ip', 'Url', 'Process'],
  'A Cobalt Strike beacon connected to its team server.',
);
const UNWANTED = A(
  "'{family}' unwanted software was detected",
  'UnwantedSoftware',
  'endpoint',
  [],
  ['File'],
  "Potentially unwanted software ('{family}') was detected on the device.",
  true,
);
const UNWANTED_PREVENTED = A(
  "An active '{family}' unwanted software was blocked",
  'UnwantedSoftware',
  'endpoint',
  [],
  ['File', 'Process'],
  "Microsoft Defender Antivirus blocked the potentially unwanted application '{family}'.",
  true,
);
const TOR = A(
  'Tor browser installed',
  'SuspiciousActivity',
  'endpoint',
  ['T1090.003'],
  ['File', 'Process'],
  'The Tor browser was installed on the device. Its use may violate policy.',
);
const OFFICE_MACRO = A(
  'Suspicious behavior by Office application',
  'Execution',
  'endpoint',
  ['T1204.002', 'T1566.001'],
  ['Process', 'File', 'User'],
  'An Office application spawned a script host, which often follows opening a malicious attachment.',
);
const REPORTED_PHISH = A(
  'Email reported by user as malware or phish',
  'InitialAccess',
  'office',
  ['T1566.001'],
  ['Mailbox', 'MailMessage', 'User'],
  'A user reported an email message as malware or phishing.',
);
const ZAP_URL = A(
  'Email messages containing malicious URL removed after delivery',
  'InitialAccess',
  'office',
  ['T1566.002'],
  ['MailMessage', 'MailCluster', 'Url', 'Mailbox'],
  'Email messages that contain a URL later found malicious were removed from mailboxes after delivery (zero-hour auto purge).',
);
const ZAP_FILE = A(
  'Email messages containing malware removed after delivery',
  'Malware',
  'office',
  ['T1566.001'],
  ['MailMessage', 'MailCluster', 'File', 'Mailbox'],
  'Email messages with an attachment later found to be malware were removed from mailboxes after delivery.',
);
const URL_CLICK = A(
  'A potentially malicious URL click was detected',
  'InitialAccess',
  'office',
  ['T1204.001', 'T1566.002'],
  ['Url', 'User', 'MailMessage', 'Ip'],
  'A user clicked a link in an email that Safe Links later identified as malicious.',
);
const SENDING_PATTERN = A(
  'Suspicious email sending patterns detected',
  'SuspiciousActivity',
  'office',
  ['T1534'],
  ['Mailbox', 'User', 'Ip'],
  'A mailbox sent an unusual amount of email, which can mean the account is compromised.',
);
const UNFAMILIAR = A(
  'Unfamiliar sign-in properties',
  'InitialAccess',
  'aadip',
  ['T1078.004'],
  ['User', 'Ip'],
  'The sign-in had properties not seen recently for this user (location, device, IP address).',
);
const ATYPICAL = A(
  'Atypical travel',
  'InitialAccess',
  'aadip',
  ['T1078'],
  ['User', 'Ip'],
  'Two sign-ins came from locations too far apart to travel between in the time between them.',
);
const ANON_IP = A(
  'Anonymous IP address',
  'InitialAccess',
  'aadip',
  ['T1090.003'],
  ['User', 'Ip'],
  'The sign-in came from an anonymous proxy IP address.',
);
const PASSWORD_SPRAY = A(
  'Password spray',
  'CredentialAccess',
  'aadip',
  ['T1110.003'],
  ['User', 'Ip'],
  'Many accounts were tried with a few common passwords from the same addresses.',
);
const MASS_DOWNLOAD = A(
  'Mass download by a single user',
  'Exfiltration',
  'cloudApps',
  ['T1530'],
  ['User', 'Ip', 'Url'],
  'A user downloaded an unusually large number of files from cloud storage in a short time.',
);
const INBOX_RULE = A(
  'Suspicious inbox manipulation rule',
  'DefenseEvasion',
  'cloudApps',
  ['T1564.008'],
  ['Mailbox', 'User', 'Ip'],
  'A user created an inbox rule that moves or deletes messages, often done after an account takeover.',
);
const IMPOSSIBLE_TRAVEL = A(
  'Impossible travel activity',
  'InitialAccess',
  'cloudApps',
  ['T1078'],
  ['User', 'Ip'],
  'Activities of the same user came from distant locations within a time shorter than travel would take.',
);
const INFREQUENT_COUNTRY = A(
  'Activity from infrequent country',
  'InitialAccess',
  'cloudApps',
  ['T1078'],
  ['User', 'Ip'],
  'A user performed activities from a country the organization rarely or never sees.',
);
const DCSYNC = A(
  'Suspected DCSync attack (replication of directory services)',
  'CredentialAccess',
  'identity',
  ['T1003.006'],
  ['User', 'Ip'],
  'A replication request was sent to a domain controller from a computer that is not a domain controller.',
);
const KERBEROAST = A(
  'Suspected Kerberos SPN exposure',
  'CredentialAccess',
  'identity',
  ['T1558.003'],
  ['User', 'Ip'],
  'Kerberos service tickets were requested for many service accounts, which can precede offline password cracking.',
);
const SENSITIVE_GROUP = A(
  'Suspicious additions to sensitive groups',
  'Persistence',
  'identity',
  ['T1098'],
  ['SecurityGroup', 'User'],
  'A user was added to a highly privileged group outside of the usual change process.',
);
const ENUMERATION = A(
  'Account enumeration reconnaissance',
  'Discovery',
  'identity',
  ['T1087.002'],
  ['User', 'Ip'],
  'An attacker tried to find which account names exist in the domain.',
);

const cloud = (
  title: string,
  category: string,
  mitre: string[],
  entities: EntityKind[],
  detectionSource: string,
  graphEvidence: GraphEvidenceKind[],
  description: string,
): AlertTemplate => ({ title, category, service: 'cloud', mitre, entities, description, detectionSource, graphEvidence });

const K8S_PRIVILEGED = cloud(
  'Privileged container detected',
  'PrivilegeEscalation',
  ['T1611', 'T1610'],
  ['Ip'],
  'MicrosoftDefenderForContainers',
  ['kubernetesCluster', 'kubernetesNamespace', 'kubernetesPod', 'kubernetesController', 'container', 'containerImage', 'containerRegistry', 'someFuture'],
  'A container started with privileged rights in the cluster. Attackers use privileged containers to escape to the node.',
);
const K8S_SECRET = cloud(
  'Sensitive Kubernetes secret read by an unusual service account',
  'CredentialAccess',
  ['T1552.007'],
  ['Ip'],
  'MicrosoftDefenderForContainers',
  ['kubernetesSecret', 'kubernetesServiceAccount', 'kubernetesService', 'kubernetesNamespace', 'kubernetesCluster'],
  'A service account that never did so before read a secret holding credentials, through a service exposed outside the cluster.',
);
const STORAGE_MALWARE = cloud(
  'Malicious blob uploaded to a storage account',
  'Malware',
  ['T1105'],
  ['File', 'Ip'],
  'MicrosoftDefenderForStorage',
  ['blob', 'blobContainer', 'azureResource'],
  'Malware scanning found a malicious file uploaded to a blob container of the storage account.',
);
const AWS_KEY = cloud(
  'Suspicious API calls with an AWS access key',
  'InitialAccess',
  ['T1078.004'],
  ['Ip', 'User'],
  'MicrosoftDefenderForResourceManager',
  ['amazonResource'],
  'An AWS access key was used from an address and with API calls never seen for it before.',
);
const GCP_DISCOVERY = cloud(
  'Anomalous resource enumeration in a Google Cloud project',
  'Discovery',
  ['T1526', 'T1580'],
  ['Ip'],
  'MicrosoftDefenderForCloud',
  ['googleCloudResource'],
  'A principal listed the resources of a Google Cloud project in a way that resembles reconnaissance.',
);

export const THREAT_FAMILIES = ['Emotet', 'Qakbot', 'IcedID', 'AgentTesla', 'Lumma', 'Trickbot', 'AsyncRAT', 'Mimikatz'];
export const UNWANTED_FAMILIES = ['Presenoker', 'CoinMiner', 'BrowserModifier', 'Keygen', 'uTorrent', 'BundleInstaller'];
export const RANSOM_FAMILIES = ['LockBit', 'BlackCat', 'Akira', 'Royal'];
export const ACTORS = ['Storm-0506', 'Octo Tempest', 'Manatee Tempest', 'Sangria Tempest', 'Storm-1811'];

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'multistage',
    weight: 13,
    devices: [1, 3],
    groups: [['Workstations', 5], ['Servers', 3], ['Executives', 1], ['Finance', 1], ['Developers', 1]],
    severity: [['High', 4], ['Medium', 4], ['Low', 1]],
    names: [
      'Multi-stage incident involving Initial access & Execution on {endpoints}',
      'Multi-stage incident involving Execution & Persistence on {endpoints}',
      'Multi-stage incident involving Defense evasion & Command and control on {endpoints}',
      'Execution incident on {endpoints}',
    ],
    alerts: [POWERSHELL, INJECTION, SCHEDULED_TASK, RUN_KEY, C2, LSASS, OFFICE_MACRO],
    truePositive: 'MultiStagedAttack',
    tags: ['Needs review', 'Tier 2', 'Escalated'],
    actors: ACTORS,
  },
  {
    key: 'malware',
    weight: 12,
    devices: [1, 2],
    groups: [['Workstations', 5], ['Kiosks', 2], ['Developers', 2], ['Executives', 1], ['Finance', 1], ['Ungrouped devices (default)', 0.6]],
    severity: [['High', 2], ['Medium', 4], ['Low', 3], ['Informational', 1]],
    names: ["'{family}' malware was detected on {endpoints}", 'Malware incident on {endpoints}', "'{family}' malware was prevented on {endpoints}"],
    alerts: [MALWARE_DETECTED, MALWARE_PREVENTED, C2, POWERSHELL],
    truePositive: 'Malware',
    tags: ['Malware', 'Needs review'],
    families: THREAT_FAMILIES,
  },
  {
    key: 'ransomware',
    weight: 5,
    devices: [2, 6],
    groups: [['Servers', 4], ['Workstations', 4], ['Finance', 1], ['DomainControllers', 1]],
    severity: [['High', 9], ['Medium', 1]],
    names: [
      'Human-operated ransomware attack was launched from a compromised asset',
      'Ransomware activity on {endpoints}',
      "'{family}' ransomware was detected on {endpoints}",
    ],
    alerts: [RANSOM_FS, BACKUP_DELETE, REMOTE_EXEC, LSASS, C2, MALWARE_DETECTED],
    truePositive: 'MultiStagedAttack',
    tags: ['Ransomware', 'Escalated'],
    families: RANSOM_FAMILIES,
    actors: ACTORS,
  },
  {
    key: 'phish-email',
    weight: 15,
    devices: [0, 0],
    groups: [],
    severity: [['High', 1], ['Medium', 3], ['Low', 3], ['Informational', 3]],
    names: [
      'Email reported by user as malware or phish',
      'Email messages containing malicious URL removed after delivery involving one user',
      'Email messages containing malware removed after delivery involving multiple users',
      'Phishing campaign involving multiple users',
      'Suspicious email sending patterns detected involving one user',
    ],
    alerts: [REPORTED_PHISH, ZAP_URL, ZAP_FILE, URL_CLICK, SENDING_PATTERN],
    truePositive: 'Phishing',
    tags: ['Phishing campaign', 'Reported by user'],
  },
  {
    key: 'phish-endpoint',
    weight: 8,
    devices: [1, 2],
    groups: [['Workstations', 5], ['Executives', 3], ['Finance', 2]],
    severity: [['High', 5], ['Medium', 4], ['Low', 1]],
    names: [
      'Multi-stage incident involving Initial access & Execution on {endpoints} reported by multiple sources',
      'Phishing email led to code execution on {endpoints}',
    ],
    alerts: [URL_CLICK, ZAP_FILE, OFFICE_MACRO, POWERSHELL, C2],
    truePositive: 'Phishing',
    tags: ['Phishing campaign', 'VIP'],
    actors: ACTORS,
  },
  {
    key: 'identity',
    weight: 10,
    devices: [0, 0],
    groups: [],
    severity: [['High', 1], ['Medium', 5], ['Low', 4], ['Informational', 1]],
    names: [
      'Unfamiliar sign-in properties involving one user',
      'Atypical travel involving one user',
      'Anonymous IP address involving one user',
      'Password spray involving multiple users',
      'Impossible travel activity involving one user',
    ],
    alerts: [UNFAMILIAR, ATYPICAL, ANON_IP, PASSWORD_SPRAY, IMPOSSIBLE_TRAVEL],
    truePositive: 'CompromisedAccount',
    tags: ['Identity', 'VIP'],
  },
  {
    key: 'directory',
    weight: 6,
    devices: [1, 2],
    groups: [['DomainControllers', 6], ['Servers', 1]],
    severity: [['High', 6], ['Medium', 4]],
    names: [
      'Suspected DCSync attack (replication of directory services) on {endpoints}',
      'Suspected Kerberos SPN exposure involving multiple users',
      'Suspicious additions to sensitive groups involving one user',
    ],
    alerts: [DCSYNC, KERBEROAST, SENSITIVE_GROUP, ENUMERATION],
    truePositive: 'CompromisedAccount',
    tags: ['Identity', 'Escalated'],
  },
  {
    key: 'cloud-app',
    weight: 6,
    devices: [0, 0],
    groups: [],
    severity: [['Medium', 4], ['Low', 4], ['Informational', 2]],
    names: [
      'Mass download by a single user',
      'Suspicious inbox manipulation rule involving one user',
      'Activity from infrequent country involving one user',
    ],
    alerts: [MASS_DOWNLOAD, INBOX_RULE, IMPOSSIBLE_TRAVEL, INFREQUENT_COUNTRY],
    truePositive: 'MaliciousUserActivity',
    tags: ['Data loss', 'Needs review'],
  },
  {
    key: 'pen-test',
    weight: 5,
    devices: [1, 4],
    groups: [['Lab', 8], ['Ungrouped devices (default)', 1]],
    severity: [['High', 3], ['Medium', 3], ['Low', 2], ['Informational', 2]],
    names: [
      'Red team exercise on {endpoints}',
      'Équipe rouge : exercice sur les postes du labo',
      "'CobaltStrike' command and control on {endpoints}",
    ],
    alerts: [COBALT, PORT_SCAN, LSASS, POWERSHELL, REMOTE_EXEC],
    truePositive: 'SecurityTesting',
    tags: ['Pen test', 'Équipe rouge'],
  },
  {
    key: 'unwanted',
    weight: 8,
    devices: [1, 1],
    groups: [['Workstations', 4], ['Kiosks', 3], ['Developers', 3]],
    severity: [['Medium', 1], ['Low', 5], ['Informational', 4]],
    names: ["'{family}' unwanted software was detected on {endpoints}", 'Unwanted software detected on {endpoints}'],
    alerts: [UNWANTED, UNWANTED_PREVENTED, TOR],
    truePositive: 'UnwantedSoftware',
    tags: ['PUA'],
    families: UNWANTED_FAMILIES,
  },
  {
    key: 'server-exec',
    weight: 6,
    devices: [1, 2],
    groups: [['Servers', 8], ['Developers', 1]],
    severity: [['High', 2], ['Medium', 4], ['Low', 2], ['Informational', 2]],
    names: ['Suspicious activity on {endpoints}', 'Execution incident on {endpoints}', 'Persistence incident on {endpoints}'],
    alerts: [POWERSHELL, SCHEDULED_TASK, RUN_KEY, REMOTE_EXEC, C2],
    truePositive: 'MaliciousUserActivity',
    tags: ['Production', 'Needs review'],
  },
  {
    key: 'cloud',
    weight: 4,
    devices: [0, 0],
    groups: [],
    severity: [['High', 3], ['Medium', 4], ['Low', 2]],
    names: [
      'Suspicious activity in a Kubernetes cluster',
      'Multi-stage incident involving Privilege escalation & Credential access on a cloud workload',
      'Malware uploaded to cloud storage',
      'Suspicious cloud API activity across multiple clouds',
    ],
    // Every alert template appears in each incident of this scenario (see buildAlerts), so the data holds every evidence type.
    alerts: [K8S_PRIVILEGED, K8S_SECRET, STORAGE_MALWARE, AWS_KEY, GCP_DISCOVERY],
    truePositive: 'MultiStagedAttack',
    tags: ['Cloud', 'Containers'],
  },
  {
    key: 'jose',
    weight: 2,
    devices: [1, 1],
    groups: [['Workstations', 1]],
    severity: [['High', 1], ['Medium', 2], ['Low', 1]],
    names: ['Activité suspecte sur le poste de José'],
    alerts: [POWERSHELL, TOR, OFFICE_MACRO],
    truePositive: 'MaliciousUserActivity',
    tags: ['Équipe rouge', 'À vérifier'],
  },
];

/** Markup that must come out as text wherever ThreatDesk shows it. */
export const MARKUP_IMG = '<img src=x onerror=alert(1)>';
export const MARKUP_SCRIPT = '<script>alert("x")</script>';

export const ALERT_SEVERITY_ORDER: readonly AlertSeverity[] = ['Informational', 'Low', 'Medium', 'High'];

export const INVESTIGATION_STATES = [
  'Unknown',
  'Terminated',
  'SuccessfullyRemediated',
  'Benign',
  'Failed',
  'PartiallyRemediated',
  'Running',
  'PendingApproval',
  'PendingResource',
  'PartiallyInvestigated',
  'TerminatedByUser',
  'TerminatedBySystem',
  'Queued',
  'InnerFailure',
  'PreexistingAlert',
  'UnsupportedOs',
  'UnsupportedAlertType',
  'SuppressedAlert',
];

/** People of the tenant who show up in entities (not users of the emulator's directory: they never sign in). */
export const PEOPLE: readonly { given: string; family: string; ascii: string }[] = [
  { given: 'José', family: 'Álvarez', ascii: 'jose.alvarez' },
  { given: 'Chloé', family: 'Dubois', ascii: 'chloe.dubois' },
  { given: 'Priya', family: 'Natarajan', ascii: 'priya.natarajan' },
  { given: 'Wei', family: 'Li', ascii: 'wei.li' },
  { given: 'Olga', family: 'Petrova', ascii: 'olga.petrova' },
  { given: 'Kwame', family: 'Mensah', ascii: 'kwame.mensah' },
  { given: 'Emma', family: 'Schmidt', ascii: 'emma.schmidt' },
  { given: 'Noah', family: 'Williams', ascii: 'noah.williams' },
  { given: 'Aiko', family: 'Tanaka', ascii: 'aiko.tanaka' },
  { given: 'Fatima', family: 'Zahra', ascii: 'fatima.zahra' },
  { given: 'Søren', family: 'Østergaard', ascii: 'soren.ostergaard' },
  { given: 'Zoë', family: 'Müller', ascii: 'zoe.muller' },
  { given: 'Mateo', family: 'García', ascii: 'mateo.garcia' },
  { given: 'Dana', family: 'Whitfield', ascii: 'dana.whitfield' },
  { given: 'Backup', family: 'Service', ascii: 'svc-backup' },
  { given: 'Helpdesk', family: 'Admin', ascii: 'adm-helpdesk' },
];

export const SENSITIVE_GROUPS = ['Domain Admins', 'Enterprise Admins', 'Schema Admins', 'Finance-Approvers', 'Backup Operators'];

export const PHISH_SUBJECTS = [
  'Action required: your mailbox is almost full',
  'Invoice #48213 overdue',
  'Re: Payroll update for November',
  'Document partagé avec vous : Facture impayée',
  'DocuSign: Please review and sign',
  'Your parcel could not be delivered',
];

export const EXTERNAL_SENDERS = [
  'billing@invoices-secure.example',
  'no-reply@parcel-tracking.example',
  'hr-update@payroll-portal.example',
  'ceo.office@contoso-mail.example',
  'sharepoint@files-shared.example',
];

export const MALICIOUS_URLS = [
  'https://mailbox-quota.example/verify?u=',
  'http://invoices-secure.example/view/48213',
  'https://files-shared.example/s/Xf82kQ',
  'http://parcel-tracking.example/track?id=',
  'https://cdn.update-service.example/payload/stage2.ps1',
];

export const FILES = [
  { name: 'invoice_48213.docm', dir: 'C:\\Users\\{user}\\Downloads' },
  { name: 'update.exe', dir: 'C:\\Users\\Public' },
  { name: 'svchost.exe', dir: 'C:\\ProgramData\\Microsoft\\Crypto' },
  { name: 'mimikatz.exe', dir: 'C:\\Temp' },
  { name: 'payload.dll', dir: 'C:\\Windows\\Temp' },
  { name: 'stage2.ps1', dir: 'C:\\Users\\{user}\\AppData\\Local\\Temp' },
  { name: 'README_DECRYPT.txt', dir: 'C:\\Users\\{user}\\Documents' },
  { name: 'Facture_impayée.pdf.exe', dir: 'C:\\Users\\{user}\\Downloads' },
  { name: 'keygen.exe', dir: 'C:\\Users\\{user}\\Desktop' },
];

export const COMMAND_LINES = [
  'powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
  'cmd.exe /c vssadmin.exe delete shadows /all /quiet',
  'rundll32.exe C:\\Windows\\Temp\\payload.dll,DllRegisterServer',
  'schtasks.exe /create /tn "OneDrive Update" /tr C:\\Users\\Public\\update.exe /sc onlogon',
  '"C:\\Temp\\mimikatz.exe" "privilege::debug" "sekurlsa::logonpasswords" exit',
  'WINWORD.EXE /n "C:\\Users\\{user}\\Downloads\\invoice_48213.docm"',
  'wmic.exe /node:10.0.4.21 process call create "cmd.exe /c whoami > C:\\Temp\\o.txt"',
];

export const REGISTRY_KEYS = [
  'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
  'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'SYSTEM\\CurrentControlSet\\Services\\WinDefend',
  'SOFTWARE\\Policies\\Microsoft\\Windows Defender',
];

export const COMMENT_TEXTS = [
  'Isolated the device pending review.',
  'User confirmed they did not open the attachment.',
  'Escalated to tier 2.',
  'Password reset and sessions revoked.',
  'Pen test confirmed by the red team, see ticket SEC-1234.',
  "Commentaire : l'utilisateur a été prévenu par téléphone.",
  'Blocked the sender domain in the tenant allow/block list.',
  'False positive: the tool is part of the build pipeline.',
  'Waiting for the device owner to call back.',
  'Automated investigation completed; no further threats found.',
];

export const FREE_TAGS = ['VIP', 'Needs review', 'Tier 2', 'Escalated', 'Équipe rouge', 'Pen test', 'Ransomware', 'Phishing campaign'];
