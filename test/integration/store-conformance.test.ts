import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import session from 'express-session';
import { createClient } from 'redis';
import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { createLogger } from '../../src/logging/logger';
import { MemoryStore } from '../../src/store/memoryStore';
import { RedisStore } from '../../src/store/redisStore';
import { KeyValueSessionStore, sessionExists } from '../../src/store/sessionStore';
import type { KeyValueStore } from '../../src/store/store';

/**
 * One contract, every store (prior-art §2.2: oauth2-proxy runs one session-store suite against each
 * backend). The auth code only knows KeyValueStore, so whatever passes here can carry sessions,
 * pending sign-ins and token caches.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every key this file writes lives under this prefix and is deleted in afterAll; the shared Redis is never flushed.
const RUN_PREFIX = `threatdesk-test:conformance:${randomBytes(6).toString('hex')}:`;
const quiet = createLogger('silent');

interface Backend {
  /**
   * Two handles on one backing store. For Redis they are two clients, like two app instances; the
   * embedded store exists once per process, so both handles are the same object.
   */
  first: KeyValueStore;
  second: KeyValueStore;
  close(): Promise<void>;
}

const CACHE_JSON = (secret: string) =>
  JSON.stringify({ Account: {}, AccessToken: { k: { secret: `eyJ0eXAiOiJKV1QifQ.${secret}.sig` } }, RefreshToken: { r: { secret: `rt-${secret}` } } });

/** express-session speaks callbacks; the contract is easier to read awaited. */
function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

function describeKeyValueStore(name: string, open: () => Promise<Backend>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let backend: Backend;
    let a: KeyValueStore;
    let b: KeyValueStore;
    // Keys unique per test, so a failed test leaves nothing that confuses the next.
    let n = 0;
    const k = (what: string) => `c${++n}:${what}`;

    beforeAll(async () => {
      backend = await open();
      a = backend.first;
      b = backend.second;
    });
    afterAll(() => backend?.close());

    it('answers undefined for a missing key, and reads back what was set, through either handle', async () => {
      const key = k('rw');
      expect(await a.get(key)).toBeUndefined();
      const value = `ünïcødé ✓ ${'x'.repeat(100_000)}`;
      await a.set(key, value, 60_000);
      expect(await a.get(key)).toBe(value);
      expect(await b.get(key)).toBe(value);
      await b.set(key, 'second', 60_000);
      expect(await a.get(key)).toBe('second');
    });

    it('forgets a key once its TTL has passed', async () => {
      const key = k('ttl');
      await a.set(key, 'v', 150);
      expect(await b.get(key)).toBe('v');
      await sleep(300);
      expect(await a.get(key)).toBeUndefined();
      expect(await b.get(key)).toBeUndefined();
    });

    it('expire() extends a live key and never resurrects or creates one', async () => {
      const key = k('extend');
      await a.set(key, 'v', 200);
      await b.expire(key, 2_000);
      await sleep(400);
      expect(await a.get(key)).toBe('v');

      const gone = k('gone');
      await a.set(gone, 'v', 50);
      await sleep(150);
      await a.expire(gone, 60_000);
      expect(await b.get(gone)).toBeUndefined();
      const never = k('never');
      await b.expire(never, 60_000);
      expect(await a.get(never)).toBeUndefined();
    });

    it('delete() removes a key for every handle and is quiet about missing ones', async () => {
      const key = k('del');
      await a.set(key, 'v', 60_000);
      await b.delete(key);
      expect(await a.get(key)).toBeUndefined();
      await expect(a.delete(k('missing'))).resolves.toBeUndefined();
    });

    it('withLock() admits one holder at a time, across handles, and no update is lost', async () => {
      const key = k('counter');
      await a.set(key, '0', 60_000);
      let inside = 0;
      let maxInside = 0;
      const holders = Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? b : a).withLock(key, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          const current = Number(await (i % 2 ? a : b).get(key));
          // Long enough that, without the lock, the other holders would read the same value.
          await sleep(5);
          await (i % 2 ? b : a).set(key, String(current + 1), 60_000);
          inside--;
          return i;
        }),
      );
      expect((await Promise.all(holders)).sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(maxInside).toBe(1);
      expect(await a.get(key)).toBe('16');
    });

    it('withLock() on different keys does not serialize', async () => {
      const x = k('lock-x');
      const y = k('lock-y');
      let release!: () => void;
      const held = a.withLock(x, () => new Promise<void>((r) => (release = r)));
      const started = Date.now();
      await b.withLock(y, async () => undefined);
      expect(Date.now() - started).toBeLessThan(500);
      release();
      await held;
    });

    it('withLock() releases the lock when the holder throws', async () => {
      const key = k('throw');
      await expect(
        a.withLock(key, async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const started = Date.now();
      await expect(b.withLock(key, async () => 'next')).resolves.toBe('next');
      await expect(a.withLock(key, async () => 'again')).resolves.toBe('again');
      // Not left to expire: the next holder gets in at once.
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('ping() resolves while the store is reachable', async () => {
      await expect(a.ping()).resolves.toBeUndefined();
      await expect(b.ping()).resolves.toBeUndefined();
    });

    it('carries express-session records: set, get, touch, destroy, across handles', async () => {
      const idleMs = 30 * 60_000;
      const onA = new KeyValueSessionStore(a, idleMs);
      const onB = new KeyValueSessionStore(b, idleMs);
      const sid = randomBytes(24).toString('base64url');
      const data = {
        cookie: Object.assign(new session.Cookie(), { httpOnly: true, sameSite: 'lax', path: '/' }),
        account: { homeAccountId: 'oid.tid', tenantId: 'tid', username: 'alex@contoso.example', name: 'Alex', oid: 'oid' },
        pendingSignIns: { state1: { nonce: 'n', codeVerifier: 'v', returnTo: '/incidents', scopes: ['s'], createdAt: 1 } },
      } as session.SessionData;
      expect(await call<session.SessionData | null>((cb) => onB.get(sid, cb))).toBeNull();
      await call((cb) => onA.set(sid, data, cb));
      expect(await sessionExists(b, `${sid}`)).toBe(true);
      expect(await call<session.SessionData | null>((cb) => onB.get(sid, cb))).toEqual(JSON.parse(JSON.stringify(data)));
      await call((cb) => onB.touch(sid, data, cb));
      await call((cb) => onB.destroy(sid, cb));
      expect(await call<session.SessionData | null>((cb) => onA.get(sid, cb))).toBeNull();
      expect(await sessionExists(a, sid)).toBe(false);
    });

    it('treats a corrupt session record as no session rather than an error', async () => {
      const sid = randomBytes(24).toString('base64url');
      await a.set(`sess:${sid}`, '{not json', 60_000);
      expect(await call<session.SessionData | null>((cb) => new KeyValueSessionStore(b, 60_000).get(sid, cb))).toBeNull();
    });

    it('keeps token caches sealed: unreadable at rest, per account, readable by every instance with the keys', async () => {
      const keys = [randomBytes(32)];
      const onA = new TokenCacheStore(a, keys);
      const onB = new TokenCacheStore(b, keys);
      const account = `${randomBytes(8).toString('hex')}.tid`;
      const secret = randomBytes(24).toString('base64url');
      await onA.save(account, CACHE_JSON(secret));
      const raw = (await b.get(TokenCacheStore.keyFor(account))) as string;
      expect(raw).toBeDefined();
      expect(() => JSON.parse(raw)).toThrow();
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain('RefreshToken');
      expect(await onB.load(account)).toBe(CACHE_JSON(secret));
      // Copied under another account's key, the blob fails authentication instead of handing tokens over.
      await a.set(TokenCacheStore.keyFor(`other-${account}`), raw, 60_000);
      expect(await onB.load(`other-${account}`)).toBeUndefined();
      // An instance without the key reads nothing (and would send the analyst to sign in).
      expect(await new TokenCacheStore(b, [randomBytes(32)]).load(account)).toBeUndefined();
      await onB.remove(account);
      expect(await onA.load(account)).toBeUndefined();
    });

    it('reads token caches sealed with an older key after rotation', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      const account = `${randomBytes(8).toString('hex')}.tid`;
      await new TokenCacheStore(a, [oldKey]).save(account, CACHE_JSON('one'));
      const rotated = new TokenCacheStore(b, [newKey, oldKey]);
      expect(await rotated.load(account)).toBe(CACHE_JSON('one'));
      await rotated.save(account, CACHE_JSON('two'));
      expect(await new TokenCacheStore(a, [newKey]).load(account)).toBe(CACHE_JSON('two'));
    });
  });
}

