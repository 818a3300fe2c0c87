import { randomBytes } from 'node:crypto';
import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { MemoryStore } from '../../src/store/memoryStore';
import { itemAt } from '@threatdesk/emulator/testing';

const CACHE = JSON.stringify({ AccessToken: { k: { secret: 'eyJhbGciOi.access.token' } }, RefreshToken: { r: { secret: 'refresh-token-value' } } });

describe('token cache at rest', () => {
  it('control 17: stores an unreadable blob that decrypts back, per account', async () => {
    const store = new MemoryStore();
    const cache = new TokenCacheStore(store, [randomBytes(32)]);
    await cache.save('oid-a.tid', CACHE);
    const raw = await store.get(TokenCacheStore.keyFor('oid-a.tid'));
    expect(raw).toBeDefined();
    expect(raw).not.toContain('AccessToken');
    expect(raw).not.toContain('refresh-token-value');
    expect(() => JSON.parse(raw as string)).toThrow();
    expect(await cache.load('oid-a.tid')).toBe(CACHE);
    expect(await cache.load('oid-b.tid')).toBeUndefined();
  });

  it('refuses a blob copied under another account', async () => {
    const store = new MemoryStore();
    const cache = new TokenCacheStore(store, [randomBytes(32)]);
    await cache.save('victim.tid', CACHE);
    await store.set(TokenCacheStore.keyFor('attacker.tid'), (await store.get(TokenCacheStore.keyFor('victim.tid'))) as string, 60_000);
    expect(await cache.load('attacker.tid')).toBeUndefined();
  });

  it('reads blobs sealed with an older key after rotation, and seals new ones with the first key', async () => {
    const store = new MemoryStore();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await new TokenCacheStore(store, [oldKey]).save('a.t', CACHE);
    const rotated = new TokenCacheStore(store, [newKey, oldKey]);
    expect(await rotated.load('a.t')).toBe(CACHE);
    await rotated.save('a.t', CACHE);
    expect(await new TokenCacheStore(store, [newKey]).load('a.t')).toBe(CACHE);
    expect(await new TokenCacheStore(store, [oldKey]).load('a.t')).toBeUndefined();
  });

  it('treats a tampered blob as no tokens', async () => {
    const store = new MemoryStore();
    const cache = new TokenCacheStore(store, [randomBytes(32)]);
    await cache.save('a.t', CACHE);
    const sealed = (await store.get(TokenCacheStore.keyFor('a.t'))) as string;
    const parts = sealed.split('.');
    parts[4] = `${itemAt(parts, 4, 'sealed blob parts').slice(0, -2)}AA`;
    await store.set(TokenCacheStore.keyFor('a.t'), parts.join('.'), 60_000);
    expect(await cache.load('a.t')).toBeUndefined();
  });
});
