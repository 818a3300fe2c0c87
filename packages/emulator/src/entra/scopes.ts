import { DEFENDER_RESOURCE, DEFENDER_SCOPES, type DefenderScope } from '../directory';
import { Errors } from './errors';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** A validated `scope` parameter. Only the Defender resource exists in the emulator's world. */
export interface RequestedScopes {
  oidc: Set<OidcScope>;
  /** Named Defender permissions, bare and in canonical spelling and order. */
  defender: DefenderScope[];
  /** `https://api.security.microsoft.com/.default`: every permission configured for the app. */
  defaultScope: boolean;
}

/** What the consent pages say about each permission. */
export const PERMISSION_TEXT: Record<DefenderScope | 'openid' | 'offline_access', { title: string; description: string }> = {
  'Incident.Read': { title: 'Read incidents', description: 'Allows the app to read incidents on your behalf.' },
  'Incident.ReadWrite': {
    title: 'Read and write incidents',
    description: 'Allows the app to read and update incidents (status, assignment, classification, comments) on your behalf.',
  },
  'AdvancedHunting.Read': { title: 'Run advanced queries', description: 'Allows the app to run advanced hunting queries on your behalf.' },
  openid: { title: 'Sign you in and read your profile', description: 'Allows you to sign in to the app with your work account.' },
  offline_access: {
    title: 'Maintain access to data you have given it access to',
    description: 'Allows the app to keep access to the data above when you are not using it.',
  },
};

export const fullScope = (name: string): string => `${DEFENDER_RESOURCE}/${name}`;

/** The app's statically configured permissions, which `.default` and the legacy admin consent stand for. */
export const CONFIGURED_PERMISSIONS: readonly DefenderScope[] = DEFENDER_SCOPES;

function canonicalDefenderScope(name: string): DefenderScope | undefined {
  // Entra compares scope values case-insensitively.
  return DEFENDER_SCOPES.find((s) => s.toLowerCase() === name.toLowerCase());
}

/**
 * Parses and validates a space-separated `scope` value. Throws AadError: AADSTS500011 for a resource the
 * tenant does not know (every resource but Defender, including Defender *for Endpoint*'s look-alikes),
 * AADSTS70011 for an unknown permission, a bare non-OIDC name (which Entra would read as Microsoft Graph,
 * not served here), or `.default` mixed with named permissions of the same resource.
 */
export function parseScopes(raw: string, tenantName: string): RequestedScopes {
  const result: RequestedScopes = { oidc: new Set(), defender: [], defaultScope: false };
  const named = new Set<DefenderScope>();
  for (const value of raw.split(/\s+/).filter(Boolean)) {
    const oidc = OIDC_SCOPES.find((s) => s === value.toLowerCase());
    if (oidc) {
      result.oidc.add(oidc);
      continue;
    }
    const slash = value.lastIndexOf('/');
    if (slash < 0) {
      throw Errors.invalidScope(
        value,
        `A permission without a resource names a Microsoft Graph permission, which the emulator does not serve; use ${fullScope('<permission>')}.`,
      );
    }
    const resource = value.slice(0, slash).replace(/\/+$/, '');
    const name = value.slice(slash + 1);
    if (resource.toLowerCase() !== DEFENDER_RESOURCE) throw Errors.resourceNotFound(resource, tenantName);
    if (name.toLowerCase() === '.default') {
      result.defaultScope = true;
      continue;
    }
    const permission = canonicalDefenderScope(name);
    if (!permission) throw Errors.invalidScope(value, `The resource ${DEFENDER_RESOURCE} has no delegated permission named '${name}'.`);
    named.add(permission);
  }
  if (result.defaultScope && named.size > 0) {
    throw Errors.invalidScope(fullScope('.default'), `'.default' cannot be combined with other permissions of the same resource.`);
  }
  result.defender = DEFENDER_SCOPES.filter((s) => named.has(s));
  return result;
}

/** The Defender permissions a request stands for (`.default` = all configured ones). */
export function requestedPermissions(scopes: RequestedScopes): DefenderScope[] {
  return scopes.defaultScope ? [...CONFIGURED_PERMISSIONS] : scopes.defender;
}

export function asksForResource(scopes: RequestedScopes): boolean {
  return scopes.defaultScope || scopes.defender.length > 0;
}
