import { randomBytes } from 'node:crypto';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { createLogger } from '../../src/logging/logger';
import { RedisStore } from '../../src/store/redisStore';
import type { KeyValueStore } from '../../src/store/store';
import { signIn } from '../helpers/appSignIn';
import { startApp, startStack } from '../helpers/stack';

/**
 * What a warm signed-in page costs the shared store: the session, and the token cache when the page
 * calls Microsoft (the queue reads the incident index instead), one read each. A counting wrapper around the real RedisStore tallies the Redis commands each method sends
 * (withLock: SET NX, then EVAL to release).
 */
type CountedMethod = Exclude<keyof KeyValueStore, 'sendCommand' | 'keyPrefix'>;
/** The wrapper has these methods only: without the Redis-only sendCommand, the rate limits keep their counters in the app's process, outside this tally. */
const COMMANDS: Record<CountedMethod, number> = { get: 1, set: 1, expire: 1, delete: 1, withLock: 2, ping: 1, close: 0 };

function counting(store: KeyValueStore): { store: KeyValueStore; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.fromEntries(
    (Object.keys(COMMANDS) as CountedMethod[]).map((name) => [
      name,
      (...args: unknown[]) => {
        for (let i = 0; i < COMMANDS[name]; i++) calls.push(`${name} ${String(args[0] ?? '')}`);
        return (store[name] as (...a: unknown[]) => unknown).apply(store, args);
      },
    ]),
  ) as unknown as KeyValueStore;
  return { store: wrapped, calls };
}

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let app: Awaited<ReturnType<typeof startApp>>;
let calls: string[];
const browser = () => new TestBrowser(stack.emu.caCertPem);

beforeAll(async () => {
  stack = await startStack();
  const redis = await RedisStore.connect('redis://127.0.0.1:6379', createLogger('silent'), { keyPrefix: `threatdesk-test:trips:${randomBytes(6).toString('hex')}:` });
  const c = counting(redis);
  calls = c.calls;
  app = await startApp(stack.emu, { SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', TOKEN_CACHE_KEYS: randomBytes(32).toString('base64') }, { store: c.store });
});

afterAll(async () => {
  await app.close();
  await stack.close();
});

describe('Redis round trips per warm signed-in page', () => {
  it.each([
    ['/incidents', ['sess']],
    ['/incidents?window=7d&sort=severity', ['sess']],
    ['/me/token', ['sess', 'tc']],
  ])('%s costs one read of each of %j', async (path, keys) => {
    const b = browser();
    const r = await signIn(b, app.url, 'alex@contoso.example', { returnTo: path });
    expect(r.final.status).toBe(200);
    // Warm: the page has been served once with this session and token, and the first fill is done.
    expect((await b.get(`${app.url}${path}`)).status).toBe(200);
    await app.services.sync.idle();
    calls.length = 0;
    const page = await b.get(`${app.url}${path}`);
    expect(page.status).toBe(200);
    expect(calls).toEqual(keys.map((k) => expect.stringMatching(new RegExp(`^get ${k}:`))));
    await b.close();
  });
});
