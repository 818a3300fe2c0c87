import { addPending, MAX_PENDING, PENDING_TTL_MS, takePending } from '../../src/auth/session';

const entry = (createdAt: number) => ({ nonce: 'n', codeVerifier: 'v', returnTo: '/', scopes: [], createdAt });

describe('pending sign-ins keyed by state', () => {
  it('keeps several at once so several tabs can sign in', () => {
    let map = addPending(undefined, 'tab1', entry(1000), 1000);
    map = addPending(map, 'tab2', entry(1001), 1001);
    expect(takePending(map, 'tab1', 1002)).toBeDefined();
    expect(takePending(map, 'tab2', 1002)).toBeDefined();
  });

  it('is single-use', () => {
    const map = addPending(undefined, 's', entry(0), 0);
    expect(takePending(map, 's', 1)).toBeDefined();
    expect(takePending(map, 's', 2)).toBeUndefined();
  });

  it('caps the number kept, dropping the oldest', () => {
    let map: ReturnType<typeof addPending<ReturnType<typeof entry>>> | undefined;
    for (let i = 0; i <= MAX_PENDING; i++) map = addPending(map, `s${i}`, entry(i), i);
    expect(Object.keys(map!)).toHaveLength(MAX_PENDING);
    expect(takePending(map, 's0', 10)).toBeUndefined();
    expect(takePending(map, `s${MAX_PENDING}`, 10)).toBeDefined();
  });

  it('expires entries', () => {
    const map = addPending(undefined, 's', entry(0), 0);
    expect(takePending(map, 's', PENDING_TTL_MS + 1)).toBeUndefined();
  });

  it('ignores inherited keys and non-strings', () => {
    const map = addPending(undefined, 's', entry(0), 0);
    expect(takePending(map, '__proto__', 1)).toBeUndefined();
    expect(takePending(map, ['s'], 1)).toBeUndefined();
  });
});
