/**
 * The incident resource of the Defender incidents API (service-facts §1.5–1.8), in the sparse style of
 * real 2023–2024 responses: keys whose value would be null are left out rather than sent as null.
 */

export const STATUSES = ['Active', 'InProgress', 'Resolved', 'Redirected'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

/**
 * A status the store knows but the Defender API does not: Graph's `awaitingAction` (an automated
 * investigation waits for approval). The Defender API shows such incidents as `Active`.
 */
export const AWAITING_ACTION = 'AwaitingAction';
/** Every status an incident may have in the store. */
export const STORE_STATUSES: readonly string[] = [...STATUSES, AWAITING_ACTION];

/** The status as the Defender API shows it. */
export function defenderStatus(status: string): string {
  return status === AWAITING_ACTION ? 'Active' : status;
}

export const SEVERITIES = ['UnSpecified', 'Informational', 'Low', 'Medium', 'High'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertSeverity = Exclude<Severity, 'UnSpecified'>;

/** `Unknown` is what unclassified incidents read as; PATCH also accepts it (older docs list it). */
export const CLASSIFICATIONS = ['TruePositive', 'InformationalExpectedActivity', 'FalsePositive', 'Unknown'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** The value of `determination` on an incident nobody has classified. */
export const NOT_AVAILABLE = 'NotAvailable';

/**
 * Determinations accepted with each classification: the union of every documented spelling
 * (service-facts §1.4 conflicts note: D-UPD, D-INC, Cortex XSOAR and the MTP-era legacy values), since the
 * pages disagree. The first entries of each list are the current D-UPD names, which the generator prefers.
 * `NotAvailable` ("not determined yet") goes with any classification.
 */
export const DETERMINATIONS: Record<Classification, readonly string[]> = {
  TruePositive: [
    'MultiStagedAttack',
    'MaliciousUserActivity',
    'CompromisedAccount',
    'Malware',
    'Phishing',
    'UnwantedSoftware',
    'Other',
    'CompromisedUser',
    'Apt',
    'SecurityPersonnel',
    'SecurityTesting',
  ],
  InformationalExpectedActivity: ['SecurityTesting', 'LineOfBusinessApplication', 'ConfirmedActivity', 'Other', 'ConfirmedUserActivity'],
  FalsePositive: ['Clean', 'NoEnoughDataToValidate', 'Other', 'NotMalicious', 'InsufficientData', 'NotEnoughDataToValidate'],
  Unknown: [],
};

export function determinationAllowed(classification: Classification, determination: string): boolean {
  return determination === NOT_AVAILABLE || DETERMINATIONS[classification].includes(determination);
}

/**
 * Device groups of the generated fleets (`rbacGroupName`, with a stable `rbacGroupId`). Analysts see an
 * incident when one of its devices is in one of their groups; the last one is where Defender puts devices
 * no rule matched, so only users with every group ('*') or that exact name see those.
 */
export const DEVICE_GROUPS = [
  'Servers',
  'Workstations',
  'Lab',
  'Executives',
  'Kiosks',
  'DomainControllers',
  'Finance',
  'Developers',
  'Ungrouped devices (default)',
] as const;
export type DeviceGroup = (typeof DEVICE_GROUPS)[number];

export interface IncidentComment {
  comment: string;
  createdBy: string;
  createdTime: string;
}

export interface Device {
  mdatpDeviceId: string;
  aadDeviceId?: string;
  deviceDnsName: string;
  osPlatform: string;
  version?: string;
  osProcessor: string;
  osBuild?: number;
  healthStatus: string;
  riskScore: string;
  rbacGroupName: string;
  rbacGroupId: number;
  firstSeen: string;
  tags: string[];
  defenderAvStatus: string;
  onboardingStatus: string;
  vmMetadata?: { vmId: string; cloudProvider: string; resourceId: string; subscriptionId: string };
}

/** Entity fields vary by entityType (service-facts §1.8); only the keys with a value are present. */
export interface Entity {
  entityType: string;
  evidenceCreationTime: string;
  verdict: string;
  remediationStatus: string;
  [field: string]: string | number | undefined;
}

export interface Alert {
  alertId: string;
  providerAlertId: string;
  incidentId: number;
  serviceSource: string;
  detectionSource: string;
  detectorId: string;
  creationTime: string;
  lastUpdatedTime: string;
  resolvedTime?: string;
  firstActivity: string;
  lastActivity: string;
  title: string;
  description: string;
  category: string;
  status: 'New' | 'InProgress' | 'Resolved';
  severity: AlertSeverity;
  investigationId?: number;
  investigationState: string;
  classification?: string;
  determination?: string;
  assignedTo?: string;
  actorName?: string;
  threatFamilyName?: string;
  mitreTechniques: string[];
  devices: Device[];
  entities: Entity[];
}

export interface Incident {
  incidentId: number;
  incidentUri: string;
  redirectIncidentId?: number;
  incidentName: string;
  createdTime: string;
  lastUpdateTime: string;
  assignedTo?: string;
  classification: string;
  determination: string;
  status: string;
  severity: Severity;
  tags: string[];
  comments: IncidentComment[];
  alerts: Alert[];
}
