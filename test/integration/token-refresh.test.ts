import { setTimeout as sleep } from 'node:timers/promises';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let b: TestBrowser;

// msal renews 300 s before expiry (strictly later, on rounded seconds), so a 302 s token is stale after 3–3.5 s.
const STALE_AFTER_MS = 3_600;
const LIFETIME = 302;

beforeAll(async () => {
  stack = await startStack({ accessTokenLifetimeSec: LIFETIME });
  b = new TestBrowser(stack.emu.caCertPem);
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await b.close();
  await stack.close();
});

describe('tokens stay fresh without the analyst noticing', () => {
  it('refreshes transparently across several expiries', async () => {
    const r = await signIn(b, stack.app.url, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    const grants = stack.emu.context.stats.grants;
    const startRefreshes = grants.refresh_token;
    for (let round = 1; round <= 3; round++) {
      await sleep(STALE_AFTER_MS);
      const page = await b.get(`${stack.app.url}/incidents`);
      expect(page.status).toBe(200);
      expect(page.$('#incidents tbody tr').length).toBeGreaterThan(0);
      expect(grants.refresh_token).toBe(startRefreshes + round);
    }
    // Within a token's life, pages use the cached token.
    await b.get(`${stack.app.url}/incidents`);
    expect(grants.refresh_token).toBe(startRefreshes + 3);
  });

  it('refreshes when Defender rejects a token msal still thinks valid', async () => {
    const before = stack.emu.context.stats.grants.refresh_token;
    stack.emu.expireAccessTokens();
    const page = await b.get(`${stack.app.url}/incidents`);
    expect(page.status).toBe(200);
    expect(stack.emu.context.stats.grants.refresh_token).toBe(before + 1);
  });

  it('sends the analyst through sign-in after the refresh token is revoked, then back to the page', async () => {
    expect(stack.emu.entra.revokeRefreshTokens('alex@contoso.example')).toBeGreaterThan(0);
    stack.emu.expireAccessTokens();
    const target = '/incidents?severity=High';
    const page = await b.get(`${stack.app.url}${target}`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${stack.app.url}/auth/signin?returnTo=${encodeURIComponent(target)}`);
    // The emulator still has a browser session, so sign-in completes without a picker, like Entra SSO.
    const hops = await b.follow(page.location as string);
    const final = hops[hops.length - 1];
    expect(final.url).toBe(`${stack.app.url}${target}`);
    expect(final.status).toBe(200);
  });

  it('stops with an explanation instead of looping when sign-in does not help', async () => {
    stack.emu.context.faults.add({ endpoint: 'incidents.list', kind: '401', count: 20 });
    try {
      const hops = await b.follow(`${stack.app.url}/incidents?window=7d`, { maxHops: 30 });
      const final = hops[hops.length - 1];
      expect(final.status).toBe(401);
      expect(final.$('h1').text()).toBe('Signing in again did not help');
      const toSignIn = hops.filter((h) => h.location?.startsWith(`${stack.app.url}/auth/signin`));
      expect(toSignIn).toHaveLength(2);
    } finally {
      stack.emu.context.faults.clear();
    }
  });
});
