import type { Request } from 'express';
import { carryOverOnSignIn } from '../auth/session';
import type { HuntForm } from './huntForm';

/** A query survives a detour through sign-in and consent for this long. */
const DRAFT_TTL_MS = 60 * 60_000;

interface HuntDraft {
  form: HuntForm;
  createdAt: number;
  /** Whose query it is: after another analyst signs in on the same browser, it is dropped. */
  oid: string;
}

declare module 'express-session' {
  interface SessionData {
    /** A query waiting for the hunting permission's consent, so nothing the analyst typed is lost. */
    huntDraft?: HuntDraft;
  }
}

carryOverOnSignIn('huntDraft');

export function keepHuntDraft(req: Request, form: HuntForm, oid: string): void {
  req.session.huntDraft = { form, createdAt: Date.now(), oid };
}

/** The query this analyst typed before their sign-in, once; then it is gone from the session. */
export function takeHuntDraft(req: Request): HuntForm | undefined {
  const draft = req.session.huntDraft;
  if (!draft) return undefined;
  delete req.session.huntDraft;
  return draft.oid === req.session.account?.oid && Date.now() - draft.createdAt < DRAFT_TTL_MS ? draft.form : undefined;
}
