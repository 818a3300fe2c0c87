import { DEFENDER_API_BASE, GRAPH_RESOURCE, SECURITY_APIS, type SecurityApi } from '../config/config';

/** What a page needs to do, whatever API serves it. */
export type Need = 'read' | 'write' | 'hunting';

export interface Permission {
  need: Need;
  /** The delegated permission's name, as Entra and the token page show it. */
  name: string;
  /** What uses it, and why, for the admin consent and token pages. */
  neededBy: string;
  why: string;
}

/**
 * Delegated permissions per API. Scope strings never depend on configured hosts: the emulator
 * speaks for the same resource identifiers as Microsoft.
 */
export const API_PERMISSIONS: Record<SecurityApi, { resource: string; permissions: Permission[] }> = {
  graph: {
    resource: GRAPH_RESOURCE,
    permissions: [
      { need: 'read', name: 'SecurityIncident.Read.All', neededBy: 'Incident queue, incident pages, CSV export, token check', why: 'Read incidents with their alerts and evidence, as far as the analyst’s own Microsoft Entra or Defender role allows.' },
      { need: 'write', name: 'SecurityIncident.ReadWrite.All', neededBy: 'Manage actions: assign, status, classification, tags, comments', why: 'Update incidents; requested only when an analyst first uses a manage action. The analyst also needs the Security Operator role (or higher).' },
      { need: 'hunting', name: 'ThreatHunting.Read.All', neededBy: 'Advanced hunting page, and the Hunt links of incident pages', why: 'Run advanced hunting queries as the analyst, over the data their own role lets them see; requested only when an analyst first runs a query.' },
    ],
  },
  defender: {
    resource: DEFENDER_API_BASE,
    permissions: [
      { need: 'read', name: 'Incident.Read', neededBy: 'Incident queue, incident pages, CSV export, token check', why: 'Read incidents, alerts, devices and entities the analyst may see in Defender.' },
      { need: 'write', name: 'Incident.ReadWrite', neededBy: 'Manage actions: assign, status, classification, tags, comments', why: 'Update incidents; requested only when an analyst first uses a manage action.' },
      { need: 'hunting', name: 'AdvancedHunting.Read', neededBy: 'Not used (the legacy hunting API stops returning data on 1 February 2027)', why: 'Kept only so existing consents stay valid.' },
    ],
  },
};

export function permissionFor(api: SecurityApi, need: Need): Permission {
  const found = API_PERMISSIONS[api].permissions.find((p) => p.need === need);
  if (!found) throw new Error(`no ${need} permission for ${api}`);
  return found;
}

export const scopeFor = (api: SecurityApi, need: Need): string => `${API_PERMISSIONS[api].resource}/${permissionFor(api, need).name}`;

/** The `.default` scope of an API: every permission the app registration lists for it, in one consent. */
export const defaultScopeFor = (api: SecurityApi): string => `${API_PERMISSIONS[api].resource}/.default`;

/**
 * A scope string without its resource prefix, as the admin consent and token pages show it, in the
 * permission's own spelling (msal hands scopes back lower-cased).
 */
export function permissionName(scope: string): string {
  let name = scope;
  for (const { resource } of Object.values(API_PERMISSIONS)) {
    if (scope.toLowerCase().startsWith(`${resource.toLowerCase()}/`)) name = scope.slice(resource.length + 1);
  }
  const known = Object.values(API_PERMISSIONS).flatMap((a) => a.permissions).find((p) => p.name.toLowerCase() === name.toLowerCase());
  return known?.name ?? name;
}

/**
 * Whether granted scopes (as msal returned them, with or without the resource prefix) satisfy a
 * need. ReadWrite includes Read, as both APIs accept either for reads.
 */
export function granted(api: SecurityApi, scopes: string[], need: Need): boolean {
  const names = new Set(scopes.map((s) => permissionName(s).toLowerCase()));
  const has = (n: Need) => names.has(permissionFor(api, n).name.toLowerCase());
  return has(need) || (need === 'read' && has('write'));
}

/** Whether any of these scopes is a write permission of either API (a sign-in then asks for it again). */
export const includesWrite = (scopes: string[]): boolean =>
  SECURITY_APIS.some((api) => scopes.includes(scopeFor(api, 'write')));
