import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import { TestBrowser, type Page } from '../src/testing/browser';
import { authorizeUrl, formPostFields, pkcePair, redirectParams, REDIRECT_URI, scope, signInAtEmulator } from './helpers/emulatorSignIn';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => emu.control.faults.clear());

/** A fresh browser per test, so SSO state never leaks between tests. */
let browser: TestBrowser;
beforeEach(() => {
  browser = new TestBrowser(emu.caCertPem);
});
afterEach(async () => {
  await browser.close();
});

const accounts = (page: Page) =>
  page
    .$('button[name="upn"]')
    .map((_, el) => page.$(el).text())
    .get();

function expectSignInPage(page: Page) {
  expect(page.status).toBe(200);
  expect(page.$('body').attr('data-page')).toBe('signin');
}

function expectErrorPage(page: Page, status: number, code: number) {
  expect(page.status).toBe(status);
  expect(page.location).toBeUndefined();
  expect(page.$('body').attr('data-page')).toBe('error');
  expect(page.$('[data-code]').attr('data-code')).toBe(String(code));
  expect(page.body).toContain(`AADSTS${code}`);
}

function expectErrorRedirect(page: Page, error: string, code: number, state?: string) {
  expect(page.status).toBe(302);
  expect(page.location?.startsWith(`${REDIRECT_URI}?`)).toBe(true);
  const q = redirectParams(page);
  expect(q.get('error')).toBe(error);
  expect(q.get('error_description')).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(q.get('code')).toBeNull();
  // The state echoed is the one the request sent (the caller's, or the one authorizeUrl made up).
  expect(q.get('state')).toBe(state ?? new URL(page.url).searchParams.get('state'));
  return q;
}

async function signIn(upn: string, params: Record<string, string | undefined> = {}, tenant = 'organizations') {
  return signInAtEmulator(browser, authorizeUrl(emu, params, tenant), upn);
}

