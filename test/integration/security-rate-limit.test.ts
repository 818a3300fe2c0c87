import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '@threatdesk/emulator';
import { createClient } from 'redis';
import { createLogger } from '../../src/logging/logger';
import { RedisStore } from '../../src/store/redisStore';
import { startApp, type AppInstance } from '../helpers/stack';
import { dropKeysAndClose, keysMatching } from '../helpers/redisKeys';

/**
 * Rate limits key on the client address as resolved through the configured proxies only (the
 * right-most X-Forwarded-For entry a trusted proxy added), and are counted across instances when
 * the store is Redis.
 */
let emu: Emulator;
const apps: AppInstance[] = [];

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await emu.close();
});

const start = async (env: Record<string, string>, store?: RedisStore) => {
  const app = await startApp(emu, env, store ? { store } : {});
  apps.push(app);
  return app;
};
const signInStart = async (app: AppInstance, headers: Record<string, string> = {}) => {
  const res = await fetch(`${app.url}/auth/signin`, { redirect: 'manual', headers });
  await res.arrayBuffer();
  return res;
};
/** What a client behind our proxy sends: whatever it wrote itself, then the address the proxy saw. */
const viaProxy = (spoofed: string, real: string) => ({ 'x-forwarded-for': `${spoofed}, ${real}` });

describe('control 38: rate limiting on the sign-in endpoints', () => {
  it.each(['1', 'loopback'])('control 38: with TRUST_PROXY=%s, a spoofed X-Forwarded-For does not buy a fresh budget', async (trust) => {
    const app = await start({ TRUST_PROXY: trust, SIGN_IN_RATE_LIMIT: '5' });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await signInStart(app, viaProxy(`10.${i}.${i}.${i}`, '203.0.113.7'))).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429, 429]);
    const limited = await signInStart(app, viaProxy('192.0.2.1', '203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another real client has its own budget.
    expect((await signInStart(app, viaProxy('10.9.9.9', '203.0.113.8'))).status).toBe(303);
  });

  it('control 38: without a trusted proxy, X-Forwarded-For is ignored altogether', async () => {
    const app = await start({ SIGN_IN_RATE_LIMIT: '3' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await signInStart(app, { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
  });

  it('control 38: the callback is counted too', async () => {
    const app = await start({ SIGN_IN_RATE_LIMIT: '2' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${app.url}/auth/redirect?code=x&state=y`)).status);
    expect(statuses).toEqual([400, 400, 429, 429]);
  });

  it('control 38: is shared by every instance when the store is Redis', async () => {
    const prefix = `threatdesk-test:rl:${randomBytes(6).toString('hex')}:`;
    const env = {
      SESSION_STORE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      TOKEN_CACHE_KEYS: randomBytes(32).toString('base64'),
      SIGN_IN_RATE_LIMIT: '6',
    };
    const connect = () => RedisStore.connect('redis://127.0.0.1:6379', createLogger('silent'), { keyPrefix: prefix });
    const a = await start(env, await connect());
    const b = await start({ ...env, BASE_URL: a.url }, await connect());
    const raw = createClient({ url: 'redis://127.0.0.1:6379' });
    await raw.connect();
    try {
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await signInStart(i % 2 ? b : a)).status);
      expect(statuses).toEqual([303, 303, 303, 303, 303, 303, 429, 429]);
      expect(await keysMatching(raw, `${prefix}rl:auth:*`)).toHaveLength(1);
    } finally {
      await dropKeysAndClose(raw, prefix);
    }
  });
});
