import type { Request } from 'express';

/** How many trips to sign-in for the same page, within WINDOW_MS, before ThreatDesk stops and explains. */
export const LOOP_LIMIT = 2;
const WINDOW_MS = 5 * 60_000;

/**
 * The sign-in loop guard: a page whose token keeps failing must not bounce the analyst between
 * ThreatDesk and Entra forever. It counts trips per target page in the session, and is cleared as
 * soon as any page gets a usable token.
 */
export function recordTrip(req: Request, target: string, now = Date.now()): { count: number; exceeded: boolean } {
  const loop = req.session?.signInLoop;
  const sameTarget = loop !== undefined && loop.target === target && now - loop.since < WINDOW_MS;
  const count = sameTarget ? loop.count + 1 : 1;
  if (req.session) {
    if (count > LOOP_LIMIT) delete req.session.signInLoop;
    else req.session.signInLoop = { target, count, since: sameTarget ? loop.since : now };
  }
  return { count, exceeded: count > LOOP_LIMIT };
}

/** A page got what it needed from Microsoft: the next failure starts counting from zero. */
export function clearTrips(req: Request): void {
  if (req.session?.signInLoop) delete req.session.signInLoop;
}