describe('authorize: success', () => {
  it('shows the sign-in page with every tenant’s users for organizations, as buttons whose text is the address', async () => {
    const page = await browser.get(authorizeUrl(emu));
    expectSignInPage(page);
    expect(accounts(page).sort()).toEqual(
      [
        'alex@contoso.example',
        'sam@contoso.example',
        'riley@contoso.example',
        'morgan@contoso.example',
        'pat@contoso.example',
        'casey@fabrikam.example',
        'jordan@fabrikam.example',
      ].sort(),
    );
    expect(page.$('button:contains("alex@contoso.example")').attr('value')).toBe('alex@contoso.example');
    expect(page.$('button[name="action"][value="cancel"]').text()).toBe('Cancel');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['tenant id', CONTOSO_ID],
    ['domain', 'contoso.example'],
  ])('lists only the tenant’s users for a tenant by %s', async (_label, tenant) => {
    const page = await browser.get(authorizeUrl(emu, {}, tenant));
    expectSignInPage(page);
    expect(accounts(page)).toHaveLength(5);
    expect(accounts(page).every((a) => a.endsWith('@contoso.example'))).toBe(true);
  });

  it('redirects with code, state, client_info and session_state', async () => {
    const page = await signIn('alex@contoso.example', { state: 'st&te=1 ü' });
    expect(page.status).toBe(302);
    const q = redirectParams(page);
    expect(page.location?.startsWith(`${REDIRECT_URI}?code=`)).toBe(true);
    expect(q.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(q.get('state')).toBe('st&te=1 ü');
    expect(q.get('session_state')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const info = JSON.parse(Buffer.from(q.get('client_info') ?? '', 'base64url').toString()) as Record<string, string>;
    const alex = await emu.control.users.get('alex@contoso.example');
    expect(info).toEqual({ uid: alex?.oid, utid: CONTOSO_ID });
    expect(await emu.control.tokens.issuedSecrets()).toContain(q.get('code'));
  });

  it('leaves client_info out unless asked for, and state out when none was sent', async () => {
    const q = redirectParams(await signIn('alex@contoso.example', { client_info: undefined, state: undefined }));
    expect(q.get('code')).toBeTruthy();
    expect(q.has('client_info')).toBe(false);
    expect(q.has('state')).toBe(false);
  });

  it('ignores msal’s extra query parameters', async () => {
    const q = redirectParams(
      await signIn('alex@contoso.example', {
        'client-request-id': '0b6b2d8e-0000-4000-8000-000000000001',
        'x-client-SKU': 'msal.js.node',
        'x-client-VER': '7.2.3',
        clidata: '1',
        'X-AnchorMailbox': 'UPN:alex@contoso.example',
      }),
    );
    expect(q.get('code')).toBeTruthy();
  });

  it('sets an HttpOnly SSO cookie and signs the user in silently next time', async () => {
    const first = await signIn('alex@contoso.example');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^emulator_sso=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const second = await browser.get(authorizeUrl(emu));
    expect(second.status).toBe(302);
    expect(redirectParams(second).get('code')).toBeTruthy();
    expect(redirectParams(second).get('session_state')).toBe(redirectParams(first).get('session_state'));
  });
});

describe('authorize: prompt and login_hint', () => {
  it('prompt=none without a session redirects with login_required (AADSTS50058)', async () => {
    const page = await browser.get(authorizeUrl(emu, { prompt: 'none', state: 's1' }));
    expectErrorRedirect(page, 'login_required', 50058, 's1');
  });

  it('prompt=none with a session redirects with a code', async () => {
    await signIn('alex@contoso.example');
    const page = await browser.get(authorizeUrl(emu, { prompt: 'none' }));
    expect(redirectParams(page).get('code')).toBeTruthy();
  });

  it('prompt=none with a session for a user outside the tenant is login_required', async () => {
    await signIn('alex@contoso.example');
    const page = await browser.get(authorizeUrl(emu, { prompt: 'none' }, FABRIKAM_ID));
    expectErrorRedirect(page, 'login_required', 50058);
  });

  it('prompt=login shows the picker despite the SSO session', async () => {
    await signIn('alex@contoso.example');
    const page = await browser.get(authorizeUrl(emu, { prompt: 'login' }));
    expectSignInPage(page);
    const next = await browser.submit(page, 'button[value="sam@contoso.example"]');
    const q = redirectParams(next);
    const sam = await emu.control.users.get('sam@contoso.example');
    expect(JSON.parse(Buffer.from(q.get('client_info') ?? '', 'base64url').toString())).toMatchObject({ uid: sam?.oid });
  });

  it('prompt=select_account shows the picker and marks the signed-in account', async () => {
    await signIn('alex@contoso.example');
    const page = await browser.get(authorizeUrl(emu, { prompt: 'select_account', login_hint: 'sam@contoso.example' }));
    expectSignInPage(page);
    const alexRow = page.$('button[value="alex@contoso.example"]').closest('li');
    expect(alexRow.text()).toContain('Signed in');
    // select_account ignores login_hint.
    expect(page.body).not.toContain('Suggested');
  });

  it('login_hint puts the hinted account first; it does not sign anyone in by itself', async () => {
    const page = await browser.get(authorizeUrl(emu, { login_hint: 'riley@contoso.example' }));
    expectSignInPage(page);
    expect(accounts(page)[0]).toBe('riley@contoso.example');
    expect(page.$('button[value="riley@contoso.example"]').attr('autofocus')).toBeDefined();
    expect(page.$('button[value="riley@contoso.example"]').closest('li').text()).toContain('Suggested');
  });

  it('login_hint for the session’s user signs in silently; for another user it shows the picker', async () => {
    await signIn('alex@contoso.example');
    const same = await browser.get(authorizeUrl(emu, { login_hint: 'ALEX@contoso.example' }));
    expect(redirectParams(same).get('code')).toBeTruthy();
    const other = await browser.get(authorizeUrl(emu, { login_hint: 'sam@contoso.example' }));
    expectSignInPage(other);
    expect(accounts(other)[0]).toBe('sam@contoso.example');
  });

  it('an unknown login_hint is reported on the page, escaped', async () => {
    const hint = '<img src=x onerror=alert(1)>@contoso.example';
    const page = await browser.get(authorizeUrl(emu, { login_hint: hint }));
    expectSignInPage(page);
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.$('.notice').text()).toContain(hint);
  });

  it('rejects an unknown prompt value with invalid_request', async () => {
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { prompt: 'create', state: 'p' })), 'invalid_request', 9002313, 'p');
  });
});

