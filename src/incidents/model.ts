/**
 * ThreatDesk's own incident model. Pages, CSV and every feature read only these types; the
 * adapters in ./sources map each API's wire format into them (Graph by default, the Defender API
 * as a legacy source until it stops working on 1 February 2027).
 *
 * Enumerations use Graph's camelCase members. A value the app does not know (a member Microsoft
 * added later) is kept as it came, shown as such, and never written back.
 */

export const STATUSES = ['active', 'inProgress', 'awaitingAction', 'resolved', 'redirected'] as const;
export const SEVERITIES = ['high', 'medium', 'low', 'informational', 'unknown'] as const;
export const CLASSIFICATIONS = ['truePositive', 'informationalExpectedActivity', 'falsePositive'] as const;

/** The statuses an analyst may set; merged and awaiting action are set by Defender only. */
export const SETTABLE_STATUSES = ['active', 'inProgress', 'resolved'] as const;

/**
 * Determinations each classification admits, by their canonical (Graph SDK metadata) names. The
 * incident pages of both APIs use other spellings for some (service-facts §1.4, §1.14); those are
 * read through DETERMINATION_ALIASES, and each adapter writes the spelling its API documents.
 */
export const DETERMINATIONS: Record<Classification, readonly string[]> = {
  truePositive: ['multiStagedAttack', 'maliciousUserActivity', 'compromisedAccount', 'malware', 'phishing', 'unwantedSoftware', 'other'],
  informationalExpectedActivity: ['securityTesting', 'lineOfBusinessApplication', 'confirmedActivity', 'other'],
  falsePositive: ['notMalicious', 'notEnoughDataToValidate', 'other'],
};

/** Other documented spellings of the same determinations, lower-cased, mapped to the canonical name. */
export const DETERMINATION_ALIASES: Record<string, string> = {
  clean: 'notMalicious',
  insufficientdata: 'notEnoughDataToValidate',
  noenoughdatatovalidate: 'notEnoughDataToValidate',
  compromiseduser: 'compromisedAccount',
  confirmeduseractivity: 'confirmedActivity',
};

export type Status = (typeof STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Classification = (typeof CLASSIFICATIONS)[number];

export interface Comment {
  text: string;
  author: string | null;
  createdAt: string | null;
}

/** A piece of evidence (an entity) on an alert. `type` is Graph's evidence type without its namespace. */
export interface Evidence {
  type: string;
  /** Identifies the thing itself, so that the same device or file seen by several alerts is listed once. */
  key: string;
  /** The main identifying text: a device name, an address, a file name, a command line… */
  name: string;
  /** Further identifying details, label → value, in display order. */
  details: [string, string][];
  verdict: string | null;
  remediationStatus: string | null;
  roles: string[];
}

export interface Alert {
  id: string;
  title: string;
  description: string | null;
  severity: string;
  status: string;
  serviceSource: string | null;
  detectionSource: string | null;
  category: string | null;
  mitreTechniques: string[];
  createdAt: string | null;
  firstActivityAt: string | null;
  lastActivityAt: string | null;
  resolvedAt: string | null;
  threatFamilyName: string | null;
  actorDisplayName: string | null;
  webUrl: string | null;
  evidence: Evidence[];
}

export interface Incident {
  /** Graph ids are strings; the legacy API's numbers are turned into strings. */
  id: string;
  displayName: string;
  status: string;
  severity: string;
  /** `unknown` (or empty) when not set. */
  classification: string;
  /** Empty when not set. */
  determination: string;
  /** Empty when unassigned. */
  assignedTo: string;
  createdAt: string | null;
  lastUpdateAt: string;
  /** The incident this one was merged into. */
  redirectIncidentId: string | null;
  webUrl: string | null;
  description: string | null;
  customTags: string[];
  systemTags: string[];
  comments: Comment[];
  /** Undefined when the source did not return alerts (Graph lists never expand them). */
  alerts?: Alert[];
}

/** A change an analyst asks for; only the fields present are sent. */
export interface IncidentChange {
  status?: Status;
  assignedTo?: string;
  classification?: Classification | 'unknown';
  determination?: string;
  customTags?: string[];
}

/** An address an incident can be assigned to (and filtered by). */
export const EMAIL = /^[^\s@"<>()\\,;:]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,63}$/i;

export const isKnown = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

/** Reads an enumeration member in either case style (one Graph doc example is PascalCase). */
export function canonicalMember<T extends string>(values: readonly T[], raw: unknown, fallback: string): string {
  if (typeof raw !== 'string' || raw === '') return fallback;
  const lower = raw.toLowerCase();
  return values.find((v) => v.toLowerCase() === lower) ?? raw;
}

/** Every determination member ThreatDesk knows, including the legacy ones no longer offered (apt, securityPersonnel). */
const KNOWN_DETERMINATIONS = [...new Set([...Object.values(DETERMINATIONS).flat(), 'apt', 'securityPersonnel'])];

export function canonicalDetermination(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '' || /^(unknown|notavailable|unknownfuturevalue)$/i.test(raw)) return '';
  const lower = raw.toLowerCase();
  return DETERMINATION_ALIASES[lower] ?? KNOWN_DETERMINATIONS.find((d) => d.toLowerCase() === lower) ?? raw;
}

export const isMerged = (i: Incident) => i.status === 'redirected';
/** Statuses of an incident still being worked. */
export const OPEN_STATUSES: Status[] = ['active', 'inProgress', 'awaitingAction'];
export const isOpen = (i: Incident) => (OPEN_STATUSES as string[]).includes(i.status);
