import {
  CLASSIFICATIONS,
  DETERMINATIONS,
  NOT_AVAILABLE,
  STATUSES,
  determinationAllowed,
  type Classification,
} from './model';

/**
 * The body of `PATCH /api/incidents/{id}` (service-facts §1.4), validated strictly: an unknown property,
 * a wrong type or an enum value outside the documented ones is a 400 `InvalidRequestBody` naming the field,
 * so a client that sends something the real service would refuse finds out here.
 */

export class PatchError extends Error {}

export interface IncidentPatch {
  status?: string;
  /** null (or "") unassigns. */
  assignedTo?: string | null;
  classification?: Classification;
  determination?: string;
  tags?: string[];
  comment?: string;
}

export const MAX_COMMENT_LENGTH = 30_000;
const UPDATABLE = ['status', 'assignedTo', 'classification', 'determination', 'tags', 'comment'];
const ALL_DETERMINATIONS = new Set([NOT_AVAILABLE, ...Object.values(DETERMINATIONS).flat()]);

function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(header.trim());
}

export function parsePatchBody(raw: unknown, contentType: string | undefined): IncidentPatch {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') throw new PatchError('The request body is empty; send a JSON object with the properties to change.');
  if (!isJsonContentType(contentType)) {
    throw new PatchError(`The request body must be JSON sent with Content-Type: application/json (got '${contentType ?? 'none'}').`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new PatchError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PatchError('The request body must be a JSON object with the properties to change.');
  }
  const input = body as Record<string, unknown>;
  const keys = Object.keys(input);
  if (keys.length === 0) throw new PatchError(`The request body has no property to change; send one of ${UPDATABLE.join(', ')}.`);
  for (const key of keys) {
    if (!UPDATABLE.includes(key)) {
      const near = UPDATABLE.find((u) => u.toLowerCase() === key.toLowerCase());
      const hint = near ? ` Property names are case-sensitive: did you mean '${near}'?` : '';
      throw new PatchError(`The property '${key}' cannot be updated; updatable properties are ${UPDATABLE.join(', ')}.${hint}`);
    }
  }

  const patch: IncidentPatch = {};
  if ('status' in input) patch.status = oneOf('status', input.status, STATUSES);
  if ('assignedTo' in input) {
    const v = input.assignedTo;
    if (v !== null && typeof v !== 'string') throw new PatchError("The property 'assignedTo' must be a string, or null to unassign.");
    patch.assignedTo = v;
  }
  if ('classification' in input) patch.classification = oneOf('classification', input.classification, CLASSIFICATIONS);
  if ('determination' in input) {
    const v = input.determination;
    if (typeof v !== 'string') throw new PatchError("The property 'determination' must be a string.");
    if (!ALL_DETERMINATIONS.has(v)) {
      throw new PatchError(`Invalid value '${v}' for 'determination'; see the determinations each classification allows.`);
    }
    patch.determination = v;
  }
  if ('tags' in input) {
    const v = input.tags;
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw new PatchError("The property 'tags' must be an array of strings.");
    patch.tags = v as string[];
  }
  if ('comment' in input) {
    const v = input.comment;
    if (typeof v !== 'string') throw new PatchError("The property 'comment' must be a string.");
    if (v.trim() === '') throw new PatchError("The property 'comment' is empty.");
    if (v.length > MAX_COMMENT_LENGTH) {
      throw new PatchError(
        `The property 'comment' is ${v.length.toLocaleString('en-US')} characters long; the maximum is ${MAX_COMMENT_LENGTH.toLocaleString('en-US')}.`,
      );
    }
    patch.comment = v;
  }
  return patch;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw new PatchError(`The property '${field}' must be a string, one of ${allowed.join(', ')}.`);
  if (!allowed.includes(value as T)) throw new PatchError(`Invalid value '${value}' for '${field}'; allowed values are ${allowed.join(', ')}.`);
  return value as T;
}

/**
 * The classification and determination the incident will have after the patch, or a PatchError naming
 * `determination` when the pair is not allowed. A new classification without a determination keeps the
 * current determination if it still fits and otherwise resets it to NotAvailable, as the service
 * recomputes fields an update makes inconsistent (service-facts §1.4).
 */
export function resolveClassification(
  current: { classification: string; determination: string },
  patch: IncidentPatch,
): { classification: string; determination: string } {
  const classification = patch.classification ?? current.classification;
  const known = (CLASSIFICATIONS as readonly string[]).includes(classification) ? (classification as Classification) : 'Unknown';
  if (patch.determination !== undefined) {
    if (!determinationAllowed(known, patch.determination)) {
      const valid = [NOT_AVAILABLE, ...DETERMINATIONS[known]].join(', ');
      const how = patch.classification === undefined ? ` (the incident's current classification; send 'classification' too to change it)` : '';
      throw new PatchError(
        `The determination '${patch.determination}' is not valid with classification '${classification}'${how}; valid determinations: ${valid}.`,
      );
    }
    return { classification, determination: patch.determination };
  }
  if (patch.classification !== undefined && !determinationAllowed(known, current.determination)) {
    return { classification, determination: NOT_AVAILABLE };
  }
  return { classification, determination: current.determination };
}