describe('authorize: errors shown on the error page (never redirected)', () => {
  it('an unregistered redirect_uri is AADSTS50011 on a 400 page', async () => {
    const evil = 'https://attacker.example/steal';
    const page = await browser.get(authorizeUrl(emu, { redirect_uri: evil, state: '<b>x</b>' }));
    expectErrorPage(page, 400, 50011);
    expect(page.body).toContain(evil);
    expect(page.body).not.toContain('<b>x</b>');
  });

  it('a redirect_uri differing only by a trailing slash is not a match', async () => {
    expectErrorPage(await browser.get(authorizeUrl(emu, { redirect_uri: `${REDIRECT_URI}/` })), 400, 50011);
  });

  it('a missing redirect_uri is AADSTS900144', async () => {
    expectErrorPage(await browser.get(authorizeUrl(emu, { redirect_uri: undefined })), 400, 900144);
  });

  it('an unknown client_id is AADSTS700016', async () => {
    expectErrorPage(await browser.get(authorizeUrl(emu, { client_id: '44444444-4444-4444-8444-444444444444' })), 400, 700016);
  });

  it('an unknown tenant is AADSTS90002', async () => {
    expectErrorPage(await browser.get(authorizeUrl(emu, {}, 'nowhere.example')), 400, 90002);
  });

  it('a repeated parameter is refused', async () => {
    const url = `${authorizeUrl(emu)}&redirect_uri=${encodeURIComponent('http://localhost:3000/admin/consent/callback')}`;
    expectErrorPage(await browser.get(url), 400, 9002313);
  });

  it('a sign-in form for an unknown transaction is refused', async () => {
    const page = await browser.post(`${emu.urls.browserBase}/organizations/login`, { txn: 'forged', upn: 'alex@contoso.example' });
    expectErrorPage(page, 400, 9002313);
  });

  it('picking a user of another tenant is refused', async () => {
    const picker = await browser.get(authorizeUrl(emu, {}, CONTOSO_ID));
    const page = await browser.submit(picker, 'button[value="alex@contoso.example"]', { upn: 'casey@fabrikam.example' });
    expectErrorPage(page, 400, 50034);
  });
});

describe('authorize: errors redirected to the client', () => {
  it('response_type other than code is unsupported_response_type', async () => {
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { response_type: 'token', state: 'r1' })), 'unsupported_response_type', 700054, 'r1');
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { response_type: 'id_token' })), 'unsupported_response_type', 700054);
  });

  it('a missing response_type or scope is invalid_request AADSTS900144', async () => {
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { response_type: undefined })), 'invalid_request', 900144);
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { scope: undefined })), 'invalid_request', 900144);
  });

  it('response_mode=fragment is invalid_request', async () => {
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { response_mode: 'fragment', state: 'f' })), 'invalid_request', 9002313, 'f');
  });

  it('PKCE must use S256', async () => {
    const { challenge } = pkcePair();
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { code_challenge: challenge, code_challenge_method: 'plain' })), 'invalid_request', 9002313);
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { code_challenge: challenge })), 'invalid_request', 9002313);
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { code_challenge_method: 'S256' })), 'invalid_request', 9002313);
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { code_challenge: 'short', code_challenge_method: 'S256' })), 'invalid_request', 9002313);
  });

  it('a scope of another resource is invalid_resource AADSTS500011', async () => {
    const page = await browser.get(authorizeUrl(emu, { scope: 'openid https://api.securitycenter.microsoft.com/Machine.Read' }));
    expectErrorRedirect(page, 'invalid_resource', 500011);
  });

  it('an unknown Defender permission or a bare name Graph does not have is invalid_scope AADSTS70011', async () => {
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { scope: `openid ${scope('Incident.Delete')}` })), 'invalid_scope', 70011);
    // A bare name is a Microsoft Graph permission, as Entra reads it: Graph has no Incident.Read.
    const bare = expectErrorRedirect(await browser.get(authorizeUrl(emu, { scope: 'openid Incident.Read' })), 'invalid_scope', 70011);
    expect(bare.get('error_description')).toContain(scope('Incident.Read'));
    expectErrorRedirect(await browser.get(authorizeUrl(emu, { scope: `${scope('.default')} ${scope('Incident.Read')}` })), 'invalid_scope', 70011);
  });

  it('Cancel on the sign-in page is access_denied with error_subcode=cancel', async () => {
    const picker = await browser.get(authorizeUrl(emu, { state: 'c1' }));
    const page = await browser.submit(picker, 'button[name="action"][value="cancel"]');
    const q = expectErrorRedirect(page, 'access_denied', 65004, 'c1');
    expect(q.get('error_subcode')).toBe('cancel');
    // The transaction is finished: submitting the same page again is refused.
    expect((await browser.submit(picker, 'button[value="alex@contoso.example"]')).status).toBe(400);
  });
});

