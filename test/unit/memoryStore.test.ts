import { MemoryStore } from '../../src/store/memoryStore';
import { PRE_SIGN_IN_PREFIX } from '../../src/store/store';

describe('embedded store partitions', () => {
  it('keeps sign-ins in flight in a budget of their own: any number of them evicts only each other', async () => {
    const store = new MemoryStore({ maxEntries: 10, preSignIn: { maxEntries: 100 } });
    for (let i = 0; i < 10; i++) await store.set(`sess:analyst-${i}`, 'signed in', 60_000);
    await store.set('tc:analyst-0', 'tokens', 60_000);
    for (let i = 0; i < 5_000; i++) await store.set(`${PRE_SIGN_IN_PREFIX}sess:visitor-${i}`, 'pending', 60_000);
    // The main partition holds 10: the token cache pushed out the oldest session, visitors pushed out nothing.
    expect(await store.get('tc:analyst-0')).toBe('tokens');
    for (let i = 1; i < 10; i++) expect(await store.get(`sess:analyst-${i}`)).toBe('signed in');
    // The visitors' partition kept its newest 100.
    expect(await store.get(`${PRE_SIGN_IN_PREFIX}sess:visitor-0`)).toBeUndefined();
    expect(await store.get(`${PRE_SIGN_IN_PREFIX}sess:visitor-4999`)).toBe('pending');
    expect(await store.get(`${PRE_SIGN_IN_PREFIX}sess:visitor-4900`)).toBe('pending');
    expect(await store.get(`${PRE_SIGN_IN_PREFIX}sess:visitor-4899`)).toBeUndefined();
  });

  it('reads, extends and deletes keys in whichever partition holds them', async () => {
    const store = new MemoryStore();
    const key = `${PRE_SIGN_IN_PREFIX}sess:x`;
    await store.set(key, 'v', 50);
    await store.expire(key, 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.get(key)).toBe('v');
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
  });
});
