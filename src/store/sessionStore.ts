import session from 'express-session';
import { PRE_SIGN_IN_PREFIX, StoreUnavailableError, type KeyValueStore } from './store';

const PREFIX = 'sess:';
/** Sessions nobody has signed in to yet: a sign-in in flight, or a session whose analyst was signed out by expiry. */
const PRE_PREFIX = `${PRE_SIGN_IN_PREFIX}${PREFIX}`;
/** A sign-in must finish within 10 minutes; its session need not outlive that. */
export const PRE_SIGN_IN_TTL_MS = 10 * 60_000;

/**
 * express-session's Store over the KeyValueStore. Every write sets the TTL; the app checks idle and
 * absolute limits itself (src/auth/session.ts) so a store's TTL cannot extend a session, and
 * rewrites `lastSeen` at most once a minute. So touching on every request would buy nothing but a
 * Redis round trip per page: `touch` does nothing, and the TTL must exceed the idle limit by that
 * minute.
 *
 * A session with a signed-in analyst lives under `sess:`; one without (anyone on the internet can
 * start a sign-in) under `pre:sess:`, which the store keeps in a budget of its own and this class
 * writes with a 10-minute TTL, so visitors can never push a signed-in analyst's session or tokens
 * out. A signed-in page reads `sess:` first: still one read.
 */
export class KeyValueSessionStore extends session.Store {
  constructor(
    private readonly store: KeyValueStore,
    private readonly ttlMs: number,
    private readonly preSignInTtlMs = PRE_SIGN_IN_TTL_MS,
  ) {
    super();
  }

  private async read(sid: string): Promise<string | undefined> {
    return (await this.store.get(PREFIX + sid)) ?? (await this.store.get(PRE_PREFIX + sid));
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.read(sid).then(
      (raw) => {
        if (raw === undefined) return callback(null, null);
        try {
          callback(null, JSON.parse(raw) as session.SessionData);
        } catch {
          // A corrupt record is "no session", not an outage.
          callback(null, null);
        }
      },
      (err) => callback(new StoreUnavailableError(err)),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const value = JSON.stringify(sess);
    const written = sess.account
      ? this.store.set(PREFIX + sid, value, this.ttlMs)
      : // No analyst (any more): the short-lived partition, and no signed-in record left behind.
        Promise.all([this.store.set(PRE_PREFIX + sid, value, this.preSignInTtlMs), this.store.delete(PREFIX + sid)]);
    written.then(
      () => callback?.(),
      (err) => callback?.(new StoreUnavailableError(err)),
    );
  }

  override touch(_sid: string, _sess: session.SessionData, callback?: (err?: unknown) => void): void {
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    Promise.all([this.store.delete(PREFIX + sid), this.store.delete(PRE_PREFIX + sid)]).then(
      () => callback?.(),
      (err) => callback?.(new StoreUnavailableError(err)),
    );
  }
}

/** Whether a session record exists, signed in or not (tests and sign-out checks use it without going through express-session). */
export async function sessionExists(store: KeyValueStore, sid: string): Promise<boolean> {
  return (await store.get(PREFIX + sid)) !== undefined || (await store.get(PRE_PREFIX + sid)) !== undefined;
}

/** Ends a session by id, signed in or not, without its cookie (front-channel sign-out). */
export async function destroySessionById(store: KeyValueStore, sid: string): Promise<void> {
  await Promise.all([store.delete(PREFIX + sid), store.delete(PRE_PREFIX + sid)]);
}
