import type { EmulatorContext } from '../context';
import type { Tenant, User } from '../directory';
import type { Clock } from './clock';
import { Errors } from './errors';
import type { CodeStore, IssuedLog, PendingStore, RefreshTokenStore, SessionStore } from './grants';

/** Everything the Entra handlers share: the emulator context plus this half's own state. */
export interface EntraRuntime {
  ctx: EmulatorContext;
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

/** Whether the user may sign in through this tenant segment (`organizations` admits every tenant's users). */
export function userInTenant(user: User, tenant: TenantRef): boolean {
  return tenant === 'organizations' || user.tenantId === tenant.id;
}

/** How error messages name a tenant. */
export function tenantName(tenant: TenantRef): string {
  return tenant === 'organizations' ? 'organizations' : tenant.domain;
}
