import session from 'express-session';
import { StoreUnavailableError, type KeyValueStore } from './store';

const PREFIX = 'sess:';

/**
 * express-session's Store over the KeyValueStore. Every write sets the TTL; the app checks idle and
 * absolute limits itself (src/auth/session.ts) so a store's TTL cannot extend a session, and
 * rewrites `lastSeen` at most once a minute. So touching on every request would buy nothing but a
 * Redis round trip per page: `touch` does nothing, and the TTL must exceed the idle limit by that
 * minute.
 */
export class KeyValueSessionStore extends session.Store {
  constructor(
    private readonly store: KeyValueStore,
    private readonly ttlMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.store.get(PREFIX + sid).then(
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
    this.store.set(PREFIX + sid, JSON.stringify(sess), this.ttlMs).then(
      () => callback?.(),
      (err) => callback?.(new StoreUnavailableError(err)),
    );
  }

  override touch(_sid: string, _sess: session.SessionData, callback?: (err?: unknown) => void): void {
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.store.delete(PREFIX + sid).then(
      () => callback?.(),
      (err) => callback?.(new StoreUnavailableError(err)),
    );
  }
}

/** Whether a session record exists (tests and sign-out checks use it without going through express-session). */
export async function sessionExists(store: KeyValueStore, sid: string): Promise<boolean> {
  return (await store.get(PREFIX + sid)) !== undefined;
}
