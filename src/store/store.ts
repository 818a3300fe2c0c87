/**
 * The one small interface behind sessions, pending sign-ins and token caches, so the embedded store
 * and Redis are interchangeable without touching the auth code (see test/integration/store-conformance).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Extends the lifetime of an existing key; no-op when it is gone. */
  expire(key: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Runs `fn` while holding an exclusive lock on `key`, shared by every process using the store.
   * Used so that parallel requests of one analyst refresh tokens once and never overwrite each other.
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Resolves when the store answers; rejects quickly when it does not (readiness probe). */
  ping(): Promise<void>;
  /**
   * Only stores shared by several instances (Redis) have it: one raw command, keys prefixed by the
   * caller with `keyPrefix`. The rate limits keep their counters there, so every instance counts together.
   */
  sendCommand?(args: string[]): Promise<unknown>;
  readonly keyPrefix?: string;
  close(): Promise<void>;
}

/**
 * Keys written for visitors nobody has signed in yet (a sign-in in flight) start with this. Stores keep
 * them in a budget of their own, so that no number of them can push out a signed-in analyst's session
 * or token cache: the embedded store in a separate, smaller LRU partition; Redis with a short TTL (the
 * session store writes them with the sign-in's 10 minutes), next to the rate limits shared by every
 * instance.
 */
export const PRE_SIGN_IN_PREFIX = 'pre:';

/** Thrown when the store cannot be reached; the web layer turns it into a 503 with Retry-After. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('session store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
