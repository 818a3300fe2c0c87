import { startEmulator, type Emulator } from '../src';
import { TestBrowser } from '../src/testing/browser';
import { authorizeUrl, redirectParams, signInAtEmulator } from './helpers/emulatorSignIn';

const SIGNED_OUT = 'http://localhost:3000/auth/signed-out';
let emu: Emulator;
let browser: TestBrowser;

beforeAll(async () => {
  emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  browser = new TestBrowser(emu.caCertPem);
  await signInAtEmulator(browser, authorizeUrl(emu), 'alex@contoso.example');
  // Signed in: prompt=none succeeds.
  expect(redirectParams(await browser.get(authorizeUrl(emu, { prompt: 'none' }))).get('code')).toBeTruthy();
});
afterEach(async () => {
  await browser.close();
});

const logoutUrl = (params: Record<string, string>, tenant = 'organizations') =>
  `${emu.urls.browserBase}/${tenant}/oauth2/v2.0/logout?${new URLSearchParams(params).toString()}`;

async function expectSignedOut() {
  const page = await browser.get(authorizeUrl(emu, { prompt: 'none' }));
  expect(redirectParams(page).get('error')).toBe('login_required');
}

describe('GET|POST /{tenant}/oauth2/v2.0/logout', () => {
  it('ends the session, clears the cookie and redirects to a registered post_logout_redirect_uri with state', async () => {
    const page = await browser.get(logoutUrl({ post_logout_redirect_uri: SIGNED_OUT, state: 'bye&1' }));
    expect(page.status).toBe(302);
    expect(page.location).toBe(`${SIGNED_OUT}?state=bye%261`);
    expect(page.headers.get('set-cookie')).toMatch(/emulator_sso=;.*Expires=Thu, 01 Jan 1970/);
    await expectSignedOut();
  });

  it('shows a generic signed-out page for an unregistered post_logout_redirect_uri (and still signs out)', async () => {
    const page = await browser.get(logoutUrl({ post_logout_redirect_uri: 'https://attacker.example/after' }));
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    expect(page.$('body').attr('data-page')).toBe('signed-out');
    expect(page.$('h1').text()).toBe('You signed out of your account');
    expect(page.body).not.toContain('attacker.example');
    await expectSignedOut();
  });

  it('shows the signed-out page without post_logout_redirect_uri', async () => {
    const page = await browser.get(logoutUrl({}, 'contoso.example'));
    expect(page.$('body').attr('data-page')).toBe('signed-out');
    await expectSignedOut();
  });

  it('accepts POST with a form body', async () => {
    const page = await browser.post(`${emu.urls.browserBase}/organizations/oauth2/v2.0/logout`, { post_logout_redirect_uri: SIGNED_OUT });
    expect(page.status).toBe(302);
    expect(page.location).toBe(SIGNED_OUT);
    await expectSignedOut();
  });

  it('after logout the sign-in page shows again instead of SSO', async () => {
    await browser.get(logoutUrl({}));
    expect((await browser.get(authorizeUrl(emu))).$('body').attr('data-page')).toBe('signin');
  });

  it('refuses an unknown tenant on the error page', async () => {
    const page = await browser.get(logoutUrl({ post_logout_redirect_uri: SIGNED_OUT }, 'nowhere.example'));
    expect(page.status).toBe(400);
    expect(page.$('[data-code]').attr('data-code')).toBe('90002');
  });
});
