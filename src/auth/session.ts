import type { NextFunction, Request, Response } from 'express';
import { SignInRequiredError } from './errors';
import type { SessionAccount } from './tokenService';

export interface PendingSignIn {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  scopes: string[];
  createdAt: number;
}

declare module 'express-session' {
  interface SessionData {
    account?: SessionAccount;
    createdAt?: number;
    lastSeen?: number;
    /** Sign-ins in flight, keyed by their `state`, so several tabs can sign in at once. */
    pendingSignIns?: Record<string, PendingSignIn>;
    /** Consecutive trips to sign-in for one page, to stop redirect loops. */
    signInLoop?: { target: string; count: number; since: number };
    /** One-shot message shown after a redirect. */
    flash?: { kind: 'success' | 'error'; text: string };
  }
}

export const MAX_PENDING = 5;
export const PENDING_TTL_MS = 10 * 60_000;

/**
 * Session keys that survive the new session id a sign-in issues (ASVS 7.2.4): work in flight, such
 * as other tabs' sign-ins, the loop guard, or a change a feature kept for after an incremental
 * consent. Features register their own keys; the sign-in flow knows none of them.
 */
const CARRY_OVER = new Set<string>(['pendingSignIns', 'signInLoop']);

export function carryOverOnSignIn(key: string): void {
  CARRY_OVER.add(key);
}

/** Issues a new session id for `account`, keeping only the registered work in flight. */
export async function signInSession(req: Request, account: SessionAccount): Promise<void> {
  const old = req.session as unknown as Record<string, unknown>;
  const carried = Object.fromEntries([...CARRY_OVER].filter((k) => old[k] !== undefined).map((k) => [k, old[k]]));
  await regenerate(req);
  const now = Date.now();
  Object.assign(req.session, carried, { account, createdAt: now, lastSeen: now });
  await saveSession(req);
}

/** Adds a pending entry, dropping expired ones and the oldest beyond the cap. */
export function addPending<T extends { createdAt: number }>(map: Record<string, T> | undefined, key: string, value: T, now = Date.now()): Record<string, T> {
  const live = Object.entries(map ?? {}).filter(([, v]) => now - v.createdAt < PENDING_TTL_MS);
  live.push([key, value]);
  live.sort((a, b) => a[1].createdAt - b[1].createdAt);
  return Object.fromEntries(live.slice(-MAX_PENDING));
}

/** Removes and returns a pending entry if it exists and has not expired. */
export function takePending<T extends { createdAt: number }>(map: Record<string, T> | undefined, key: unknown, now = Date.now()): T | undefined {
  if (!map || typeof key !== 'string' || !Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  delete map[key];
  return value !== undefined && now - value.createdAt < PENDING_TTL_MS ? value : undefined;
}

/** express-session hands callbacks whatever its store failed with. */
const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(asError(err)) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(asError(err)) : resolve())));
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(asError(err)) : resolve())));
}

/** How often lastSeen is rewritten: often enough for the idle limit, rarely enough not to write every request. */
export const LAST_SEEN_GRANULARITY_MS = 60_000;

/**
 * Enforces idle and absolute session lifetimes in the app, so a store TTL that drifts (or a touch)
 * can never extend a session past policy (ASVS 7.3.1/7.3.2).
 */
export function sessionLifetime(idleMs: number, absoluteMs: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const s = req.session;
    if (!s?.account) return next();
    const now = Date.now();
    if (now - (s.createdAt ?? 0) > absoluteMs || now - (s.lastSeen ?? 0) > idleMs) {
      // Forget who it was; sign-in will issue a new session id anyway.
      delete s.account;
      s.flash = { kind: 'error', text: 'Your session expired. Sign in again to continue.' };
    } else if (now - (s.lastSeen ?? 0) > LAST_SEEN_GRANULARITY_MS) {
      s.lastSeen = now;
    }
    next();
  };
}

/** Pages behind sign-in: browsers are sent to sign in and back; other clients get a 401. */
export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (req.session?.account) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    return res.redirect(303, `/auth/signin?returnTo=${encodeURIComponent(req.originalUrl)}`);
  }
  next(new SignInRequiredError());
}
