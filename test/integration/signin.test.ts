import { signIn, sessionCookie } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';

const codes: string[] = [];
const stack = useFileStack({}, {}, codes);
const browser = () => stack.browser();

describe('sign-in', () => {
  it('control 2: sets no cookie for a visitor and shows the sign-in button', async () => {
    const b = browser();
    const home = await b.get(`${stack.app.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('set-cookie')).toBeNull();
    expect(home.$('a[href="/auth/signin"]').length).toBeGreaterThan(0);
  });

  it('runs the code flow with PKCE, state and nonce, regenerates the session, and returns to the page asked for', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin?returnTo=${encodeURIComponent('/incidents?status=Active')}`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.location as string);
    expect(authorize.origin).toBe(stack.emu.urls.browserBase);
    expect(authorize.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    const q = authorize.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('response_mode')).toBe('query');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('redirect_uri')).toBe(`${stack.app.url}/auth/redirect`);
    expect(q.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['https://graph.microsoft.com/SecurityIncident.Read.All', 'openid', 'profile', 'offline_access']));
    expect(q.get('scope')).not.toContain('ReadWrite');

    const setCookie = start.headers.get('set-cookie') as string;
    expect(setCookie).toMatch(/^threatdesk\.sid=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain-http base URL
    const before = await sessionCookie(b, stack.app.url);

    const result = await signIn(b, stack.app.url, 'alex@contoso.example', { start: start.location });
    if (result.code) codes.push(result.code);
    const callback = result.hops.find((h) => h.url.startsWith(`${stack.app.url}/auth/redirect`));
    expect(callback?.status).toBe(303);
    expect(callback?.location).toBe(`${stack.app.url}/incidents?status=Active`);
    expect(callback?.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const after = await sessionCookie(b, stack.app.url);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(result.final.status).toBe(200);
    expect(result.final.$('.user').text()).toContain('Alex');
    expect(result.final.$('#incidents tbody tr').length).toBeGreaterThan(0);
  });

  it('lets two tabs sign in at once (pending sign-ins are keyed by state)', async () => {
    const b = browser();
    const tab1 = await b.get(`${stack.app.url}/auth/signin?returnTo=/incidents`);
    const tab2 = await b.get(`${stack.app.url}/auth/signin?returnTo=/me/token`);
    const r2 = await signIn(b, stack.app.url, 'alex@contoso.example', { start: tab2.location });
    const r1 = await signIn(b, stack.app.url, 'alex@contoso.example', { start: tab1.location });
    [r1, r2].forEach((r) => r.code && codes.push(r.code));
    expect(r2.final.url).toBe(`${stack.app.url}/me/token`);
    expect(r1.final.url).toBe(`${stack.app.url}/incidents`);
    expect(r1.final.status).toBe(200);
  });

  it.each([
    '//evil.example/',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
  ])('control 19: sends the analyst to / instead of %s after sign-in', async (returnTo) => {
    const b = browser();
    const r = await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo });
    if (r.code) codes.push(r.code);
    const callback = r.hops.find((h) => h.url.startsWith(`${stack.app.url}/auth/redirect`));
    expect(callback?.location).toBe(`${stack.app.url}/`);
  });

  it('refuses a callback whose state was tampered with', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin`);
    const r = await signIn(b, stack.app.url, 'alex@contoso.example', { start: start.location });
    void r;
    // A second sign-in, stopped at the callback, then replayed with another state.
    const start2 = await b.get(`${stack.app.url}/auth/signin`);
    const authz = await b.get(start2.location as string);
    const back = authz.status === 302 || authz.status === 303 ? authz : await b.submit(authz, 'button[value="alex@contoso.example"]');
    const url = new URL(back.location as string);
    codes.push(url.searchParams.get('code') as string);
    url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    const page = await b.get(url.toString());
    expect(page.status).toBe(400);
    expect(page.$('h1').text()).toBe('This sign-in response is not valid here');
  });

  it('control 11: refuses a replayed callback', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin`);
    const r = await signIn(b, stack.app.url, 'alex@contoso.example', { start: start.location });
    const callback = r.hops.find((h) => h.url.startsWith(`${stack.app.url}/auth/redirect`)) as { url: string };
    if (r.code) codes.push(r.code);
    const replay = await b.get(callback.url);
    expect(replay.status).toBe(400);
    expect(replay.$('h1').text()).toBe('This sign-in response is not valid here');
  });

  it('control 12: refuses a callback from a browser that started no sign-in, without creating a session', async () => {
    const b = browser();
    const page = await b.get(`${stack.app.url}/auth/redirect?code=abc&state=def`);
    expect(page.status).toBe(400);
    expect(page.$('h1').text()).toBe('Your sign-in could not be matched to this browser');
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.body).not.toMatch(/at \S+ \(.*:\d+:\d+\)/); // no stack trace
  });

  it('explains a cancelled sign-in', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin?returnTo=/incidents`);
    const authz = await b.get(start.location as string);
    const cancelled = await b.submit(authz, 'button[value="cancel"]');
    expect(new URL(cancelled.location as string).searchParams.get('error_subcode')).toBe('cancel');
    const page = await b.get(cancelled.location as string);
    expect(page.status).toBe(401);
    expect(page.$('h1').text()).toBe('Sign-in cancelled');
    expect(page.$('.problem a.button').attr('href')).toBe('/auth/signin?returnTo=%2Fincidents');
  });

  it('control 20: shows an Entra error on the callback as text, never as markup', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin`);
    const state = new URL(start.location as string).searchParams.get('state') as string;
    const evil = '<script>alert(1)</script>';
    const page = await b.get(`${stack.app.url}/auth/redirect?error=server_error&error_description=${encodeURIComponent(`AADSTS50000: ${evil}`)}&state=${state}`);
    expect(page.status).toBe(401);
    expect(page.$('h1').text()).toBe('Sign-in failed');
    expect(page.body).not.toContain(evil);
    expect(page.$('script:not([src])').length).toBe(0);
  });

  it('explains a consent error and links to the admin consent page', async () => {
    const b = browser();
    const r = await signIn(b, stack.app.url, 'jordan@fabrikam.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(403);
    expect(r.final.$('h1').text()).toBe('ThreatDesk has not been approved for your organization');
    expect(r.final.$('a[href="/admin/consent"]').length).toBeGreaterThan(0);
  });
});
