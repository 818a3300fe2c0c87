import { LRUCache } from 'lru-cache';
import { PRE_SIGN_IN_PREFIX, type KeyValueStore } from './store';

export interface MemoryStoreOptions {
  /** Signed-in sessions, token caches and everything else. */
  maxEntries?: number;
  maxBytes?: number;
  /** The separate budget of keys under PRE_SIGN_IN_PREFIX (sign-ins in flight). */
  preSignIn?: { maxEntries?: number; maxBytes?: number };
}

const lru = (maxEntries: number, maxBytes: number) =>
  new LRUCache<string, string>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (value, key) => value.length + key.length,
    ttlAutopurge: false,
  });

/**
 * The embedded store: in-process, bounded (LRU) and expiring, unlike express-session's MemoryStore,
 * which never evicts. Suits one instance; restarts sign everybody out.
 *
 * Two partitions: keys of sign-ins in flight (PRE_SIGN_IN_PREFIX), which anyone on the internet can
 * create, live in their own smaller LRU, so that however many of them arrive they only evict each
 * other, never a signed-in analyst's session or token cache.
 */
export class MemoryStore implements KeyValueStore {
  private readonly cache: LRUCache<string, string>;
  private readonly preSignIn: LRUCache<string, string>;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: MemoryStoreOptions = {}) {
    this.cache = lru(options.maxEntries ?? 50_000, options.maxBytes ?? 256 * 1024 * 1024);
    this.preSignIn = lru(options.preSignIn?.maxEntries ?? 10_000, options.preSignIn?.maxBytes ?? 32 * 1024 * 1024);
  }

  private partition(key: string): LRUCache<string, string> {
    return key.startsWith(PRE_SIGN_IN_PREFIX) ? this.preSignIn : this.cache;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.partition(key).get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.partition(key).set(key, value, { ttl: ttlMs });
    return Promise.resolve();
  }

  expire(key: string, ttlMs: number): Promise<void> {
    const cache = this.partition(key);
    const value = cache.get(key);
    if (value !== undefined) cache.set(key, value, { ttl: ttlMs });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.partition(key).delete(key);
    return Promise.resolve();
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Chain on the previous holder; a rejected predecessor must not block the queue.
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.cache.clear();
    this.preSignIn.clear();
    return Promise.resolve();
  }
}
