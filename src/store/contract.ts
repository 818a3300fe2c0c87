import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import session from 'express-session';
import { TokenCacheStore } from '../auth/tokenCacheStore';
import { KeyValueSessionStore, sessionExists } from './sessionStore';
import type { KeyValueStore } from './store';

/**
 * The contract every KeyValueStore keeps, as oauth2-proxy exports one suite that every session
 * store runs. The auth code only knows KeyValueStore, so whatever passes here can carry sessions,
 * pending sign-ins and token caches. Checks use node:assert, so any test runner can run them.
 */
export interface StoreHandles {
  /** Two handles, as two ThreatDesk instances would hold them. */
  first: KeyValueStore;
  second: KeyValueStore;
  /**
   * Whether the two handles share one backing store (Redis: two clients). The embedded store lives
   * in one process: two instances share nothing, which is why several instances need Redis.
   */
  shared: boolean;
}

export interface ContractCheck {
  name: string;
  run(handles: StoreHandles): Promise<void>;
}

let counter = 0;
/** Keys unique per check, so a failed check leaves nothing that confuses the next. */
const k = (what: string) => `contract:${process.pid}:${++counter}:${what}`;

const CACHE_JSON = (secret: string) =>
  JSON.stringify({ Account: {}, AccessToken: { k: { secret: `eyJ0eXAiOiJKV1QifQ.${secret}.sig` } }, RefreshToken: { r: { secret: `rt-${secret}` } } });

/** express-session speaks callbacks; the contract is easier to read awaited. */
function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err instanceof Error ? err : new Error('store callback failed')) : resolve(value))));
}

/** The handle a second instance reads through: the other one when they share a store, else the same. */
const reader = ({ first, second, shared }: StoreHandles) => (shared ? second : first);

