import type { DefenderScope, Tenant } from '../directory';
import type { Clock } from './clock';
import { guid, opaque } from './ids';
import type { RequestedScopes } from './scopes';

/** Codes live 10 minutes (service-facts §2.3); they are kept a while longer so a late redemption says "expired", not "unknown". */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
const CODE_RETENTION_MS = 60 * 60 * 1000;
/** How long a started sign-in (the picker or consent page) stays answerable. */
const PENDING_LIFETIME_MS = 60 * 60 * 1000;
/** The browser SSO session behind the `emulator_sso` cookie. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * A map whose entries disappear after their own deadline, with a size cap so a long demo or benchmark
 * cannot grow the emulator without bound (the oldest entries go first).
 */
export class ExpiringMap<T> {
  private readonly map = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries: number,
  ) {}

  set(key: string, value: T, until: number): void {
    this.prune();
    this.map.set(key, { value, until });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  get(key: string): T | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.clock.now()) {
      this.map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  *values(): IterableIterator<T> {
    const now = this.clock.now();
    for (const entry of this.map.values()) if (entry.until > now) yield entry.value;
  }

  /** Drops expired entries from the front; insertion order roughly follows deadlines, so this stays cheap. */
  private prune(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.map) {
      if (entry.until > now) break;
      this.map.delete(key);
    }
  }
}

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  oid: string;
  tenantId: string;
  /** The scopes of the authorize request. */
  scopes: RequestedScopes;
  nonce?: string;
  codeChallenge?: string;
  /** The browser session it came from (the id_token's `sid`). */
  sid: string;
  issuedAt: number;
  redeemed: boolean;
}

export interface RefreshTokenRecord {
  clientId: string;
  oid: string;
  tenantId: string;
  /** The scopes of the grant that issued it; a refresh without `scope` falls back to these. */
  scopes: RequestedScopes;
  sid: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface BrowserSession {
  oid: string;
  /** The `session_state` GUID sent back on authorize redirects, stable for the session. */
  sessionState: string;
  /** The id_token `sid` claim. */
  sid: string;
}

interface PendingBase {
  id: string;
  /** The `{tenant}` path segment as the client sent it. */
  tenantSegment: string;
  tenant: Tenant | 'organizations';
  redirectUri: string;
  state?: string;
  /** Set once a user is known (SSO or the picker): who, and through which browser session. */
  oid?: string;
  session?: BrowserSession;
  /** True while the consent page is showing; only then is a consent answer accepted. */
  awaitingConsent?: boolean;
}

/** An authorize request waiting on the sign-in or consent page. */
export interface PendingAuthorize extends PendingBase {
  kind: 'authorize';
  responseMode: 'query' | 'form_post';
  scopes: RequestedScopes;
  nonce?: string;
  codeChallenge?: string;
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
  loginHint?: string;
  clientInfo: boolean;
}

/** An admin-consent request waiting on the sign-in or consent page. */
export interface PendingAdminConsent extends PendingBase {
  kind: 'adminconsent';
  /** The legacy `/{tenant}/adminconsent` form, whose redirects differ. */
  legacy: boolean;
  permissions: DefenderScope[];
}

export type PendingRequest = PendingAuthorize | PendingAdminConsent;

export class CodeStore {
  private readonly codes: ExpiringMap<AuthorizationCode>;

  constructor(private readonly clock: Clock) {
    this.codes = new ExpiringMap(clock, 100_000);
  }

  issue(grant: Omit<AuthorizationCode, 'issuedAt' | 'redeemed'>): string {
    const code = opaque(48);
    const issuedAt = this.clock.now();
    this.codes.set(code, { ...grant, issuedAt, redeemed: false }, issuedAt + CODE_RETENTION_MS);
    return code;
  }

  get(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }
}

export class RefreshTokenStore {
  private readonly tokens: ExpiringMap<RefreshTokenRecord>;

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSec: () => number,
  ) {
    this.tokens = new ExpiringMap(clock, 100_000);
  }

  issue(grant: Omit<RefreshTokenRecord, 'issuedAt' | 'expiresAt' | 'revoked'>): string {
    const token = opaque(64);
    const issuedAt = this.clock.now();
    const expiresAt = issuedAt + this.lifetimeSec() * 1000;
    // Kept a day past expiry so a late use is told "expired" rather than "unknown".
    this.tokens.set(token, { ...grant, issuedAt, expiresAt, revoked: false }, expiresAt + 24 * 3600 * 1000);
    return token;
  }

  get(token: string): RefreshTokenRecord | undefined {
    return this.tokens.get(token);
  }

  /** Revokes every live refresh token of the user; returns how many were live. */
  revokeAll(oid: string): number {
    let count = 0;
    const now = this.clock.now();
    for (const record of this.tokens.values()) {
      if (record.oid !== oid || record.revoked || record.expiresAt <= now) continue;
      record.revoked = true;
      count += 1;
    }
    return count;
  }
}

export class SessionStore {
  private readonly sessions: ExpiringMap<BrowserSession>;

  constructor(private readonly clock: Clock) {
    this.sessions = new ExpiringMap(clock, 10_000);
  }

  create(oid: string): { id: string; session: BrowserSession } {
    const id = opaque(32);
    const session: BrowserSession = { oid, sessionState: guid(), sid: guid() };
    this.sessions.set(id, session, this.clock.now() + SESSION_LIFETIME_MS);
    return { id, session };
  }

  get(id: string | undefined): BrowserSession | undefined {
    return id ? this.sessions.get(id) : undefined;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

export class PendingStore {
  private readonly pending: ExpiringMap<PendingRequest>;

  constructor(private readonly clock: Clock) {
    this.pending = new ExpiringMap(clock, 10_000);
  }

  add<T extends PendingRequest>(request: Omit<T, 'id'>): T {
    const stored = { ...request, id: opaque(24) } as T;
    this.pending.set(stored.id, stored, this.clock.now() + PENDING_LIFETIME_MS);
    return stored;
  }

  get(id: string | undefined): PendingRequest | undefined {
    return id ? this.pending.get(id) : undefined;
  }

  /** A finished request cannot be replayed (double submit, back button). */
  finish(id: string): void {
    this.pending.delete(id);
  }
}

/**
 * Every code and token handed out, newest last, so leak tests can search the app's responses and logs
 * for them. Bounded: a long demo or benchmark keeps only the most recent ones.
 */
export class IssuedLog {
  private readonly values: string[] = [];

  constructor(private readonly max = 20_000) {}

  record(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.values.push(v);
    if (this.values.length > this.max) this.values.splice(0, this.values.length - this.max);
  }

  all(): string[] {
    return [...this.values];
  }
}
