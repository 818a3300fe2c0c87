import type { ApiRequest, ListingSettings, Quotas } from '../context';
import type { Incident, IncidentSummary, NewIncident, PortalChange } from '../defender';
import type { DefenderRole, EntraRole, NewUser, ResourceKey, User } from '../directory';
import type { Fault } from '../faults';

export type { ApiName, ApiRequest, DefenderRequest, ListingSettings, ListOrder, Quotas } from '../context';
export type { Incident, IncidentSummary, NewAlert, NewIncident, PortalChange } from '../defender';
export type { DefenderRole, EntraRole, NewUser, ResourceKey } from '../directory';
export type { Fault, FaultEndpoint, FaultKind } from '../faults';

/** A user as the directory holds it: a plain copy, changing it changes nothing in the emulator. */
export type UserInfo = User;

/** What `users.update` may change. */
export interface UserUpdate {
  /** Merged into the user's Defender role (e.g. `{ deviceGroups: ['Lab'] }` or `{ role: 'none' }`). */
  defender?: Partial<DefenderRole>;
  /** Replaces the user's Microsoft Entra roles (the Graph API checks them). */
  entraRoles?: EntraRole[];
  /** Adds (true) or removes (false) Global Administrator. */
  isGlobalAdmin?: boolean;
}

/** How `tokens.mint` shapes the token. */
export interface MintRequest {
  /** `defender` (default: aud https://api.security.microsoft.com) or `graph` (aud https://graph.microsoft.com). */
  resource?: ResourceKey;
  /** Claims to set or override (`iat`, `exp`, `scp`, `aud`, `appid`…). */
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  remove?: string[];
}

/** ThreatDesk's app registration in the emulated directory. */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface GrantCounts {
  authorization_code: number;
  refresh_token: number;
}

/**
 * Everything tests and demos may do to the emulator, and all they may read from it. Implemented twice
 * with the same behaviour: in-process (`emu.control`) and over HTTP (`EmulatorControlClient`, talking to
 * `/_emulator/…` on either listener). Every result is a plain copy. Failures reject with a ControlError
 * whose `status` is 400 (bad input), 404 (unknown user, tenant or incident) or 409 (user exists).
 * `tenant` arguments take a tenant id or a domain; `upn` arguments are case-insensitive.
 */
export interface EmulatorControl {
  faults: {
    /** Queues one or many faults (all or none: a bad one queues nothing); returns every pending fault. */
    add(faults: Fault | Fault[]): Promise<Fault[]>;
    /** The faults still pending, in the order they apply. */
    list(): Promise<Fault[]>;
    clear(): Promise<void>;
  };
  users: {
    add(user: NewUser): Promise<UserInfo>;
    /** undefined when there is no such user. */
    get(upn: string): Promise<UserInfo | undefined>;
    /** Every user, or those of one tenant. */
    list(tenant?: string): Promise<UserInfo[]>;
    /** Changes the user's Defender role, Entra roles or administrator flag; returns the user as it now is. */
    update(upn: string, update: UserUpdate): Promise<UserInfo>;
    /** Revokes the user's live refresh tokens (AADSTS700082 on next use); returns how many. */
    revokeRefreshTokens(upn: string): Promise<number>;
  };
  /**
   * Consent is per resource and permission. Operations take full permission URIs
   * (`https://graph.microsoft.com/SecurityIncident.Read.All`, `https://api.security.microsoft.com/Incident.Read`,
   * `<resource>/.default` for every permission configured on that resource) and, for compatibility, bare
   * names, which are unambiguous here (`Incident.Read` is Defender's, `SecurityIncident.Read.All` Graph's).
   * They answer with full permission URIs, sorted.
   */
  consent: {
    /** Adds admin consent for permissions in the tenant; returns its consented permissions. */
    grantAdmin(tenant: string, scopes: string[]): Promise<string[]>;
    /** Withdraws those permissions (all of them when `scopes` is omitted); returns what remains. */
    revokeAdmin(tenant: string, scopes?: string[]): Promise<string[]>;
    /** The permissions an administrator consented to for the whole tenant, sorted. */
    tenantScopes(tenant: string): Promise<string[]>;
    /** The permissions the user consented to for themselves, sorted. */
    userScopes(upn: string): Promise<string[]>;
  };
  tokens: {
    /** Every access token issued so far gets 401 from both incident APIs; later ones work. */
    expireAll(): Promise<void>;
    /** A Defender (default) or Graph access token for the user, as the token endpoint would issue it, recorded as issued. */
    mint(upn: string, request?: MintRequest): Promise<string>;
    /** Every code and token issued so far (the most recent 20,000), for leak scans. */
    issuedSecrets(): Promise<string[]>;
  };
  stats: {
    /** Token requests per grant type that got past fault injection. */
    grants(): Promise<GrantCounts>;
    /** The number of incident-API requests (Defender and Graph) received so far: pass it to `requests` later. */
    mark(): Promise<number>;
    /** Incident-API requests (both surfaces, `api` says which) received since `mark` (every one kept, by default), oldest first. */
    requests(since?: number): Promise<ApiRequest[]>;
    /** Forgets the requests received so far (marks stay valid). */
    clearRequests(): Promise<void>;
  };
  incidents: {
    /** The tenant's incidents in listing order, as the index holds them (no alerts). */
    list(tenant: string): Promise<IncidentSummary[]>;
    /** One incident as the Defender API would return it; undefined when the tenant has none with that id. */
    get(tenant: string, id: number): Promise<Incident | undefined>;
    count(tenant: string): Promise<number>;
    /** Ids of the incidents the user's Defender role may see, in listing order. */
    visibleIds(upn: string): Promise<number[]>;
    /** The order both APIs list in and the server page size (null: Graph 50, Defender 100). */
    listing(): Promise<ListingSettings>;
    /** Changes the order and/or page size (1–100, null for the defaults); returns the settings. */
    setListing(settings: Partial<ListingSettings>): Promise<ListingSettings>;
    /** Changes an incident as someone in the Defender portal would; bumps lastUpdateTime by the emulator clock. */
    change(tenant: string, id: number, change: PortalChange): Promise<Incident>;
    /** Adds a new incident (the newest by creation and by update); returns it. */
    add(tenant: string, incident: NewIncident): Promise<Incident>;
  };
  quotas: {
    /** The per-minute quotas per tenant and app (Defender per operation; `graph` for every Graph call). */
    get(): Promise<Quotas>;
    /** Changes some of them (positive integers); returns all. */
    set(quotas: Partial<Quotas>): Promise<Quotas>;
    /** Forgets the calls counted so far. */
    reset(): Promise<void>;
  };
  clock: {
    /** The emulator clock, in milliseconds since the epoch. */
    now(): Promise<number>;
    /** Moves it forward (ms ≥ 0); returns the new now. */
    advance(ms: number): Promise<number>;
    /** Sets it to an instant; returns the new now. */
    set(epochMs: number): Promise<number>;
  };
  app: {
    registration(): Promise<AppRegistration>;
    /** Registers more redirect URIs for ThreatDesk (tests learn their app's port after the emulator starts). */
    addRedirectUris(uris: string[]): Promise<AppRegistration>;
  };
}
