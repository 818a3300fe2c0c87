import type { EmulatorContext } from '../context';
import type { Tenant, User } from '../directory';
import type { Clock } from '../clock';
import type { Params } from './params';
import { Errors } from './errors';
import type { CodeStore, IssuedLog, PendingStore, RefreshTokenStore, SessionStore } from './grants';

/** Everything the Entra handlers share: the emulator context plus this half's own state. */
export interface EntraRuntime {
  ctx: EmulatorContext;
  /** The emulator clock (`ctx.clock`). */
  clock: Clock;
  codes: CodeStore;
  refreshTokens: RefreshTokenStore;
  sessions: SessionStore;
  pending: PendingStore;
  issued: IssuedLog;
}

export type TenantRef = Tenant | 'organizations';

/** Resolves the `{tenant}` path segment or throws AADSTS90002. */
export function resolveTenant(rt: EntraRuntime, segment: string): TenantRef {
  const tenant = rt.ctx.directory.resolveTenant(segment);
  if (!tenant) throw Errors.tenantNotFound(segment);
  return tenant;
}

/**
 * The checks every browser-facing request makes before anything else (authorize, admin consent): the
 * tenant exists, no parameter is repeated, the client is ThreatDesk, and the redirect URI is registered
 * exactly. Throws AadError; the caller shows it as a page, never as a redirect to an unchecked URI.
 */
export function checkClientRequest(rt: EntraRuntime, segment: string, params: Params, known: readonly string[]): { tenant: TenantRef; redirectUri: string } {
  const tenant = resolveTenant(rt, segment);
  const repeated = params.repeated(known);
  if (repeated) throw Errors.malformed(`the parameter '${repeated}' was sent more than once.`);
  const clientId = params.get('client_id');
  if (!clientId) throw Errors.missingParameter('client_id');
  const { directory } = rt.ctx;
  if (clientId.toLowerCase() !== directory.clientId) throw Errors.appNotFound(clientId, tenantName(tenant));
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) throw Errors.missingParameter('redirect_uri');
  if (!directory.redirectUris.has(redirectUri)) throw Errors.redirectUriMismatch(redirectUri, clientId);
  return { tenant, redirectUri };
}

/** Whether the user may sign in through this tenant segment (`organizations` admits every tenant's users). */
export function userInTenant(user: User, tenant: TenantRef): boolean {
  return tenant === 'organizations' || user.tenantId === tenant.id;
}

/** How error messages name a tenant. */
export function tenantName(tenant: TenantRef): string {
  return tenant === 'organizations' ? 'organizations' : tenant.domain;
}
