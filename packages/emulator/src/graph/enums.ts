import { AWAITING_ACTION, NOT_AVAILABLE } from '../defender/model';

/**
 * The Graph security API's enums (microsoft.graph.security, v1.0) and how the store's Defender-spelled
 * values map onto them. Graph writes members in camelCase; evolvable enums end their "base" members at
 * `unknownFutureValue`, and members added later come back as `unknownFutureValue` unless the request sends
 * `Prefer: include-unknown-enum-members` (graph-security-api.md §3).
 */

export const UNKNOWN_FUTURE = 'unknownFutureValue';

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** incidentStatus: base members, then the evolvable ones. */
export const INCIDENT_STATUSES = ['active', 'resolved', 'inProgress', 'redirected', UNKNOWN_FUTURE] as const;
export const INCIDENT_STATUSES_LATER = ['awaitingAction'] as const;
/** What PATCH may set (the service sets redirected and awaitingAction itself). */
export const SETTABLE_STATUSES = ['active', 'inProgress', 'resolved'] as const;

export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high', UNKNOWN_FUTURE] as const;
export const CLASSIFICATIONS = ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity', UNKNOWN_FUTURE] as const;

/**
 * alertDetermination. Microsoft's documents disagree on four members (service-facts §1.14): the metadata
 * (and the SDKs generated from it) say notMalicious, notEnoughDataToValidate, compromisedAccount,
 * confirmedActivity; the incident pages say clean, insufficientData, compromisedUser, confirmedUserActivity.
 * Both spellings are accepted in PATCH and $filter; a PATCH stores the metadata spelling.
 */
export const DETERMINATIONS = [
  'unknown',
  'apt',
  'malware',
  'securityPersonnel',
  'securityTesting',
  'unwantedSoftware',
  'other',
  'multiStagedAttack',
  'compromisedAccount',
  'phishing',
  'maliciousUserActivity',
  'notMalicious',
  'notEnoughDataToValidate',
  'confirmedActivity',
  'lineOfBusinessApplication',
  UNKNOWN_FUTURE,
] as const;
/** The incident pages' spelling → the metadata's. */
export const DETERMINATION_SYNONYMS: Record<string, string> = {
  clean: 'notMalicious',
  insufficientData: 'notEnoughDataToValidate',
  compromisedUser: 'compromisedAccount',
  confirmedUserActivity: 'confirmedActivity',
};

/** serviceSource base members; later ones (microsoftDefenderForCloud, …) need the Prefer header. */
export const SERVICE_SOURCES_BASE = new Set([
  'unknown',
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  UNKNOWN_FUTURE,
]);

/** detectionSource base members; later ones (microsoftDefenderForCloud, microsoftDefenderForContainers, …) need the Prefer header. */
export const DETECTION_SOURCES_BASE = new Set([
  'unknown',
  'microsoftDefenderForEndpoint',
  'antivirus',
  'smartScreen',
  'customTi',
  'microsoftDefenderForOffice365',
  'automatedInvestigation',
  'microsoftThreatExperts',
  'customDetection',
  'microsoftDefenderForIdentity',
  'cloudAppSecurity',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'manual',
  'microsoftDataLossPrevention',
  'appGovernancePolicy',
  'appGovernanceDetection',
  UNKNOWN_FUTURE,
]);

/** The legacy serviceSource spellings (old and current) → Graph members. */
const SERVICE_SOURCE: Record<string, string> = {
  MicrosoftDefenderForEndpoint: 'microsoftDefenderForEndpoint',
  MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
  MicrosoftDefenderForOffice365: 'microsoftDefenderForOffice365',
  OfficeATP: 'microsoftDefenderForOffice365',
  MicrosoftCloudAppSecurity: 'microsoftDefenderForCloudApps',
  AADIdentityProtection: 'azureAdIdentityProtection',
  MicrosoftDefenderForIdentity: 'microsoftDefenderForIdentity',
  Microsoft365Defender: 'microsoft365Defender',
  MicrosoftDefenderForCloud: 'microsoftDefenderForCloud',
};

/** The legacy detectionSource spellings → Graph members. */
const DETECTION_SOURCE: Record<string, string> = {
  WindowsDefenderAv: 'antivirus',
  WindowsDefenderAtp: 'microsoftDefenderForEndpoint',
  WindowsDefenderSmartScreen: 'smartScreen',
  AutomatedInvestigation: 'automatedInvestigation',
  CustomerTI: 'customTi',
  OfficeATP: 'microsoftDefenderForOffice365',
  MCAS: 'cloudAppSecurity',
  AAD: 'azureAdIdentityProtection',
  AzureATP: 'microsoftDefenderForIdentity',
  CustomDetection: 'customDetection',
};

/** Whether members added after `unknownFutureValue` are shown as themselves. */
export interface EnumOptions {
  includeUnknownMembers: boolean;
}

function evolvable(member: string, base: ReadonlySet<string>, options: EnumOptions): string {
  return base.has(member) || options.includeUnknownMembers ? member : UNKNOWN_FUTURE;
}

export function graphServiceSource(legacy: string, options: EnumOptions): string {
  return evolvable(SERVICE_SOURCE[legacy] ?? lowerFirst(legacy), SERVICE_SOURCES_BASE, options);
}

export function graphDetectionSource(legacy: string, options: EnumOptions): string {
  return evolvable(DETECTION_SOURCE[legacy] ?? lowerFirst(legacy), DETECTION_SOURCES_BASE, options);
}

/** The incident status as Graph shows it (the store's AwaitingAction is an evolvable member). */
export function graphStatus(stored: string, options: EnumOptions): string {
  if (stored === AWAITING_ACTION) return options.includeUnknownMembers ? 'awaitingAction' : UNKNOWN_FUTURE;
  return lowerFirst(stored);
}

export function graphSeverity(stored: string): string {
  return stored === 'UnSpecified' ? 'unknown' : lowerFirst(stored);
}

export function graphClassification(stored: string | undefined): string | null {
  return stored === undefined ? null : lowerFirst(stored);
}

/**
 * The determination as Graph shows it: the member named like the stored value, so the generated data
 * (which holds every spelling the Defender docs used) carries both Graph spellings, as real tenants'
 * history can. NotAvailable and the Defender-only NoEnoughDataToValidate map to their Graph members.
 */
export function graphDetermination(stored: string | undefined): string | null {
  if (stored === undefined) return null;
  if (stored === NOT_AVAILABLE) return 'unknown';
  if (stored === 'NoEnoughDataToValidate') return 'notEnoughDataToValidate';
  return lowerFirst(stored);
}

/** A determination in its metadata spelling, for comparing the two spellings as one member. */
export function canonicalDetermination(member: string): string {
  return DETERMINATION_SYNONYMS[member] ?? member;
}

/** The member of `members` that `value` names, case-insensitively (a doc example sends PascalCase). */
export function memberOf(members: readonly string[], value: string): string | undefined {
  const lower = value.toLowerCase();
  return members.find((m) => m.toLowerCase() === lower);
}

/** A Graph determination (either spelling) as the store keeps it: PascalCase, metadata spelling. */
export function storedDetermination(member: string): string {
  const canonical = canonicalDetermination(member);
  return canonical === 'unknown' ? NOT_AVAILABLE : upperFirst(canonical);
}

export function storedClassification(member: string): string {
  return upperFirst(member);
}

export function storedStatus(member: string): string {
  return upperFirst(member);
}

/** Every determination member either document names, for validation. */
export const ALL_DETERMINATIONS: readonly string[] = [...DETERMINATIONS, ...Object.keys(DETERMINATION_SYNONYMS)];
