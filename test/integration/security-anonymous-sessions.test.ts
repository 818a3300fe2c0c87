import { randomBytes } from 'node:crypto';
import { CONTOSO_ID, FABRIKAM_ID, startEmulator, type Emulator } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { createClient } from 'redis';
import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { createLogger } from '../../src/logging/logger';
import { MemoryStore } from '../../src/store/memoryStore';
import { RedisStore } from '../../src/store/redisStore';
import type { KeyValueStore } from '../../src/store/store';
import { signIn } from '../helpers/appSignIn';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, type AppInstance } from '../helpers/stack';

/**
 * Anonymous visitors must not be able to evict signed-in analysts: the admin consent page keeps no
 * server-side session at all (a signed, HttpOnly transient cookie binds its state), and sign-ins in
 * flight live in a budget of their own in the store.
 */
let emu: Emulator;
const apps: AppInstance[] = [];
const browsers: TestBrowser[] = [];
const browser = () => {
  const b = new TestBrowser(emu.caCertPem);
  browsers.push(b);
  return b;
};

/** Every key the app writes, through a wrapper around the real store. */
function recording(store: KeyValueStore): { store: KeyValueStore; writes: string[] } {
  const writes: string[] = [];
  const wrapped: KeyValueStore = {
    get: (k) => store.get(k),
    set: (k, v, ttl) => {
      writes.push(k);
      return store.set(k, v, ttl);
    },
    expire: (k, ttl) => store.expire(k, ttl),
    delete: (k) => store.delete(k),
    withLock: (k, fn) => store.withLock(k, fn),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return { store: wrapped, writes };
}

/** Runs `count` requests, `concurrency` at a time. */
async function flood(count: number, concurrency: number, one: (i: number) => Promise<number>): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const status = await one(next++);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  for (const app of apps) await assertNoSecretsLeaked(app, emu);
  await Promise.all(browsers.map((b) => b.close()));
  await Promise.all(apps.map((a) => a.close()));
  await emu.close();
});

