import { CLASSIFICATIONS as STORE_CLASSIFICATIONS, determinationAllowed, NOT_AVAILABLE, DETERMINATIONS as STORE_DETERMINATIONS, type Classification } from '../defender/model';
import { MAX_COMMENT_LENGTH } from '../defender/patch';
import {
  ALL_DETERMINATIONS,
  CLASSIFICATIONS,
  DETERMINATION_SYNONYMS,
  graphDetermination,
  INCIDENT_STATUSES,
  INCIDENT_STATUSES_LATER,
  lowerFirst,
  memberOf,
  SETTABLE_STATUSES,
  storedClassification,
  storedDetermination,
  storedStatus,
  UNKNOWN_FUTURE,
} from './enums';
import { GraphRequestError } from './errors';

/**
 * Bodies of `PATCH /security/incidents/{id}` (security-incident-update.md) and `POST …/comments`
 * (security-incident-post-comments.md), validated strictly: an unknown or read-only property, a wrong type
 * or a member outside the enum is a 400 naming it. Enum members are matched case-insensitively (a doc
 * example sends PascalCase) and both documented determination spellings are accepted.
 */

/** What a Graph PATCH changes, in the store's spelling. */
export interface StorePatch {
  status?: string;
  assignedTo?: string | null;
  classification?: Classification;
  determination?: string;
  tags?: string[];
}

export const UPDATABLE = ['assignedTo', 'classification', 'customTags', 'determination', 'status'];
const READ_ONLY = [
  'id',
  'tenantId',
  'displayName',
  'createdDateTime',
  'lastUpdateDateTime',
  'severity',
  'incidentWebUrl',
  'redirectIncidentId',
  'systemTags',
  'description',
  'comments',
  'alerts',
  'resolvingComment',
  'summary',
  'lastModifiedBy',
];
const INCIDENT_TYPE = 'microsoft.graph.security.incident';
const COMMENT_TYPE = 'microsoft.graph.security.alertComment';

const bad = (message: string) => new GraphRequestError(400, 'BadRequest', message);

