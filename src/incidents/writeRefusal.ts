import type { Request } from 'express';

/**
 * Microsoft refused this analyst a change for their role: incident pages then show the values
 * with why, and the controls folded away, rather than a form that will be refused again. Kept in
 * the session for an hour (a role can change; a new sign-in starts afresh, as it is not carried over).
 */
export const WRITE_REFUSAL_TTL_MS = 60 * 60_000;

export interface WriteRefusal {
  at: number;
  incidentId: string;
  /** Why, in words (the forbidden page's explanation). */
  why: string;
}

declare module 'express-session' {
  interface SessionData {
    writeRefusal?: WriteRefusal;
  }
}

export function rememberWriteRefusal(req: Request, incidentId: string, why: string): void {
  req.session.writeRefusal = { at: Date.now(), incidentId, why };
}

export function writeRefusalOf(req: Request): WriteRefusal | undefined {
  const refusal = req.session.writeRefusal;
  if (refusal !== undefined && Date.now() - refusal.at >= WRITE_REFUSAL_TTL_MS) {
    delete req.session.writeRefusal;
    return undefined;
  }
  return refusal;
}
