import { DEFENDER_API_BASE, GRAPH_RESOURCE, SECURITY_APIS, type SecurityApi } from '../config/config';
import { t } from '../i18n/i18n';

/** What a page needs to do, whatever API serves it. */
export type Need = 'read' | 'write' | 'hunting';

export interface Permission {
  need: Need;
  /** The delegated permission's name, as Entra and the token page show it. */
  name: string;
  /** What uses it, and why, for the admin consent and token pages (in the reader's language). */
  readonly neededBy: string;
  readonly why: string;
}

/**
 * A permission whose descriptions are read from the catalogue each time a page reads them, so that
 * this table, built once, still speaks the language of each request. The getters are enumerable:
 * a copy (`{ ...p }`) takes the words of the request that makes it.
 */
function permission(need: Need, name: string, neededBy: () => string, why: () => string): Permission {
  return {
    need,
    name,
    get neededBy() {
      return neededBy();
    },
    get why() {
      return why();
    },
  };
}

/**
 * Delegated permissions per API. Scope strings never depend on configured hosts: the emulator
 * speaks for the same resource identifiers as Microsoft.
 */
export const API_PERMISSIONS: Record<SecurityApi, { resource: string; permissions: Permission[] }> = {
  graph: {
    resource: GRAPH_RESOURCE,
    permissions: [
      permission('read', 'SecurityIncident.Read.All', () => t('auth:permissions.neededBy.read'), () => t('auth:permissions.why.graphRead')),
      permission('write', 'SecurityIncident.ReadWrite.All', () => t('auth:permissions.neededBy.write'), () => t('auth:permissions.why.graphWrite')),
      permission('hunting', 'ThreatHunting.Read.All', () => t('auth:permissions.neededBy.graphHunting'), () => t('auth:permissions.why.graphHunting')),
    ],
  },
  defender: {
    resource: DEFENDER_API_BASE,
    permissions: [
      permission('read', 'Incident.Read', () => t('auth:permissions.neededBy.read'), () => t('auth:permissions.why.defenderRead')),
      permission('write', 'Incident.ReadWrite', () => t('auth:permissions.neededBy.write'), () => t('auth:permissions.why.defenderWrite')),
      permission('hunting', 'AdvancedHunting.Read', () => t('auth:permissions.neededBy.defenderHunting'), () => t('auth:permissions.why.defenderHunting')),
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
