import { createHash } from 'node:crypto';
import { itemAt } from './lists';

/** The Defender resource, as Entra names it in scopes and as the `aud` of its access tokens. */
export const DEFENDER_RESOURCE = 'https://api.security.microsoft.com';
/** Delegated permissions of the "Microsoft Threat Protection" resource (service-facts §1.10). */
export const DEFENDER_SCOPES = ['Incident.Read', 'Incident.ReadWrite', 'AdvancedHunting.Read'] as const;
export type DefenderScope = (typeof DEFENDER_SCOPES)[number];

/** Microsoft Graph, as Entra names it in scopes and as the `aud` of the access tokens it issues for it. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/** Microsoft Graph's application id, the other spelling of its audience. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The delegated Graph permissions the emulator knows (graph-security-api.md §2), plus User.Read. */
export const GRAPH_SCOPES = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'SecurityAlert.Read.All', 'ThreatHunting.Read.All', 'User.Read'] as const;
export type GraphScope = (typeof GRAPH_SCOPES)[number];

/** The two resources of the emulator's world, by a short key. */
export const RESOURCES = {
  defender: { uri: DEFENDER_RESOURCE, permissions: DEFENDER_SCOPES as readonly string[] },
  graph: { uri: GRAPH_RESOURCE, permissions: GRAPH_SCOPES as readonly string[] },
} as const;
export type ResourceKey = keyof typeof RESOURCES;
export const RESOURCE_KEYS = Object.keys(RESOURCES) as ResourceKey[];

/** `https://graph.microsoft.com/SecurityIncident.Read.All`: a permission as Entra names it, resource and all. */
export const permissionUri = (resource: ResourceKey, name: string): string => `${RESOURCES[resource].uri}/${name}`;

/**
 * Microsoft Entra roles that matter to the Graph security API (graph-security-api.md §2): reads need Security
 * Reader or higher, incident writes Security Operator, Security Administrator or Global Administrator.
 */
export const ENTRA_ROLES = ['Global Administrator', 'Security Administrator', 'Security Operator', 'Security Reader'] as const;
export type EntraRole = (typeof ENTRA_ROLES)[number];
export const GLOBAL_ADMIN: EntraRole = 'Global Administrator';

export const CONTOSO_ID = '11111111-1111-4111-8111-111111111111';
export const FABRIKAM_ID = '22222222-2222-4222-8222-222222222222';
export const THREATDESK_CLIENT_ID = '33333333-3333-4333-8333-333333333333';
/** The display name Entra shows for that registration on its pages and in its errors. */
export const THREATDESK_APP_NAME = 'ThreatDesk';
export const DEFAULT_CLIENT_SECRET = 'emulator-client-secret-not-for-production';

export interface Tenant {
  id: string;
  domain: string;
  displayName: string;
  /** When false, users cannot consent for themselves: unconsented scopes end in consent_required. */
  userConsentAllowed: boolean;
  /** Tenant-wide (admin) consent granted to ThreatDesk, as full permission URIs (resource + permission). */
  consentedScopes: Set<string>;
}

/** What the Defender API lets a user do. `deviceGroups: '*'` sees every incident, including ones without devices. */
export interface DefenderRole {
  role: 'none' | 'analyst' | 'responder';
  deviceGroups: string[] | '*';
  canUpdate: boolean;
}

export interface User {
  oid: string;
  upn: string;
  name: string;
  tenantId: string;
  /** True exactly when `entraRoles` holds Global Administrator (admin consent needs it). */
  isGlobalAdmin: boolean;
  /** Microsoft Entra roles, which the Graph security API checks on delegated calls. */
  entraRoles: EntraRole[];
  defender: DefenderRole;
}

export interface NewUser {
  upn: string;
  name?: string;
  tenantId?: string;
  /** Shorthand for Global Administrator in `entraRoles`. */
  isGlobalAdmin?: boolean;
  entraRoles?: EntraRole[];
  defender?: Partial<DefenderRole>;
}

/** The roles with `isGlobalAdmin` folded in: true adds Global Administrator, false removes it. */
export function rolesWithAdmin(roles: readonly EntraRole[], isGlobalAdmin: boolean | undefined): EntraRole[] {
  const set = new Set(roles);
  if (isGlobalAdmin === true) set.add(GLOBAL_ADMIN);
  if (isGlobalAdmin === false) set.delete(GLOBAL_ADMIN);
  return ENTRA_ROLES.filter((r) => set.has(r));
}

/** A stable, valid v4-shaped GUID derived from a name, so object ids survive restarts without state on disk. */
export function stableGuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NO_ROLE: DefenderRole = { role: 'none', deviceGroups: [], canUpdate: false };

