import { GRAPH_APP_ID, permissionUri, RESOURCE_KEYS, RESOURCES, type ResourceKey } from '../directory';
import { Errors } from './errors';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** The permissions a request names for one resource. */
export interface ResourceRequest {
  resource: ResourceKey;
  /** Named permissions, bare, in canonical spelling and order. */
  permissions: string[];
  /** `<resource>/.default`: every permission configured for the app on that resource. */
  defaultScope: boolean;
}

/**
 * A validated `scope` parameter: OIDC scopes plus the permissions of each resource named, in the order
 * the resources first appear (a token is issued for the first; authorize consents to all of them).
 */
export interface RequestedScopes {
  oidc: Set<OidcScope>;
  resources: ResourceRequest[];
}

type PermissionText = { title: string; description: string };

/** What the consent pages say about each permission, by full permission URI (or OIDC scope name). */
export const PERMISSION_TEXT: Record<string, PermissionText> = {
  [permissionUri('defender', 'Incident.Read')]: { title: 'Read incidents', description: 'Allows the app to read incidents on your behalf.' },
  [permissionUri('defender', 'Incident.ReadWrite')]: {
    title: 'Read and write incidents',
    description: 'Allows the app to read and update incidents (status, assignment, classification, comments) on your behalf.',
  },
  [permissionUri('defender', 'AdvancedHunting.Read')]: {
    title: 'Run advanced queries',
    description: 'Allows the app to run advanced hunting queries on your behalf.',
  },
  [permissionUri('graph', 'SecurityIncident.Read.All')]: {
    title: 'Read incidents',
    description: 'Allows the app to read security incidents on your behalf (Microsoft Graph).',
  },
  [permissionUri('graph', 'SecurityIncident.ReadWrite.All')]: {
    title: 'Read and write to incidents',
    description: 'Allows the app to read and update security incidents (status, assignment, classification, tags, comments) on your behalf (Microsoft Graph).',
  },
  [permissionUri('graph', 'SecurityAlert.Read.All')]: {
    title: 'Read all security alerts',
    description: 'Allows the app to read security alerts on your behalf (Microsoft Graph).',
  },
  [permissionUri('graph', 'ThreatHunting.Read.All')]: {
    title: 'Run hunting queries',
    description: 'Allows the app to run hunting queries on your behalf (Microsoft Graph).',
  },
  [permissionUri('graph', 'User.Read')]: { title: 'Sign you in and read your profile', description: 'Allows you to sign in to the app and the app to read your profile.' },
  openid: { title: 'Sign you in and read your profile', description: 'Allows you to sign in to the app with your work account.' },
  offline_access: {
    title: 'Maintain access to data you have given it access to',
    description: 'Allows the app to keep access to the data above when you are not using it.',
  },
};

/** A consent page's line for a permission (full URI) or OIDC scope: every one the emulator knows has a text. */
export function consentItem(scope: string): PermissionText & { scope: string } {
  const text = PERMISSION_TEXT[scope];
  if (!text) throw new Error(`No consent-page text for the permission ${scope}`);
  return { ...text, scope };
}

/** A Defender permission as Entra names it in scopes (kept for callers that only speak Defender). */
export const fullScope = (name: string): string => permissionUri('defender', name);

/**
 * The app registration's statically configured permissions per resource, which `.default` and the legacy
 * admin consent stand for: every permission the emulator knows on each resource.
 */
export const CONFIGURED_PERMISSIONS: Record<ResourceKey, readonly string[]> = {
  defender: RESOURCES.defender.permissions,
  graph: RESOURCES.graph.permissions,
};

/** Every configured permission of both resources, as full URIs. */
export const ALL_CONFIGURED: readonly string[] = RESOURCE_KEYS.flatMap((r) => CONFIGURED_PERMISSIONS[r].map((p) => permissionUri(r, p)));

function canonical(resource: ResourceKey, name: string): string | undefined {
  // Entra compares scope values case-insensitively.
  return RESOURCES[resource].permissions.find((s) => s.toLowerCase() === name.toLowerCase());
}

function resourceOf(prefix: string): ResourceKey | undefined {
  const p = prefix.replace(/\/+$/, '').toLowerCase();
  if (p === GRAPH_APP_ID) return 'graph';
  return RESOURCE_KEYS.find((r) => RESOURCES[r].uri === p);
}

/**
 * Parses and validates a space-separated `scope` value. Throws AadError: AADSTS500011 for a resource the
 * tenant does not know (every resource but Defender and Microsoft Graph, including Defender *for Endpoint*'s
 * look-alikes), AADSTS70011 for an unknown permission (a bare name is a Microsoft Graph permission, as Entra
 * reads it), or `.default` mixed with named permissions of the same resource.
 */
export function parseScopes(raw: string, tenantName: string): RequestedScopes {
  const result: RequestedScopes = { oidc: new Set(), resources: [] };
  const named = new Map<ResourceKey, Set<string>>();
  const defaults = new Set<ResourceKey>();
  const order: ResourceKey[] = [];
  const note = (r: ResourceKey) => {
    if (!order.includes(r)) order.push(r);
  };
  for (const value of raw.split(/\s+/).filter(Boolean)) {
    const oidc = OIDC_SCOPES.find((s) => s === value.toLowerCase());
    if (oidc) {
      result.oidc.add(oidc);
      continue;
    }
    const slash = value.lastIndexOf('/');
    const resource = slash < 0 ? 'graph' : resourceOf(value.slice(0, slash));
    if (!resource) throw Errors.resourceNotFound(value.slice(0, slash).replace(/\/+$/, ''), tenantName);
    const name = value.slice(slash + 1);
    if (name.toLowerCase() === '.default') {
      defaults.add(resource);
      note(resource);
      continue;
    }
    const permission = canonical(resource, name);
    if (!permission) {
      const hint =
        slash < 0 && canonical('defender', name)
          ? ` A permission without a resource names a Microsoft Graph permission; for the Defender API use ${permissionUri('defender', canonical('defender', name) as string)}.`
          : '';
      throw Errors.invalidScope(value, `The resource ${RESOURCES[resource].uri} has no delegated permission named '${name}'.${hint}`);
    }
    const set = named.get(resource) ?? new Set<string>();
    set.add(permission);
    named.set(resource, set);
    note(resource);
  }
  for (const resource of order) {
    const names = named.get(resource) ?? new Set<string>();
    if (defaults.has(resource) && names.size > 0) {
      throw Errors.invalidScope(permissionUri(resource, '.default'), `'.default' cannot be combined with other permissions of the same resource.`);
    }
    result.resources.push({ resource, permissions: RESOURCES[resource].permissions.filter((p) => names.has(p)), defaultScope: defaults.has(resource) });
  }
  return result;
}

/** The permissions one resource request stands for (`.default` = every configured one), as full URIs. */
export function permissionsOf(request: ResourceRequest): string[] {
  const names = request.defaultScope ? CONFIGURED_PERMISSIONS[request.resource] : request.permissions;
  return names.map((p) => permissionUri(request.resource, p));
}

/** The permissions a whole request stands for, across resources, as full URIs. */
export function requestedPermissions(scopes: RequestedScopes): string[] {
  return scopes.resources.flatMap(permissionsOf);
}

export function asksForResource(scopes: RequestedScopes): boolean {
  return scopes.resources.length > 0;
}
