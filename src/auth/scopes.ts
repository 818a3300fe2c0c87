import { DEFENDER_API_BASE } from '../config/config';

/**
 * Delegated permissions of the "Microsoft Threat Protection" API. The resource identifier is the same
 * against the emulator: only hosts change with configuration, never scope strings.
 */
export const DEFENDER_RESOURCE = DEFENDER_API_BASE;

export const PERMISSIONS = {
  read: 'Incident.Read',
  write: 'Incident.ReadWrite',
  hunting: 'AdvancedHunting.Read',
} as const;
export type PermissionKey = keyof typeof PERMISSIONS;
export type PermissionName = (typeof PERMISSIONS)[PermissionKey];

export const scopeFor = (permission: PermissionName): string => `${DEFENDER_RESOURCE}/${permission}`;

/** What sign-in asks for by default: read only, so read-only analysts never consent to write. */
export const SIGN_IN_SCOPES = [scopeFor(PERMISSIONS.read)];

/** Whether a token's `scp` satisfies a permission (ReadWrite includes Read, as the API accepts either). */
export function grants(scp: string[], needed: PermissionName): boolean {
  if (scp.includes(needed)) return true;
  return needed === PERMISSIONS.read && scp.includes(PERMISSIONS.write);
}