function jsonObject(raw: unknown, contentType: string | undefined): Record<string, unknown> {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') throw bad('The request body is empty; send a JSON object.');
  if (contentType === undefined || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim())) {
    throw bad(`The request body must be JSON sent with Content-Type: application/json (got '${contentType ?? 'none'}').`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw bad('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function checkType(value: unknown, type: string): void {
  if (value !== type && value !== `#${type}`) throw bad(`The '@odata.type' of the body must be '${type}' (got '${String(value)}').`);
}

function member(field: string, value: unknown, members: readonly string[]): string {
  const found = typeof value === 'string' ? memberOf(members, value) : undefined;
  if (!found || found === UNKNOWN_FUTURE) {
    throw bad(`Invalid value '${String(value)}' for property '${field}'; members are ${members.filter((m) => m !== UNKNOWN_FUTURE).join(', ')}.`);
  }
  return found;
}

/** The PATCH body, in the store's spelling (the classification/determination pair is checked by `resolvePair`). */
export function parseIncidentPatch(raw: unknown, contentType: string | undefined): StorePatch {
  const input = jsonObject(raw, contentType);
  const keys = Object.keys(input).filter((k) => k !== '@odata.type');
  if ('@odata.type' in input) checkType(input['@odata.type'], INCIDENT_TYPE);
  if (keys.length === 0) throw bad(`The request body has no property to update; updatable are ${UPDATABLE.join(', ')}.`);
  for (const key of keys) {
    if (UPDATABLE.includes(key)) continue;
    if (READ_ONLY.includes(key)) throw bad(`The property '${key}' is read-only and cannot be updated; updatable are ${UPDATABLE.join(', ')}.`);
    const near = [...UPDATABLE, ...READ_ONLY].find((u) => u.toLowerCase() === key.toLowerCase());
    throw bad(
      `The property '${key}' does not exist on type '${INCIDENT_TYPE}'. Make sure to only use property names that are defined by the type.` +
        (near ? ` Property names are case-sensitive: did you mean '${near}'?` : ''),
    );
  }
  const patch: StorePatch = {};
  if ('status' in input) {
    const status = member('status', input.status, [...INCIDENT_STATUSES, ...INCIDENT_STATUSES_LATER]);
    if (!(SETTABLE_STATUSES as readonly string[]).includes(status)) {
      throw bad(`The status '${status}' cannot be set: the service sets it. Settable statuses are ${SETTABLE_STATUSES.join(', ')}.`);
    }
    patch.status = storedStatus(status);
  }
  if ('assignedTo' in input) {
    const v = input.assignedTo;
    if (v !== null && typeof v !== 'string') throw bad("The property 'assignedTo' must be a string, or null to unassign.");
    patch.assignedTo = v;
  }
  if ('classification' in input) patch.classification = storedClassification(member('classification', input.classification, CLASSIFICATIONS)) as Classification;
  if ('determination' in input) patch.determination = storedDetermination(member('determination', input.determination, ALL_DETERMINATIONS));
  if ('customTags' in input) {
    const v = input.customTags;
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw bad("The property 'customTags' must be an array of strings.");
    patch.tags = v as string[];
  }
  return patch;
}

/** The Graph members a classification allows, both spellings shown. */
function allowedFor(classification: Classification): string {
  const synonyms = Object.fromEntries(Object.entries(DETERMINATION_SYNONYMS).map(([page, meta]) => [meta, page]));
  const members = [...new Set(['unknown', ...STORE_DETERMINATIONS[classification].map((d) => lowerFirst(storedDetermination(graphDetermination(d) ?? 'unknown')))])];
  return members.map((m) => (synonyms[m] ? `${m} (${synonyms[m]})` : m)).join(', ');
}

/**
 * The determination the incident will have: the one sent if the (new or current) classification allows it
 * (else a 400 naming determination); with only a new classification, the current one if still allowed,
 * else unknown. `unknown` classification clears the determination.
 */
export function resolvePair(current: { classification: string; determination: string }, patch: StorePatch): string {
  const classification = patch.classification ?? current.classification;
  const known = (STORE_CLASSIFICATIONS as readonly string[]).includes(classification) ? (classification as Classification) : 'Unknown';
  if (patch.determination !== undefined) {
    if (!determinationAllowed(known, patch.determination)) {
      const how = patch.classification === undefined ? " (the incident's current classification; send 'classification' too to change it)" : '';
      throw bad(
        `The determination '${graphDetermination(patch.determination)}' is not valid with classification '${lowerFirst(classification)}'${how}; valid: ${allowedFor(known)}.`,
      );
    }
    return patch.determination;
  }
  if (patch.classification !== undefined && !determinationAllowed(known, current.determination)) return NOT_AVAILABLE;
  return current.determination;
}

/** The comment of a `POST …/comments` body. */
export function parseComment(raw: unknown, contentType: string | undefined): string {
  const input = jsonObject(raw, contentType);
  if ('@odata.type' in input) checkType(input['@odata.type'], COMMENT_TYPE);
  const extra = Object.keys(input).find((k) => k !== '@odata.type' && k !== 'comment');
  if (extra) throw bad(`The property '${extra}' does not exist on type '${COMMENT_TYPE}'; send 'comment' only.`);
  const v = input.comment;
  if (typeof v !== 'string') throw bad("The property 'comment' is required and must be a string.");
  if (v.trim() === '') throw bad("The property 'comment' is empty.");
  if (v.length > MAX_COMMENT_LENGTH) {
    throw bad(`The comment is ${v.length.toLocaleString('en-US')} characters long; the maximum is ${MAX_COMMENT_LENGTH.toLocaleString('en-US')}.`);
  }
  return v;
}
