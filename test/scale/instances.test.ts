import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import type { Emulator } from '@threatdesk/emulator';
import { sessionCookie, signIn } from '../helpers/appSignIn';
import { TestBrowser, itemAt } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { unindexedIncidentId } from '../helpers/indexSync';
import { startReplicas, stopReplicas, type AppProcess, type Replicas } from '../helpers/processes';

/**
 * Two ThreatDesk processes sharing the Redis at 127.0.0.1:6379, behind a test load balancer.
 *
 * Design: in production the replicas sit behind one load balancer and share one public origin, so
 * both get BASE_URL = the balancer's URL (redirect URIs, cookies and CSRF all see one origin). The
 * browser only ever talks to the balancer; each test decides which replica serves which request
 * (`lb.route`, or the `x-test-backend` header), and the balancer records who served what. Each
 * replica is a separate `node --import tsx src/server.ts` process configured by environment only, so
 * nothing is shared in memory. Keys live under a per-run REDIS_KEY_PREFIX and are deleted afterwards.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `threatdesk-test:instances:${randomBytes(6).toString('hex')}:`;
// Tokens live an hour; a test moves the emulator's clock past that to make the Defender API reject them.
const LIFETIME_SEC = 3600;

let emu: Emulator;
let lb: Replicas['lb'];
let schema: string | undefined;
let a: AppProcess | undefined;
let b: AppProcess | undefined;
const raw = createClient({ url: REDIS_URL });
const browsers: TestBrowser[] = [];

function browser(): TestBrowser {
  const t = new TestBrowser(emu.caCertPem);
  browsers.push(t);
  return t;
}

const pin = (backend: 'a' | 'b') => {
  lb.route = () => backend;
};

beforeAll(async () => {
  await raw.connect();
  ({ emu, lb, a, b, schema } = await startReplicas({ accessTokenLifetimeSec: LIFETIME_SEC, quotas: { list: 100_000, get: 100_000, update: 100_000, graph: 100_000 } }, { url: REDIS_URL, keyPrefix: PREFIX }));
}, 45_000);

afterAll(async () => {
  try {
    if (a && b) await assertNoSecretsLeaked({ url: lb.url, logs: [...a.logs, ...b.logs] }, emu);
  } finally {
    await Promise.all(browsers.map((t) => t.close()));
    await stopReplicas({ emu, lb, a, b, schema }, raw, PREFIX);
  }
});

describe('two instances sharing Redis', () => {
  it('serves a session signed in through A on B', async () => {
    const alex = browser();
    pin('a');
    const r = await signIn(alex, lb.url, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    expect(lb.served.filter((s) => s.path.startsWith('/auth/')).every((s) => s.backend === 'a')).toBe(true);

    const page = await alex.get(`${lb.url}/incidents`, { 'x-test-backend': 'b' });
    expect(page.headers.get('x-served-by')).toBe('b');
    expect(page.status).toBe(200);
    expect(page.$('.user').text()).toContain('Alex Wilber');
    expect(page.$('#incidents tbody tr').length).toBeGreaterThan(0);
  });

  it('completes on B a sign-in started on A (the pending sign-in lives in the shared session)', async () => {
    const sam = browser();
    lb.route = (req) => ((req.url ?? '').startsWith('/auth/redirect') ? 'b' : 'a');
    const from = lb.served.length;
    const r = await signIn(sam, lb.url, 'sam@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    expect(r.final.$('.user').text()).toContain('Sam Rivera');
    const hops = lb.served.slice(from);
    expect(hops.find((s) => s.path.startsWith('/auth/signin'))).toMatchObject({ backend: 'a', status: 303 });
    expect(hops.find((s) => s.path.startsWith('/auth/redirect'))).toMatchObject({ backend: 'b', status: 303 });
  });

  it('signs out through B, after which A no longer serves the session', async () => {
    const riley = browser();
    pin('a');
    const r = await signIn(riley, lb.url, 'riley@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    const cookieBefore = await riley.jar.getCookieString(lb.url);
    expect(await sessionCookie(riley, lb.url)).toBeDefined();

    pin('b');
    const out = await riley.submit(r.final, 'form[action="/auth/signout"] button');
    expect(out.headers.get('x-served-by')).toBe('b');
    expect(out.status).toBe(303);

    // The browser's own cookie, and the old cookie replayed by hand, both land on sign-in at A.
    const after = await riley.get(`${lb.url}/incidents`, { 'x-test-backend': 'a' });
    expect(after.headers.get('x-served-by')).toBe('a');
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${lb.url}/auth/signin?returnTo=%2Fincidents`);
    const replay = await fetch(`${lb.url}/incidents`, { headers: { cookie: cookieBefore, accept: 'text/html', 'x-test-backend': 'a' }, redirect: 'manual' });
    expect(replay.headers.get('x-served-by')).toBe('a');
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/auth/signin?returnTo=%2Fincidents');
  });

  it('uses on B the tokens A refreshed, without refreshing again', async () => {
    const alex = itemAt(browsers, 0, 'browsers');
    const refreshGrants = async () => (await emu.control.stats.grants()).refresh_token;
    // Incidents neither instance has read: their pages call the API (queue views read the index).
    const unread = [await unindexedIncidentId(emu), await unindexedIncidentId(emu), await unindexedIncidentId(emu), await unindexedIncidentId(emu)];
    // Past the token's lifetime on the emulator clock: the API rejects the token A and B hold.
    await emu.control.clock.advance((LIFETIME_SEC + 1) * 1000);
    const before = await refreshGrants();
    const mark = await emu.control.stats.mark();
    const onA = await alex.get(`${lb.url}/incidents/${unread[0]}`, { 'x-test-backend': 'a' });
    expect(onA.headers.get('x-served-by')).toBe('a');
    expect(onA.status).toBe(200);
    expect(await refreshGrants()).toBe(before + 1);
    expect((await emu.control.stats.requests(mark)).filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(1);

    for (const id of unread.slice(1)) {
      const onB = await alex.get(`${lb.url}/incidents/${id}`, { 'x-test-backend': 'b' });
      expect(onB.headers.get('x-served-by')).toBe('b');
      expect(onB.status).toBe(200);
      expect(onB.$('#incident-name').text()).toBe('Suspicious sign-in (test)');
    }
    // B read A's refreshed cache from Redis; had it held the expired token, Defender would have refused it
    // and B would have refreshed too.
    expect(await refreshGrants()).toBe(before + 1);
  });

  it('keeps token caches in Redis sealed: not JSON, and no issued token or refresh token in them', async () => {
    const keys: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${PREFIX}tc:*`, COUNT: 500 })) keys.push(...batch);
    // alex and sam are still signed in; riley signed out, which removed her cache.
    expect(keys).toHaveLength(2);
    const secrets = (await emu.control.tokens.issuedSecrets()).filter((s) => s.length >= 16);
    expect(secrets.length).toBeGreaterThan(0);
    const sessions: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${PREFIX}sess:*`, COUNT: 500 })) sessions.push(...batch);
    expect(sessions.length).toBeGreaterThan(0);
    for (const key of keys) {
      const value = (await raw.get(key)) as string;
      expect(value).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(() => JSON.parse(value)).toThrow();
      expect(value).not.toMatch(/AccessToken|RefreshToken|secret/);
      for (const s of secrets) expect(value.includes(s)).toBe(false);
    }
    // Sessions are plain JSON by design: they hold who is signed in, never a token.
    for (const key of sessions) {
      const value = (await raw.get(key)) as string;
      for (const s of secrets) expect(value.includes(s)).toBe(false);
    }
  });
});