describeKeyValueStore('embedded MemoryStore', async () => {
  const store = new MemoryStore();
  return { first: store, second: store, close: () => store.close() };
});

describeKeyValueStore('RedisStore (two clients, one Redis)', async () => {
  const first = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX });
  const second = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX });
  return {
    first,
    second,
    async close() {
      await first.close();
      await second.close();
    },
  };
});

const raw = createClient({ url: REDIS_URL });
beforeAll(() => raw.connect());
afterAll(async () => {
  const mine: string[] = [];
  for await (const batch of raw.scanIterator({ MATCH: `${RUN_PREFIX}*`, COUNT: 500 })) mine.push(...batch);
  if (mine.length) await raw.del(mine);
  await raw.close();
});

describe('RedisStore specifics', () => {
  let store: RedisStore;

  beforeAll(async () => {
    store = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX });
  });
  afterAll(() => store?.close());

  it('namespaces every key under its prefix, so deployments sharing a Redis stay apart', async () => {
    const other = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: `${RUN_PREFIX}other:` });
    try {
      await store.set('sess:shared-name', 'mine', 60_000);
      expect(await raw.get(`${RUN_PREFIX}sess:shared-name`)).toBe('mine');
      expect(await raw.exists('sess:shared-name')).toBe(0);
      expect(await other.get('sess:shared-name')).toBeUndefined();
      await other.set('sess:shared-name', 'theirs', 60_000);
      expect(await store.get('sess:shared-name')).toBe('mine');
    } finally {
      await other.close();
    }
  });

  it('gives sessions the idle timeout and token caches the refresh-token lifetime as TTL', async () => {
    const idleMs = 30 * 60_000;
    const sid = randomBytes(24).toString('base64url');
    await call((cb) => new KeyValueSessionStore(store, idleMs).set(sid, { cookie: new session.Cookie() } as session.SessionData, cb));
    const sessionTtl = await raw.pTTL(`${RUN_PREFIX}sess:${sid}`);
    expect(sessionTtl).toBeGreaterThan(idleMs - 5_000);
    expect(sessionTtl).toBeLessThanOrEqual(idleMs);

    await new TokenCacheStore(store, [randomBytes(32)]).save('acct.tid', CACHE_JSON('x'));
    const cacheTtl = await raw.pTTL(`${RUN_PREFIX}${TokenCacheStore.keyFor('acct.tid')}`);
    expect(cacheTtl).toBeGreaterThan(89 * 24 * 3_600_000);
  });

  it('holds a lock with an expiry, so a crashed holder cannot lock an analyst out for good', async () => {
    let ttl = 0;
    await store.withLock('ttl-probe', async () => {
      ttl = await raw.pTTL(`${RUN_PREFIX}lock:ttl-probe`);
    });
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15_000);
    expect(await raw.exists(`${RUN_PREFIX}lock:ttl-probe`)).toBe(0);
  });
});