describe('authorize: consent', () => {
  it('shows a consent page in Contoso for AdvancedHunting.Read; Accept grants it and later sign-ins skip the page', async () => {
    const picker = await browser.get(authorizeUrl(emu, { scope: `openid profile offline_access ${scope('AdvancedHunting.Read')}` }));
    const consent = await browser.submit(picker, 'button[value="sam@contoso.example"]');
    expect(consent.status).toBe(200);
    expect(consent.$('body').attr('data-page')).toBe('consent');
    expect(consent.$(`li[data-scope="${scope('AdvancedHunting.Read')}"]`).text()).toContain('Run advanced queries');
    // Incident.Read is consented tenant-wide, so only the missing permission is listed.
    expect(consent.$(`li[data-scope="${scope('Incident.Read')}"]`).length).toBe(0);
    const done = await browser.submit(consent, 'button[name="action"][value="accept"]');
    expect(redirectParams(done).get('code')).toBeTruthy();
    // Sam consented for himself (Contoso's admin consent does not cover it).
    expect(await emu.control.consent.userScopes('sam@contoso.example')).toContain(scope('AdvancedHunting.Read'));
    expect(await emu.control.consent.tenantScopes(CONTOSO_ID)).not.toContain(scope('AdvancedHunting.Read'));

    const again = await browser.get(authorizeUrl(emu, { scope: `openid ${scope('AdvancedHunting.Read')}` }));
    expect(redirectParams(again).get('code')).toBeTruthy();
  });

  it('Cancel on the consent page is access_denied with error_subcode=cancel and grants nothing', async () => {
    const page = await signInAtEmulator(browser, authorizeUrl(emu, { scope: `openid ${scope('AdvancedHunting.Read')}`, state: 'd' }), 'riley@contoso.example', {
      consent: 'decline',
    });
    const q = expectErrorRedirect(page, 'access_denied', 65004, 'd');
    expect(q.get('error_subcode')).toBe('cancel');
    expect(await emu.control.consent.userScopes('riley@contoso.example')).not.toContain(scope('AdvancedHunting.Read'));
    expect(await emu.control.consent.tenantScopes(CONTOSO_ID)).not.toContain(scope('AdvancedHunting.Read'));
  });

  it('.default stands for every configured permission', async () => {
    const picker = await browser.get(authorizeUrl(emu, { scope: `openid ${scope('.default')}` }));
    const consent = await browser.submit(picker, 'button[value="pat@contoso.example"]');
    expect(consent.$('body').attr('data-page')).toBe('consent');
    expect(consent.$(`li[data-scope="${scope('AdvancedHunting.Read')}"]`).length).toBe(1);
  });

  it('prompt=consent shows the consent page even when everything is consented', async () => {
    const picker = await browser.get(authorizeUrl(emu, { prompt: 'consent' }));
    const consent = await browser.submit(picker, 'button[value="alex@contoso.example"]');
    expect(consent.$('body').attr('data-page')).toBe('consent');
    expect(consent.$(`li[data-scope="${scope('Incident.Read')}"]`).length).toBe(1);
    expect(consent.$('li[data-scope="openid"]').length).toBe(1);
    expect(consent.$('li[data-scope="offline_access"]').length).toBe(1);
    expect(redirectParams(await browser.submit(consent, 'button[value="accept"]')).get('code')).toBeTruthy();
  });

  it('prompt=none when consent is missing is consent_required', async () => {
    await signIn('morgan@contoso.example');
    const page = await browser.get(authorizeUrl(emu, { prompt: 'none', scope: `openid ${scope('AdvancedHunting.Read')}` }));
    expectErrorRedirect(page, 'consent_required', 65001);
  });

  it('jordan in Fabrikam (user consent off, nothing consented) gets consent_required AADSTS65001', async () => {
    const page = await signIn('jordan@fabrikam.example', { state: 'j' }, 'fabrikam.example');
    const q = expectErrorRedirect(page, 'consent_required', 65001, 'j');
    expect(q.get('error_description')).toContain(
      `AADSTS65001: The user or administrator has not consented to use the application with ID '${THREATDESK_CLIENT_ID}' named 'ThreatDesk'.`,
    );
  });

  it('a consent answer without a consent page is refused', async () => {
    const picker = await browser.get(authorizeUrl(emu));
    const txn = picker.$('input[name="txn"]').attr('value') ?? '';
    const page = await browser.post(`${emu.urls.browserBase}/organizations/consent`, { txn, action: 'accept' });
    expectErrorPage(page, 400, 9002313);
  });
});

