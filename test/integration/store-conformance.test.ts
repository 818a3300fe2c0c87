import { randomBytes } from 'node:crypto';
import session from 'express-session';
import { createClient } from 'redis';
import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { createLogger } from '../../src/logging/logger';
import { MemoryStore } from '../../src/store/memoryStore';
import { RedisStore } from '../../src/store/redisStore';
import { keyValueStoreContract, type StoreHandles } from '../../src/store/contract';
import { KeyValueSessionStore } from '../../src/store/sessionStore';
import { dropKeysAndClose } from '../helpers/redisKeys';

/**
 * One contract, every store (prior-art §2.2: oauth2-proxy runs one session-store suite against each
 * backend), plus what only Redis does.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every key this file writes lives under this prefix and is deleted in afterAll; the shared Redis is never flushed.
const RUN_PREFIX = `threatdesk-test:conformance:${randomBytes(6).toString('hex')}:`;
const quiet = createLogger('silent');

/** Runs the exported store contract (src/store/contract.ts) against one backend. */
function describeContract(name: string, open: () => Promise<StoreHandles & { close(): Promise<void> }>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let handles: StoreHandles & { close(): Promise<void> };
    beforeAll(async () => {
      handles = await open();
    });
    afterAll(() => handles?.close());
    it.each(keyValueStoreContract.map((check) => [check.name, check] as const))('%s', async (_name, check) => {
      await check.run(handles);
    });
  });
}

describeContract('embedded MemoryStore (two instances, nothing shared)', async () => {
  const first = new MemoryStore();
  const second = new MemoryStore();
  return { first, second, shared: false, close: async () => void (await Promise.all([first.close(), second.close()])) };
});

describeContract('RedisStore (two clients, one Redis)', async () => {
  const first = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX });
  const second = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX });
  return {
    first,
    second,
    shared: true,
    async close() {
      await first.close();
      await second.close();
    },
  };
});

/** express-session speaks callbacks; these checks are easier to read awaited. */
function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

const raw = createClient({ url: REDIS_URL });
beforeAll(() => raw.connect());
afterAll(() => dropKeysAndClose(raw, RUN_PREFIX));

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

  it('gives sessions the idle timeout, sign-ins in flight 10 minutes apart from them, and token caches the refresh-token lifetime as TTL', async () => {
    const idleMs = 30 * 60_000;
    const sid = randomBytes(24).toString('base64url');
    const account = { homeAccountId: 'oid.tid', tenantId: 'tid', username: 'alex@contoso.example', oid: 'oid' };
    await call((cb) => new KeyValueSessionStore(store, idleMs).set(sid, { cookie: new session.Cookie(), account } as session.SessionData, cb));
    const sessionTtl = await raw.pTTL(`${RUN_PREFIX}sess:${sid}`);
    expect(sessionTtl).toBeGreaterThan(idleMs - 5_000);
    expect(sessionTtl).toBeLessThanOrEqual(idleMs);
    // Nobody signed in yet: the short-lived pre-sign-in keys, which anonymous visitors cannot grow into analysts' space.
    const visitor = randomBytes(24).toString('base64url');
    await call((cb) => new KeyValueSessionStore(store, idleMs).set(visitor, { cookie: new session.Cookie() } as session.SessionData, cb));
    expect(await raw.exists(`${RUN_PREFIX}sess:${visitor}`)).toBe(0);
    const preTtl = await raw.pTTL(`${RUN_PREFIX}pre:sess:${visitor}`);
    expect(preTtl).toBeGreaterThan(9 * 60_000);
    expect(preTtl).toBeLessThanOrEqual(10 * 60_000);

    await new TokenCacheStore(store, [randomBytes(32)]).save('acct.tid', '{"AccessToken":{}}');
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

  it('takes its deadlines and lock timings from configuration', async () => {
    const tuned = await RedisStore.connect(REDIS_URL, quiet, { keyPrefix: RUN_PREFIX, lockTtlMs: 4_000 });
    try {
      let ttl = 0;
      await tuned.withLock('ttl-tuned', async () => {
        ttl = await raw.pTTL(`${RUN_PREFIX}lock:ttl-tuned`);
      });
      expect(ttl).toBeGreaterThan(2_000);
      expect(ttl).toBeLessThanOrEqual(4_000);
    } finally {
      await tuned.close();
    }
    expect(await raw.exists(`${RUN_PREFIX}lock:ttl-tuned`)).toBe(0);
  });
});
