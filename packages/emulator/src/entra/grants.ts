import type { Tenant } from '../directory';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import { guid, opaque } from './ids';
import type { RequestedScopes } from './scopes';

/** Codes live 10 minutes (service-facts §2.3); they are kept a while longer so a late redemption says "expired", not "unknown". */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
const CODE_RETENTION_MS = 60 * 60 * 1000;
/** How long a started sign-in (the picker or consent page) stays answerable. */
const PENDING_LIFETIME_MS = 60 * 60 * 1000;
/** The browser SSO session behind the `emulator_sso` cookie. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** How long a refresh token is remembered after it expired, so a late use says "expired", not "unknown". */
const REFRESH_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * A cache whose entries disappear after their own time to live on the emulator clock, with a size cap
 * so a long demo or benchmark cannot grow the emulator without bound (least recently used go first).
 * `ttlResolution: 0` makes every lookup read the clock, so a test that moves it sees the effect at once.
 */
export function expiringCache<T extends object>(clock: Clock, max: number, ttlMs: number): LRUCache<string, T> {
  return new LRUCache<string, T>({ max, ttl: ttlMs, ttlResolution: 0, perf: clock });
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
  /** Full permission URIs, of either resource. */
  permissions: string[];
}

export type PendingRequest = PendingAuthorize | PendingAdminConsent;

export class CodeStore {
  private readonly codes: LRUCache<string, AuthorizationCode>;

  constructor(private readonly clock: Clock) {
    this.codes = expiringCache(clock, 100_000, CODE_RETENTION_MS);
  }

  issue(grant: Omit<AuthorizationCode, 'issuedAt' | 'redeemed'>): string {
    const code = opaque(48);
    this.codes.set(code, { ...grant, issuedAt: this.clock.now(), redeemed: false });
    return code;
  }

  get(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }
}

export class RefreshTokenStore {
  private readonly tokens: LRUCache<string, RefreshTokenRecord>;

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSec: () => number,
  ) {
    this.tokens = expiringCache(clock, 100_000, REFRESH_RETENTION_MS);
  }

  issue(grant: Omit<RefreshTokenRecord, 'issuedAt' | 'expiresAt' | 'revoked'>): string {
    const token = opaque(64);
    const issuedAt = this.clock.now();
    const lifetimeMs = this.lifetimeSec() * 1000;
    // Kept a day past expiry so a late use is told "expired" rather than "unknown".
    this.tokens.set(token, { ...grant, issuedAt, expiresAt: issuedAt + lifetimeMs, revoked: false }, { ttl: lifetimeMs + REFRESH_RETENTION_MS });
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
  private readonly sessions: LRUCache<string, BrowserSession>;

  constructor(clock: Clock) {
    this.sessions = expiringCache(clock, 10_000, SESSION_LIFETIME_MS);
  }

  create(oid: string): { id: string; session: BrowserSession } {
    const id = opaque(32);
    const session: BrowserSession = { oid, sessionState: guid(), sid: guid() };
    this.sessions.set(id, session);
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
  private readonly pending: LRUCache<string, PendingRequest>;

  constructor(clock: Clock) {
    this.pending = expiringCache(clock, 10_000, PENDING_LIFETIME_MS);
  }

  add<T extends PendingRequest>(request: Omit<T, 'id'>): T {
    const stored = { ...request, id: opaque(24) } as T;
    this.pending.set(stored.id, stored);
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
 * Every code and token handed out, so leak tests can search the app's responses and logs for them.
 * Bounded: a long demo or benchmark keeps only the most recent ones.
 */
export class IssuedLog {
  private readonly values: LRUCache<string, true>;

  constructor(max = 20_000) {
    this.values = new LRUCache({ max });
  }

  record(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.values.set(v, true);
  }

  /** Oldest first. */
  all(): string[] {
    return [...this.values.rkeys()];
  }
}