describe('authorize: response_mode=form_post', () => {
  let receiver: http.Server;
  let callback: string;
  const received: Record<string, string>[] = [];

  beforeAll(async () => {
    const app = express();
    app.post('/auth/redirect', express.urlencoded({ extended: false }), (req, res) => {
      received.push(req.body as Record<string, string>);
      res.status(200).send('ok');
    });
    receiver = http.createServer(app);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callback = `http://localhost:${(receiver.address() as AddressInfo).port}/auth/redirect`;
    expect((await emu.control.app.addRedirectUris([callback])).redirectUris).toContain(callback);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('renders an escaped auto-submitting form with a Continue button whose submission posts the response', async () => {
    const state = '"><script>alert(1)</script>';
    const page = await signInAtEmulator(browser, authorizeUrl(emu, { response_mode: 'form_post', redirect_uri: callback, state }), 'alex@contoso.example');
    expect(page.status).toBe(200);
    expect(page.$('body').attr('data-page')).toBe('form-post');
    expect(page.$('form#response').attr('action')).toBe(callback);
    expect(page.$('form#response').attr('method')).toBe('post');
    expect(page.body).not.toContain('<script>alert(1)');
    const fields = formPostFields(page);
    expect(fields.state).toBe(state);
    expect(fields.code).toBeTruthy();
    expect(fields.session_state).toBeTruthy();
    expect(fields.client_info).toBeTruthy();

    // The only script runs under the page's CSP nonce; there are no inline handlers.
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = page.$('script').attr('nonce');
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(page.body).not.toMatch(/\son[a-z]+=/i);

    await browser.submit(page, 'form#response button[type="submit"]');
    expect(received.at(-1)).toEqual(fields);
  });

  it('sends errors by form_post too', async () => {
    const page = await browser.get(authorizeUrl(emu, { response_mode: 'form_post', redirect_uri: callback, prompt: 'none', state: 'z' }));
    expect(page.$('body').attr('data-page')).toBe('form-post');
    expect(formPostFields(page)).toMatchObject({ error: 'login_required', state: 'z' });
  });
});

describe('authorize: faults', () => {
  it.each([
    ['503', 503],
    ['429', 429],
    ['500', 500],
  ] as const)('a %s fault renders an error page with that status', async (kind, status) => {
    await emu.control.faults.add({ endpoint: 'authorize', kind, retryAfter: 9 });
    const page = await browser.get(authorizeUrl(emu));
    expect(page.status).toBe(status);
    expect(page.$('body').attr('data-page')).toBe('error');
    expect(page.headers.get('retry-after')).toBe(kind === '500' ? null : '9');
    expectSignInPage(await browser.get(authorizeUrl(emu)));
  });

  it('a delay fault answers normally after the delay', async () => {
    await emu.control.faults.add({ endpoint: 'authorize', kind: 'delay', delayMs: 250 });
    const started = Date.now();
    expectSignInPage(await browser.get(authorizeUrl(emu)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });
});

describe('organizations', () => {
  it('issues the code for the user’s own tenant', async () => {
    const q = redirectParams(await signIn('casey@fabrikam.example', { scope: 'openid profile' }));
    const info = JSON.parse(Buffer.from(q.get('client_info') ?? '', 'base64url').toString()) as Record<string, string>;
    expect(info.utid).toBe(FABRIKAM_ID);
  });
});
