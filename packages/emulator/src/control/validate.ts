import { LIST_ORDERS, MAX_PAGE_SIZE, type ListingSettings, type Quotas } from '../context';
import { ENTRA_ROLES, GRAPH_APP_ID, permissionUri, RESOURCE_KEYS, RESOURCES, type DefenderRole, type EntraRole, type NewUser, type ResourceKey } from '../directory';
import { API_ONLY_KINDS, FAULT_ENDPOINTS, FAULT_KINDS, type Fault } from '../faults';
import { badInput } from './errors';
import type { MintRequest, NewIncident, PortalChange, UserUpdate } from './types';

/**
 * Checks of control input. The HTTP endpoints take any JSON, so each operation checks what it is given
 * and refuses it with a 400 naming the field, the same in-process and over HTTP.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;

function only(what: string, input: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(input).find((k) => !allowed.includes(k));
  if (extra) throw badInput(`${what}: unknown field '${extra}' (allowed: ${allowed.join(', ')}).`);
}

export function checkFault(input: unknown): Fault {
  if (!isObject(input)) throw badInput('A fault must be an object with endpoint and kind.');
  only('fault', input, ['endpoint', 'kind', 'count', 'retryAfter', 'delayMs']);
  if (!FAULT_ENDPOINTS.includes(input.endpoint as Fault['endpoint'])) {
    throw badInput(`unknown fault endpoint ${String(input.endpoint)} (one of ${FAULT_ENDPOINTS.join(', ')})`);
  }
  if (!FAULT_KINDS.includes(input.kind as Fault['kind'])) throw badInput(`unknown fault kind ${String(input.kind)} (one of ${FAULT_KINDS.join(', ')})`);
  if (API_ONLY_KINDS.includes(input.kind as Fault['kind']) && !String(input.endpoint).startsWith('incidents.')) {
    throw badInput(`fault kind ${String(input.kind)} applies to the incidents.* endpoints only`);
  }
  if (input.count !== undefined && !isCount(input.count, 1)) throw badInput('fault count must be an integer of at least 1.');
  if (input.retryAfter !== undefined && !isCount(input.retryAfter, 0)) throw badInput('fault retryAfter must be whole seconds.');
  if (input.delayMs !== undefined && !isCount(input.delayMs, 0)) throw badInput('fault delayMs must be whole milliseconds.');
  return input as unknown as Fault;
}

export function checkUpn(upn: unknown): string {
  if (typeof upn !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(upn)) throw badInput(`'${String(upn)}' is not a user principal name.`);
  return upn;
}

function checkRole(input: unknown): Partial<DefenderRole> {
  if (!isObject(input)) throw badInput('defender must be an object with role, deviceGroups and canUpdate.');
  only('defender', input, ['role', 'deviceGroups', 'canUpdate']);
  if (input.role !== undefined && !['none', 'analyst', 'responder'].includes(input.role as string)) {
    throw badInput(`defender.role must be none, analyst or responder (got ${JSON.stringify(input.role)}).`);
  }
  const groups = input.deviceGroups;
  if (groups !== undefined && groups !== '*' && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
    throw badInput("defender.deviceGroups must be '*' or a list of device-group names.");
  }
  if (input.canUpdate !== undefined && typeof input.canUpdate !== 'boolean') throw badInput('defender.canUpdate must be true or false.');
  return input;
}

/** Entra roles and the Global Administrator flag, which must not contradict each other. */
function checkRoles(input: Record<string, unknown>): void {
  if (input.isGlobalAdmin !== undefined && typeof input.isGlobalAdmin !== 'boolean') throw badInput('isGlobalAdmin must be true or false.');
  const roles = input.entraRoles;
  if (roles === undefined) return;
  if (!Array.isArray(roles) || roles.some((r) => !(ENTRA_ROLES as readonly unknown[]).includes(r))) {
    throw badInput(`entraRoles must be a list of Microsoft Entra roles (${ENTRA_ROLES.join(', ')}).`);
  }
  // isGlobalAdmin true adds Global Administrator to the roles given; false cannot go with it.
  if (input.isGlobalAdmin === false && (roles as EntraRole[]).includes('Global Administrator')) {
    throw badInput('isGlobalAdmin false contradicts entraRoles, which hold Global Administrator.');
  }
}

export function checkNewUser(input: unknown): NewUser {
  if (!isObject(input)) throw badInput('A user must be an object with at least upn.');
  only('user', input, ['upn', 'name', 'tenantId', 'isGlobalAdmin', 'entraRoles', 'defender']);
  checkUpn(input.upn);
  if (input.name !== undefined && typeof input.name !== 'string') throw badInput('name must be a string.');
  if (input.tenantId !== undefined && typeof input.tenantId !== 'string') throw badInput('tenantId must be a string.');
  checkRoles(input);
  if (input.defender !== undefined) checkRole(input.defender);
  return input as unknown as NewUser;
}

export function checkUserUpdate(input: unknown): UserUpdate {
  if (!isObject(input)) throw badInput('An update must be an object with defender, entraRoles and/or isGlobalAdmin.');
  only('update', input, ['defender', 'entraRoles', 'isGlobalAdmin']);
  if (input.defender !== undefined) checkRole(input.defender);
  checkRoles(input);
  return input;
}

