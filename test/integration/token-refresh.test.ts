import { signIn } from '../helpers/appSignIn';
import { TestBrowser, lastItem } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { unindexedIncidentId } from '../helpers/indexSync';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let b: TestBrowser;

// Tokens live an hour. The test moves the emulator's clock past that, so the Defender API rejects a
// token that msal (on real time) still trusts; the app then refreshes once and retries. The pages
// used are incidents the app has not read yet, so that each needs the API (queue views read the
// index), and syncs run only at sign-in, so that none refreshes behind the test's back.
const LIFETIME = 3600;
const refreshGrants = async () => (await stack.emu.control.stats.grants()).refresh_token;

beforeAll(async () => {
  stack = await startStack({ accessTokenLifetimeSec: LIFETIME }, { SYNC_INTERVAL_S: '3600' });
  b = new TestBrowser(stack.emu.caCertPem);
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await b.close();
  await stack.close();
});

describe('tokens stay fresh without the analyst noticing', () => {
  it('refreshes transparently across several expiries', async () => {
    const r = await signIn(b, stack.app.url, 'riley@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    await stack.app.services.sync.idle();
    const startRefreshes = await refreshGrants();
    for (let round = 1; round <= 3; round++) {
      const id = await unindexedIncidentId(stack.emu);
      await stack.emu.control.clock.advance((LIFETIME + 1) * 1000);
      const mark = await stack.emu.control.stats.mark();
      const page = await b.get(`${stack.app.url}/incidents/${id}`);
      expect(page.status).toBe(200);
      expect(page.$('#incident-name').text()).toBe('Suspicious sign-in (test)');
      expect(await refreshGrants()).toBe(startRefreshes + round);
      // The API refused the expired token, and the page was served with the refreshed one.
      const calls = await stack.emu.control.stats.requests(mark);
      expect(calls.filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(1);
      expect(calls.at(-1)).toMatchObject({ path: expect.stringMatching(new RegExp(`/incidents/${id}$`)), upn: 'riley@contoso.example', status: 200 });
    }
    // Within a token's life, pages use the cached token.
    const mark = await stack.emu.control.stats.mark();
    expect((await b.get(`${stack.app.url}/incidents/${await unindexedIncidentId(stack.emu)}`)).status).toBe(200);
    expect(await refreshGrants()).toBe(startRefreshes + 3);
    expect((await stack.emu.control.stats.requests(mark)).filter((c) => c.status !== 200)).toEqual([]);
  });

  it('refreshes when Defender rejects a token msal still thinks valid', async () => {
    const before = await refreshGrants();
    const id = await unindexedIncidentId(stack.emu);
    await stack.emu.control.tokens.expireAll();
    const page = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(200);
    expect(await refreshGrants()).toBe(before + 1);
  });

  it('sends the analyst through sign-in after the refresh token is revoked, then back to the page', async () => {
    const target = `/incidents/${await unindexedIncidentId(stack.emu)}`;
    expect(await stack.emu.control.users.revokeRefreshTokens('riley@contoso.example')).toBeGreaterThan(0);
    await stack.emu.control.tokens.expireAll();
    const page = await b.get(`${stack.app.url}${target}`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${stack.app.url}/auth/signin?returnTo=${encodeURIComponent(target)}`);
    // The emulator still has a browser session, so sign-in completes without a picker, like Entra SSO.
    const hops = await b.follow(page.location as string);
    const final = lastItem(hops, 'redirect hops');
    expect(final.url).toBe(`${stack.app.url}${target}`);
    expect(final.status).toBe(200);
  });

  it('stops with an explanation instead of looping when sign-in does not help', async () => {
    const id = await unindexedIncidentId(stack.emu);
    await stack.app.services.sync.idle();
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '401', count: 20 });
    try {
      const hops = await b.follow(`${stack.app.url}/incidents/${id}`, { maxHops: 30 });
      const final = lastItem(hops, 'redirect hops');
      expect(final.status).toBe(401);
      expect(final.$('h1').text()).toBe('Signing in again did not help');
      const toSignIn = hops.filter((h) => h.location?.startsWith(`${stack.app.url}/auth/signin`));
      expect(toSignIn).toHaveLength(2);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });
});