export const keyValueStoreContract: ContractCheck[] = [
  {
    name: 'answers undefined for a missing key, and reads back what was set, through every handle that shares the store',
    async run(h) {
      const a = h.first;
      const b = reader(h);
      const key = k('rw');
      assert.equal(await a.get(key), undefined);
      const value = `ünïcødé ✓ ${'x'.repeat(100_000)}`;
      await a.set(key, value, 60_000);
      assert.equal(await a.get(key), value);
      assert.equal(await b.get(key), value);
      await b.set(key, 'second', 60_000);
      assert.equal(await a.get(key), 'second');
    },
  },
  {
    name: 'shares data between handles exactly when it says it does',
    async run(h) {
      const key = k('sharing');
      await h.first.set(key, 'one', 60_000);
      assert.equal(await h.second.get(key), h.shared ? 'one' : undefined);
    },
  },
  {
    name: 'forgets a key once its TTL has passed',
    async run(h) {
      const key = k('ttl');
      await h.first.set(key, 'v', 150);
      assert.equal(await reader(h).get(key), 'v');
      await sleep(300);
      assert.equal(await h.first.get(key), undefined);
      assert.equal(await reader(h).get(key), undefined);
    },
  },
  {
    name: 'expire() extends a live key and never resurrects or creates one',
    async run(h) {
      const a = h.first;
      const b = reader(h);
      const key = k('extend');
      await a.set(key, 'v', 200);
      await b.expire(key, 2_000);
      await sleep(400);
      assert.equal(await a.get(key), 'v');
      const gone = k('gone');
      await a.set(gone, 'v', 50);
      await sleep(150);
      await a.expire(gone, 60_000);
      assert.equal(await b.get(gone), undefined);
      const never = k('never');
      await b.expire(never, 60_000);
      assert.equal(await a.get(never), undefined);
    },
  },
  {
    name: 'delete() removes a key for every handle and is quiet about missing ones',
    async run(h) {
      const key = k('del');
      await h.first.set(key, 'v', 60_000);
      await reader(h).delete(key);
      assert.equal(await h.first.get(key), undefined);
      await h.first.delete(k('missing'));
    },
  },
  {
    name: 'withLock() admits one holder at a time, across handles, and no update is lost',
    async run(h) {
      const a = h.first;
      const b = reader(h);
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
      assert.deepEqual((await Promise.all(holders)).sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
      assert.equal(maxInside, 1);
      assert.equal(await a.get(key), '16');
    },
  },
  {
    name: 'withLock() on different keys does not serialize',
    async run(h) {
      let release!: () => void;
      const held = h.first.withLock(k('lock-x'), () => new Promise<void>((r) => (release = r)));
      const started = Date.now();
      await reader(h).withLock(k('lock-y'), () => Promise.resolve());
      assert.ok(Date.now() - started < 500, 'a lock on another key waited');
      release();
      await held;
    },
  },
  {
    name: 'withLock() releases the lock when the holder throws',
    async run(h) {
      const key = k('throw');
      await assert.rejects(
        h.first.withLock(key, () => Promise.reject(new Error('boom'))),
        /boom/,
      );
      const started = Date.now();
      assert.equal(await reader(h).withLock(key, () => Promise.resolve('next')), 'next');
      assert.equal(await h.first.withLock(key, () => Promise.resolve('again')), 'again');
      // Not left to expire: the next holder gets in at once.
      assert.ok(Date.now() - started < 500, 'the lock was left to expire');
    },
  },
  {
    name: 'ping() resolves while the store is reachable',
    async run(h) {
      await h.first.ping();
      await h.second.ping();
    },
  },
  {
    name: 'carries express-session records: set, get, touch, destroy, across handles',
    async run(h) {
      const idleMs = 30 * 60_000;
      const onA = new KeyValueSessionStore(h.first, idleMs);
      const onB = new KeyValueSessionStore(reader(h), idleMs);
      const sid = randomBytes(24).toString('base64url');
      const data = {
        cookie: Object.assign(new session.Cookie(), { httpOnly: true, sameSite: 'lax', path: '/' }),
        account: { homeAccountId: 'oid.tid', tenantId: 'tid', username: 'alex@contoso.example', name: 'Alex', oid: 'oid' },
        pendingSignIns: { state1: { nonce: 'n', codeVerifier: 'v', returnTo: '/incidents', scopes: ['s'], createdAt: 1 } },
      } as session.SessionData;
      assert.equal(await call<session.SessionData | null>((cb) => onB.get(sid, cb)), null);
      await call((cb) => onA.set(sid, data, cb));
      assert.equal(await sessionExists(reader(h), sid), true);
      assert.deepEqual(await call<session.SessionData | null>((cb) => onB.get(sid, cb)), JSON.parse(JSON.stringify(data)));
      await call((cb) => onB.touch(sid, data, cb));
      await call((cb) => onB.destroy(sid, cb));
      assert.equal(await call<session.SessionData | null>((cb) => onA.get(sid, cb)), null);
      assert.equal(await sessionExists(h.first, sid), false);
    },
  },
  {
    name: 'treats a corrupt session record as no session rather than an error',
    async run(h) {
      const sid = randomBytes(24).toString('base64url');
      await h.first.set(`sess:${sid}`, '{not json', 60_000);
      assert.equal(await call<session.SessionData | null>((cb) => new KeyValueSessionStore(reader(h), 60_000).get(sid, cb)), null);
    },
  },
  {
    name: 'keeps token caches sealed: unreadable at rest, per account, readable by every instance with the keys',
    async run(h) {
      const keys = [randomBytes(32)];
      const onA = new TokenCacheStore(h.first, keys);
      const onB = new TokenCacheStore(reader(h), keys);
      const account = `${randomBytes(8).toString('hex')}.tid`;
      const secret = randomBytes(24).toString('base64url');
      await onA.save(account, CACHE_JSON(secret));
      const raw = await reader(h).get(TokenCacheStore.keyFor(account));
      assert.ok(raw !== undefined);
      assert.throws(() => JSON.parse(raw));
      assert.ok(!raw.includes(secret) && !raw.includes('RefreshToken'), 'the sealed cache shows its contents');
      assert.equal(await onB.load(account), CACHE_JSON(secret));
      // Copied under another account's key, the blob fails authentication instead of handing tokens over.
      await h.first.set(TokenCacheStore.keyFor(`other-${account}`), raw, 60_000);
      assert.equal(await onB.load(`other-${account}`), undefined);
      // An instance without the key reads nothing (and would send the analyst to sign in).
      assert.equal(await new TokenCacheStore(reader(h), [randomBytes(32)]).load(account), undefined);
      await onB.remove(account);
      assert.equal(await onA.load(account), undefined);
    },
  },
  {
    name: 'reads token caches sealed with an older key after rotation',
    async run(h) {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      const account = `${randomBytes(8).toString('hex')}.tid`;
      await new TokenCacheStore(h.first, [oldKey]).save(account, CACHE_JSON('one'));
      const rotated = new TokenCacheStore(reader(h), [newKey, oldKey]);
      assert.equal(await rotated.load(account), CACHE_JSON('one'));
      await rotated.save(account, CACHE_JSON('two'));
      assert.equal(await new TokenCacheStore(h.first, [newKey]).load(account), CACHE_JSON('two'));
    },
  },
];