/**
 * One permission of the control face's consent operations, as full URIs: a full URI of either resource
 * (`<resource>/.default` = every permission configured there), or a bare name, which is unambiguous here.
 */
function permissionUris(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.lastIndexOf('/');
  const named = (resource: ResourceKey, name: string) => {
    if (name.toLowerCase() === '.default') return RESOURCES[resource].permissions.map((p) => permissionUri(resource, p));
    const found = RESOURCES[resource].permissions.find((p) => p.toLowerCase() === name.toLowerCase());
    return found ? [permissionUri(resource, found)] : undefined;
  };
  if (slash < 0) {
    for (const resource of RESOURCE_KEYS) {
      const found = value.toLowerCase() !== '.default' ? named(resource, value) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  const prefix = value.slice(0, slash).replace(/\/+$/, '').toLowerCase();
  const resource = prefix === GRAPH_APP_ID ? 'graph' : RESOURCE_KEYS.find((r) => RESOURCES[r].uri === prefix);
  return resource ? named(resource, value.slice(slash + 1)) : undefined;
}

export function checkScopes(input: unknown): string[] {
  const out: string[] = [];
  for (const value of Array.isArray(input) ? input : [undefined]) {
    const uris = permissionUris(value);
    if (!uris) {
      throw badInput(
        `scopes must be a list of permissions of ${RESOURCE_KEYS.map((r) => RESOURCES[r].uri).join(' or ')}: full URIs ` +
          `(${permissionUri('graph', 'SecurityIncident.Read.All')}, ${permissionUri('defender', 'Incident.Read')}, <resource>/.default) or bare names; '${String(value)}' is none.`,
      );
    }
    out.push(...uris);
  }
  return out;
}

export function checkListing(input: unknown): Partial<ListingSettings> {
  if (!isObject(input)) throw badInput('listing must be an object with order and/or pageSize.');
  only('listing', input, ['order', 'pageSize']);
  if (input.order !== undefined && !(LIST_ORDERS as readonly unknown[]).includes(input.order)) {
    throw badInput(`order must be one of ${LIST_ORDERS.join(', ')} (got ${JSON.stringify(input.order)}).`);
  }
  const size = input.pageSize;
  if (size !== undefined && size !== null && !(isCount(size, 1) && (size as number) <= MAX_PAGE_SIZE)) {
    throw badInput(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, or null for each surface's default (got ${JSON.stringify(size)}).`);
  }
  return input;
}

export function checkMint(input: unknown): MintRequest {
  if (input === undefined) return {};
  if (!isObject(input)) throw badInput('A mint request must be an object with resource, claims and/or remove.');
  only('mint request', input, ['resource', 'claims', 'remove']);
  if (input.resource !== undefined && !(RESOURCE_KEYS as readonly unknown[]).includes(input.resource)) {
    throw badInput(`resource must be one of ${RESOURCE_KEYS.join(', ')} (got ${JSON.stringify(input.resource)}).`);
  }
  if (input.claims !== undefined && !isObject(input.claims)) throw badInput('claims must be an object.');
  if (input.remove !== undefined && !(Array.isArray(input.remove) && input.remove.every((c) => typeof c === 'string'))) {
    throw badInput('remove must be a list of claim names.');
  }
  return input;
}

export function checkQuotas(input: unknown): Partial<Quotas> {
  if (!isObject(input)) throw badInput('quotas must be an object with list, get, update, graph and/or hunting.');
  only('quotas', input, ['list', 'get', 'update', 'graph', 'hunting']);
  for (const [k, v] of Object.entries(input)) if (!isCount(v, 1)) throw badInput(`quota ${k} must be a positive integer.`);
  return input;
}

export function checkInstant(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`${what} must be a number of milliseconds.`);
  return v;
}

export function checkIncidentId(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badInput(`'${String(v)}' is not an incident id.`);
  return v;
}

export function checkMark(v: unknown): number {
  if (v === undefined) return 0;
  if (!isCount(v, 0)) throw badInput(`${JSON.stringify(v)} is not a mark (a count of requests).`);
  return v as number;
}

export function checkUris(input: unknown): string[] {
  if (!Array.isArray(input) || input.some((u) => typeof u !== 'string' || !URL.canParse(u))) throw badInput('uris must be a list of absolute URLs.');
  return input as string[];
}

export function checkPortalChange(input: unknown): PortalChange {
  if (!isObject(input)) throw badInput('A change must be an object.');
  only('change', input, ['status', 'assignedTo', 'classification', 'determination', 'tags', 'comment', 'by', 'alert']);
  if (input.by !== undefined && typeof input.by !== 'string') throw badInput('by must be a string.');
  return input;
}

export function checkNewIncident(input: unknown): NewIncident {
  if (!isObject(input)) throw badInput('A new incident must be an object with at least incidentName.');
  only('incident', input, ['incidentName', 'severity', 'status', 'assignedTo', 'classification', 'determination', 'tags', 'alerts']);
  if (input.alerts !== undefined && !Array.isArray(input.alerts)) throw badInput('alerts must be a list.');
  return input as unknown as NewIncident;
}
