import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let b: TestBrowser;

beforeAll(async () => {
  stack = await startStack();
  b = new TestBrowser(stack.emu.caCertPem);
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await b.close();
  await stack.close();
});

describe('sign-out', () => {
  it('control 8: is POST only and needs the CSRF token', async () => {
    const r = await signIn(b, stack.app.url, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    expect((await b.post(`${stack.app.url}/auth/signout`, {})).status).toBe(403);
    expect((await b.post(`${stack.app.url}/auth/signout`, { _csrf: 'forged' })).status).toBe(403);
    expect((await b.get(`${stack.app.url}/auth/signout`)).status).toBe(404);
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(200);
  });

  it('refuses a cross-site POST even with the right token', async () => {
    const page = await b.get(`${stack.app.url}/incidents`);
    const csrf = page.$('form[action="/auth/signout"] input[name="_csrf"]').attr('value') as string;
    const res = await b.post(`${stack.app.url}/auth/signout`, { _csrf: csrf }, { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(200);
  });

  it('control 7: ends the session, removes the tokens, and signs out at Entra', async () => {
    const page = await b.get(`${stack.app.url}/incidents`);
    const cookieBefore = await b.jar.getCookieString(stack.app.url);
    const alex = (await stack.emu.control.users.get('alex@contoso.example'))!;
    expect(alex.upn).toBe('alex@contoso.example');
    const homeAccountId = `${alex.oid}.${alex.tenantId}`;
    expect(await stack.app.services.tokenCache.load(homeAccountId)).toBeDefined();

    const out = await b.submit(page, 'form[action="/auth/signout"] button');
    expect(out.status).toBe(303);
    const logout = new URL(out.location as string);
    expect(logout.origin + logout.pathname).toBe(`${stack.emu.urls.browserBase}/organizations/oauth2/v2.0/logout`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.app.url}/auth/signed-out`);
    expect(await stack.app.services.tokenCache.load(homeAccountId)).toBeUndefined();
    expect(await stack.app.services.store.get(TokenCacheStore.keyFor(homeAccountId))).toBeUndefined();

    const hops = await b.follow(out.location as string);
    expect(hops.at(-1)?.url).toBe(`${stack.app.url}/auth/signed-out`);
    expect(hops.at(-1)?.status).toBe(200);

    // The old cookie, replayed by hand, no longer reaches the queue.
    const replay = await fetch(`${stack.app.url}/incidents`, { headers: { cookie: cookieBefore, accept: 'text/html' }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/auth/signin?returnTo=%2Fincidents');
  });

  it('does not sign out on a front-channel logout that names no Entra session (a link from any site)', async () => {
    await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo: '/incidents' });
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(200);
    const res = await b.get(`${stack.app.url}/auth/frontchannel-logout`);
    expect(res.status).toBe(400);
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(200);
    // With Entra's sid, see test/integration/frontchannel-logout.test.ts.
  });
});
