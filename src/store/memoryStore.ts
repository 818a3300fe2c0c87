import { LRUCache } from 'lru-cache';
import type { KeyValueStore } from './store';

/**
 * The embedded store: in-process, bounded (LRU) and expiring, unlike express-session's MemoryStore,
 * which never evicts. Suits one instance; restarts sign everybody out.
 */
export class MemoryStore implements KeyValueStore {
  private readonly cache: LRUCache<string, string>;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.cache = new LRUCache<string, string>({
      max: options.maxEntries ?? 50_000,
      maxSize: options.maxBytes ?? 256 * 1024 * 1024,
      sizeCalculation: (value, key) => value.length + key.length,
      ttlAutopurge: false,
    });
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.cache.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.cache.set(key, value, { ttl: ttlMs });
    return Promise.resolve();
  }

  expire(key: string, ttlMs: number): Promise<void> {
    const value = this.cache.get(key);
    if (value !== undefined) this.cache.set(key, value, { ttl: ttlMs });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.cache.delete(key);
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
    return Promise.resolve();
  }
}
