import type { Request } from 'express';
import { carryOverOnSignIn } from '../auth/session';

/** A typed change survives a detour through sign-in and consent for this long. */
export const PENDING_CHANGE_TTL_MS = 60 * 60_000;

export interface PendingChange {
  incidentId: string;
  form: Record<string, string>;
  createdAt: number;
  /** Whose change it is: after another analyst signs in on the same browser, it is dropped. */
  oid: string;
}

declare module 'express-session' {
  interface SessionData {
    /** A manage change waiting for a re-sign-in (incremental consent), so nothing the analyst typed is lost. */
    pendingChange?: PendingChange;
  }
}

// A sign-in regenerates the session; the change typed before it must come through.
carryOverOnSignIn('pendingChange');

export function keepPendingChange(req: Request, incidentId: string, form: Record<string, string>, oid: string): void {
  req.session.pendingChange = { incidentId, form, createdAt: Date.now(), oid };
}

/** The change this analyst typed for this incident, if it is still waiting. */
export function pendingChangeFor(req: Request, incidentId: string): PendingChange | undefined {
  const pending = req.session.pendingChange;
  if (!pending) return undefined;
  if (pending.oid !== req.session.account?.oid || Date.now() - pending.createdAt >= PENDING_CHANGE_TTL_MS) {
    delete req.session.pendingChange;
    return undefined;
  }
  return pending.incidentId === incidentId ? pending : undefined;
}

export function dropPendingChange(req: Request): void {
  delete req.session.pendingChange;
}