export class Directory {
  readonly tenants = new Map<string, Tenant>();
  readonly users = new Map<string, User>(); // by lower-case UPN
  /** Scopes each user consented to for themselves, by oid. */
  readonly userConsents = new Map<string, Set<string>>();

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    readonly redirectUris: Set<string>,
  ) {}

  static seeded(options: { clientSecret?: string; redirectUris?: string[] } = {}): Directory {
    const dir = new Directory(
      THREATDESK_CLIENT_ID,
      options.clientSecret ?? DEFAULT_CLIENT_SECRET,
      new Set(options.redirectUris ?? defaultRedirectUris('http://localhost:3000')),
    );
    dir.tenants.set(CONTOSO_ID, {
      id: CONTOSO_ID,
      domain: 'contoso.example',
      displayName: 'Contoso',
      userConsentAllowed: true,
      consentedScopes: new Set([
        permissionUri('graph', 'SecurityIncident.Read.All'),
        permissionUri('graph', 'SecurityIncident.ReadWrite.All'),
        permissionUri('graph', 'ThreatHunting.Read.All'),
        permissionUri('defender', 'Incident.Read'),
        permissionUri('defender', 'Incident.ReadWrite'),
      ]),
    });
    dir.tenants.set(FABRIKAM_ID, {
      id: FABRIKAM_ID,
      domain: 'fabrikam.example',
      displayName: 'Fabrikam',
      userConsentAllowed: false,
      consentedScopes: new Set(),
    });
    const analyst = (deviceGroups: string[]): Partial<DefenderRole> => ({ role: 'analyst', deviceGroups, canUpdate: false });
    const reader: EntraRole[] = ['Security Reader'];
    dir.addUser({ upn: 'alex@contoso.example', name: 'Alex Wilber', entraRoles: reader, defender: analyst(['Servers', 'Workstations']) });
    dir.addUser({ upn: 'sam@contoso.example', name: 'Sam Rivera', entraRoles: reader, defender: analyst(['Workstations']) });
    dir.addUser({
      upn: 'riley@contoso.example',
      name: 'Riley Chen',
      entraRoles: ['Security Operator'],
      defender: { role: 'responder', deviceGroups: '*', canUpdate: true },
    });
    dir.addUser({ upn: 'morgan@contoso.example', name: 'Morgan Diaz', isGlobalAdmin: true });
    dir.addUser({ upn: 'pat@contoso.example', name: 'Pat Kowalski' });
    dir.addUser({ upn: 'casey@fabrikam.example', name: 'Casey Jordan', tenantId: FABRIKAM_ID, isGlobalAdmin: true });
    dir.addUser({
      upn: 'jordan@fabrikam.example',
      name: 'Jordan Mills',
      tenantId: FABRIKAM_ID,
      entraRoles: reader,
      defender: analyst(['Servers', 'Workstations']),
    });
    return dir;
  }

  /** Adds a user; the tenant defaults to the one named by the UPN's domain. */
  addUser(input: NewUser): User {
    const upn = input.upn.toLowerCase();
    const tenantId = input.tenantId ?? this.tenantByDomain(upn.split('@')[1] ?? '')?.id;
    if (!tenantId || !this.tenants.has(tenantId)) throw new Error(`No tenant for ${input.upn}`);
    if (this.users.has(upn)) throw new Error(`User ${input.upn} exists`);
    const entraRoles = rolesWithAdmin(input.entraRoles ?? [], input.isGlobalAdmin);
    const user: User = {
      oid: stableGuid(`user:${upn}`),
      upn,
      name: input.name ?? itemAt(upn.split('@'), 0, 'UPN'),
      tenantId,
      isGlobalAdmin: entraRoles.includes(GLOBAL_ADMIN),
      entraRoles,
      defender: { ...NO_ROLE, ...input.defender },
    };
    this.users.set(upn, user);
    return user;
  }

  tenantByDomain(domain: string): Tenant | undefined {
    const d = domain.toLowerCase();
    return [...this.tenants.values()].find((t) => t.domain === d);
  }

  /**
   * Resolves the `{tenant}` path segment: a tenant id, a verified domain, or `organizations`.
   * `common` and `consumers` are not served: ThreatDesk is a work-account-only app.
   */
  resolveTenant(segment: string): Tenant | 'organizations' | undefined {
    if (segment.toLowerCase() === 'organizations') return 'organizations';
    return this.tenants.get(segment.toLowerCase()) ?? this.tenantByDomain(segment);
  }

  /** Users who may sign in through the given tenant segment. */
  usersFor(tenant: Tenant | 'organizations'): User[] {
    const all = [...this.users.values()];
    return tenant === 'organizations' ? all : all.filter((u) => u.tenantId === tenant.id);
  }

  findUser(upn: string): User | undefined {
    return this.users.get(upn.toLowerCase());
  }

  userByOid(oid: string): User | undefined {
    return [...this.users.values()].find((u) => u.oid === oid);
  }

  /** Permissions (full URIs) the user may receive without being asked: tenant grants plus their own consent. */
  grantedScopes(user: User): Set<string> {
    const tenant = this.tenants.get(user.tenantId);
    return new Set([...(tenant?.consentedScopes ?? []), ...(this.userConsents.get(user.oid) ?? [])]);
  }

  missingConsent(user: User, scopes: Iterable<string>): string[] {
    const granted = this.grantedScopes(user);
    return [...scopes].filter((s) => !granted.has(s));
  }

  grantUserConsent(user: User, scopes: Iterable<string>): void {
    const set = this.userConsents.get(user.oid) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.userConsents.set(user.oid, set);
  }

  grantAdminConsent(tenantId: string, scopes: Iterable<string>): void {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new Error(`Unknown tenant ${tenantId}`);
    for (const s of scopes) tenant.consentedScopes.add(s);
  }

  /** Withdraws admin consent for those scopes (every scope when none are given). */
  revokeAdminConsent(tenantId: string, scopes?: Iterable<string>): void {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new Error(`Unknown tenant ${tenantId}`);
    if (scopes === undefined) tenant.consentedScopes.clear();
    else for (const s of scopes) tenant.consentedScopes.delete(s);
  }
}

/** The redirect URIs a ThreatDesk deployment at `baseUrl` registers (sign-in, admin consent, sign-out). */
export function defaultRedirectUris(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, '');
  return [`${base}/auth/redirect`, `${base}/admin/consent/callback`, `${base}/auth/signed-out`];
}