describe('anonymous visitors cannot evict signed-in analysts', () => {
  it('thousands of anonymous consent-page and sign-in-start requests leave a signed-in analyst\'s session and tokens working (embedded store)', async () => {
    // A small embedded store, so that what used to happen at 51,000 requests happens at 2,400.
    const { store, writes } = recording(new MemoryStore({ maxEntries: 800 }));
    const app = await startApp(emu, { SIGN_IN_RATE_LIMIT: '100000', ADMIN_CONSENT_RATE_LIMIT: '100000' }, { store });
    apps.push(app);
    const alex = browser();
    expect((await signIn(alex, app.url, 'alex@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    const user = await emu.control.users.get('alex@contoso.example');
    const cacheKey = TokenCacheStore.keyFor(`${user?.oid}.${user?.tenantId}`);
    writes.length = 0;

    const consent = await flood(1_200, 40, async () => {
      const res = await fetch(`${app.url}/admin/consent`);
      await res.arrayBuffer();
      // The consent page's only cookie is the transient one; no session cookie for visitors.
      if (res.headers.getSetCookie().some((c) => c.startsWith('threatdesk.sid='))) return 599;
      return res.status;
    });
    expect(consent).toEqual({ 200: 1_200 });
    expect(writes).toEqual([]);

    const signIns = await flood(1_200, 40, async () => {
      const res = await fetch(`${app.url}/auth/signin?returnTo=/incidents`, { redirect: 'manual' });
      await res.arrayBuffer();
      return res.status;
    });
    expect(signIns).toEqual({ 303: 1_200 });
    // Every sign-in in flight went to the separate budget, none among the analysts' sessions.
    expect(writes.length).toBeGreaterThanOrEqual(1_200);
    expect(writes.filter((k) => !k.startsWith('pre:'))).toEqual([]);

    const page = await alex.get(`${app.url}/incidents`);
    expect(page.status).toBe(200);
    expect(page.$('.user').text()).toContain('Alex');
    expect(await store.get(cacheKey)).toBeDefined();
    expect((await alex.get(`${app.url}/me/token`)).status).toBe(200);
  }, 120_000);

  it('caps sign-ins in flight per browser: the oldest give way, the newest complete', async () => {
    const app = await startApp(emu);
    apps.push(app);
    const b = browser();
    const starts = [];
    for (let i = 0; i < 8; i++) starts.push(await b.get(`${app.url}/auth/signin?returnTo=${encodeURIComponent(`/incidents?n=${i}`)}`));
    // The first tab's sign-in was dropped (5 kept), the last one completes.
    const stale = await signIn(b, app.url, 'sam@contoso.example', { start: starts[0]?.location });
    expect(stale.final.status).toBe(400);
    expect(stale.final.$('h1').text()).toBe('This sign-in response is not valid here');
    const fresh = await signIn(b, app.url, 'sam@contoso.example', { start: starts[7]?.location });
    expect(fresh.final.url).toBe(`${app.url}/incidents?n=7`);
  });

  it('on Redis, a visitor of the consent page adds no key, and a sign-in start one short-lived key', async () => {
    const prefix = `threatdesk-test:anon:${randomBytes(6).toString('hex')}:`;
    const raw = createClient({ url: 'redis://127.0.0.1:6379' });
    await raw.connect();
    const redis = await RedisStore.connect('redis://127.0.0.1:6379', createLogger('silent'), { keyPrefix: prefix });
    const app = await startApp(emu, { SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, TOKEN_CACHE_KEYS: randomBytes(32).toString('base64') }, { store: redis });
    apps.push(app);
    const keys = async (pattern: string) => {
      const found: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${prefix}${pattern}`, COUNT: 500 })) found.push(...batch);
      return found;
    };
    try {
      for (let i = 0; i < 20; i++) expect((await fetch(`${app.url}/admin/consent`)).status).toBe(200);
      expect(await keys('*sess:*')).toEqual([]);
      const start = await fetch(`${app.url}/auth/signin`, { redirect: 'manual' });
      expect(start.status).toBe(303);
      const pre = await keys('pre:sess:*');
      expect(pre).toHaveLength(1);
      expect(await keys('sess:*')).toEqual([]);
      const ttl = await raw.pTTL(pre[0] as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    } finally {
      const mine = await keys('*');
      if (mine.length) await raw.del(mine);
      await raw.close();
    }
  });
});

describe('admin consent without a server-side session', () => {
  let app: AppInstance;
  beforeAll(async () => {
    app = await startApp(emu);
    apps.push(app);
  });

  async function link(b: TestBrowser, tenant?: string): Promise<{ state: string; setCookie: string }> {
    const page = await b.get(`${app.url}/admin/consent${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`);
    expect(page.status).toBe(200);
    return {
      state: new URL(page.$('#consent-go').attr('href') as string).searchParams.get('state') as string,
      setCookie: page.headers.get('set-cookie') ?? '',
    };
  }
  const callback = (b: TestBrowser, q: string) => b.get(`${app.url}/admin/consent/callback?${q}`);

  it('binds the state with a short-lived, signed, HttpOnly cookie and no session', async () => {
    const { setCookie } = await link(browser());
    expect(setCookie).toMatch(/^threatdesk\.consent=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
    expect(setCookie).toMatch(/; Max-Age=600;/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).not.toContain('threatdesk.sid');
  });

  it('refuses a state whose cookie was tampered with, or that another browser was given', async () => {
    const b = browser();
    const { state } = await link(b);
    const [cookie] = await b.jar.getCookies(app.url);
    expect(cookie?.key).toBe('threatdesk.consent');
    const [payload, sig] = (cookie?.value ?? '').split('.');
    const forged = `${payload}.${sig?.startsWith('A') ? 'B' : 'A'}${sig?.slice(1)}`;
    const res = await fetch(`${app.url}/admin/consent/callback?admin_consent=True&tenant=${FABRIKAM_ID}&state=${state}`, { headers: { cookie: `threatdesk.consent=${forged}` } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This consent response cannot be confirmed');

    const other = browser();
    await link(other);
    const page = await callback(other, `admin_consent=True&tenant=${FABRIKAM_ID}&state=${state}`);
    expect(page.status).toBe(400);
    expect(page.$('.problem h1').text()).toBe('This consent response cannot be confirmed');
  });

  it('keeps several links per browser (tabs), each usable once', async () => {
    const b = browser();
    const one = await link(b);
    const two = await link(b, 'fabrikam.example');
    expect((await callback(b, `admin_consent=True&tenant=${FABRIKAM_ID}&state=${two.state}`)).status).toBe(200);
    expect((await callback(b, `admin_consent=True&tenant=${CONTOSO_ID}&state=${one.state}`)).status).toBe(200);
    expect((await callback(b, `admin_consent=True&tenant=${CONTOSO_ID}&state=${one.state}`)).status).toBe(400);
  });

  it('refuses consent from another tenant than the tenant id the link was made for', async () => {
    const b = browser();
    const { state } = await link(b, FABRIKAM_ID);
    const page = await callback(b, `admin_consent=True&tenant=${CONTOSO_ID}&scope=${encodeURIComponent('https://graph.microsoft.com/SecurityIncident.Read.All')}&state=${state}`);
    expect(page.status).toBe(400);
    expect(page.$('.problem h1').text()).toBe('Consent came from another tenant');
    expect(page.$('.problem').text()).toContain(FABRIKAM_ID);
    expect(page.$('.problem').text()).toContain(CONTOSO_ID);
    expect(page.body).not.toContain('Consent granted');
    const ok = await link(b, FABRIKAM_ID);
    expect((await callback(b, `admin_consent=True&tenant=${FABRIKAM_ID.toUpperCase()}&state=${ok.state}`)).status).toBe(200);
  });

  it.each([
    ['organizations', undefined, 'any organization'],
    ['a domain', 'fabrikam.example', 'fabrikam.example'],
  ])('for a link made for %s, says which tenant actually consented', async (_name, tenant, words) => {
    const b = browser();
    const { state } = await link(b, tenant);
    const page = await callback(b, `admin_consent=True&tenant=${FABRIKAM_ID}&state=${state}`);
    expect(page.status).toBe(200);
    expect(page.$('#granted-tenant').text()).toBe(FABRIKAM_ID);
    expect(page.$('#consented-for').text()).toContain(words);
  });

  it('is rate limited per client address', async () => {
    const limited = await startApp(emu, { ADMIN_CONSENT_RATE_LIMIT: '5' });
    apps.push(limited);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${limited.url}/admin/consent`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await fetch(`${limited.url}/admin/consent/callback?state=x`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
