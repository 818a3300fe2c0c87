import { FABRIKAM_ID } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
const browsers: TestBrowser[] = [];

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

function browser(): TestBrowser {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  return b;
}

/** Follows the consent link through the emulator as `upn`, accepting or declining; returns the callback page. */
async function consentAs(b: TestBrowser, link: string, upn: string, choice: 'accept' | 'cancel' = 'accept'): Promise<Page> {
  let page = await b.get(link);
  for (let i = 0; i < 5 && !(page.location?.startsWith(stack.app.url)); i++) {
    if (page.location) page = await b.get(page.location);
    else if (page.$(`button[value="${upn}"]`).length) page = await b.submit(page, `button[value="${upn}"]`);
    else page = await b.submit(page, `button[value="${choice}"]`);
  }
  expect(page.location?.startsWith(`${stack.app.url}/admin/consent/callback?`)).toBe(true);
  return b.get(page.location as string);
}

describe('admin consent page', () => {
  it('explains each permission, the registration values, and links to the v2 admin consent endpoint', async () => {
    const b = browser();
    const page = await b.get(`${stack.app.url}/admin/consent`);
    expect(page.status).toBe(200);
    const perms = page.$('#permissions tbody tr td:first-child').map((_, el) => page.$(el).text()).get();
    expect(perms).toEqual(['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All']);
    for (const uri of ['/auth/redirect', '/admin/consent/callback', '/auth/signed-out']) expect(page.body).toContain(`${stack.app.url}${uri}`);
    expect(page.body).toContain('Microsoft Graph');
    // The legacy API is mentioned only where it is configured.
    expect(page.body).not.toContain('Microsoft Threat Protection');
    const { clientId } = await stack.emu.control.app.registration();
    expect(page.body).toContain(clientId);

    const link = new URL(page.$('#consent-go').attr('href') as string);
    expect(link.origin).toBe(stack.emu.urls.browserBase);
    expect(link.pathname).toBe('/organizations/v2.0/adminconsent');
    expect(link.searchParams.get('client_id')).toBe(clientId);
    expect(link.searchParams.get('scope')).toBe('https://graph.microsoft.com/.default');
    expect(link.searchParams.get('redirect_uri')).toBe(`${stack.app.url}/admin/consent/callback`);
    expect(link.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(page.$('#consent-link').attr('value')).toBe(link.toString());
    expect(page.$('button[data-copy="consent-link"]').length).toBe(1);
  });

  it('makes the link for another tenant, and refuses what is not a tenant', async () => {
    const b = browser();
    const page = await b.get(`${stack.app.url}/admin/consent?tenant=fabrikam.example`);
    expect(new URL(page.$('#consent-go').attr('href') as string).pathname).toBe('/fabrikam.example/v2.0/adminconsent');
    for (const bad of ['common', '<script>alert(1)</script>', 'fabrikam']) {
      const p = await b.get(`${stack.app.url}/admin/consent?tenant=${encodeURIComponent(bad)}`);
      expect(p.status).toBe(400);
      expect(p.body).not.toContain('<script>alert(1)</script>');
      expect(new URL(p.$('#consent-go').attr('href') as string).pathname).toBe('/organizations/v2.0/adminconsent');
    }
  });

  it('lets a global administrator grant consent for their tenant, after which its analysts can sign in', async () => {
    const jordanFirst = browser();
    const denied = await signIn(jordanFirst, stack.app.url, 'jordan@fabrikam.example');
    expect(denied.final.status).toBe(403);

    const casey = browser();
    const page = await casey.get(`${stack.app.url}/admin/consent?tenant=fabrikam.example`);
    const done = await consentAs(casey, page.$('#consent-go').attr('href') as string, 'casey@fabrikam.example');
    expect(done.status).toBe(200);
    expect(done.$('h1').text()).toBe('Consent granted');
    expect(done.$('#granted-tenant').text()).toBe(FABRIKAM_ID);
    expect(done.$('#granted-scopes li').map((_, el) => done.$(el).text()).get()).toEqual(expect.arrayContaining(['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All']));

    const jordan = browser();
    const ok = await signIn(jordan, stack.app.url, 'jordan@fabrikam.example', { returnTo: '/incidents' });
    expect(ok.final.status).toBe(200);
    expect(ok.final.$('#incidents tbody tr').length).toBeGreaterThan(0);
  });

  it('explains when a non-administrator tries to grant consent', async () => {
    const b = browser();
    const page = await b.get(`${stack.app.url}/admin/consent`);
    const done = await consentAs(b, page.$('#consent-go').attr('href') as string, 'alex@contoso.example');
    expect(done.status).toBe(403);
    expect(done.$('.problem h1').text()).toBe('Consent needs a global administrator');
  });

  it('explains a declined consent', async () => {
    const b = browser();
    const page = await b.get(`${stack.app.url}/admin/consent`);
    const done = await consentAs(b, page.$('#consent-go').attr('href') as string, 'morgan@contoso.example', 'cancel');
    expect(done.status).toBe(403);
    expect(done.$('.problem h1').text()).toBe('Consent was declined');
  });
});

describe('admin consent callback', () => {
  async function pendingState(b: TestBrowser): Promise<string> {
    const page = await b.get(`${stack.app.url}/admin/consent`);
    return new URL(page.$('#consent-go').attr('href') as string).searchParams.get('state') as string;
  }

  it('control 21: refuses a missing or wrong state, whatever else the response says', async () => {
    const b = browser();
    const state = await pendingState(b);
    for (const q of [`admin_consent=True&tenant=${FABRIKAM_ID}`, `admin_consent=True&tenant=${FABRIKAM_ID}&state=${state}x`]) {
      const page = await b.get(`${stack.app.url}/admin/consent/callback?${q}`);
      expect(page.status).toBe(400);
      expect(page.$('.problem h1').text()).toBe('This consent response cannot be confirmed');
    }
  });

  it('refuses a replayed success', async () => {
    const b = browser();
    const state = await pendingState(b);
    const url = `${stack.app.url}/admin/consent/callback?admin_consent=True&tenant=${FABRIKAM_ID}&scope=${encodeURIComponent('https://api.security.microsoft.com/Incident.Read')}&state=${state}`;
    expect((await b.get(url)).status).toBe(200);
    expect((await b.get(url)).status).toBe(400);
  });

  it.each([
    ['an error', 'error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent'],
    ['admin_consent=True with an error', 'admin_consent=True&error=consent_required&error_description=AADSTS65004%3A+The+admin+declined'],
  ])('explains %s in plain words without reflecting markup', async (_name, q) => {
    const b = browser();
    const state = await pendingState(b);
    const evil = encodeURIComponent(' <img src=x onerror=alert(1)>');
    const page = await b.get(`${stack.app.url}/admin/consent/callback?${q}${evil}&state=${state}`);
    expect(page.status).toBe(403);
    expect(page.$('.problem h1').text()).toBe('Consent was declined');
    expect(page.body).not.toContain('<img src=x');
    expect(page.$('.problem a[href="/admin/consent"]').length).toBeGreaterThan(0);
  });

  it('does not take `tenant` for anything but display, and refuses a malformed one', async () => {
    const b = browser();
    const state = await pendingState(b);
    const page = await b.get(`${stack.app.url}/admin/consent/callback?admin_consent=True&tenant=%3Cb%3Ex%3C%2Fb%3E&state=${state}`);
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('<b>x</b>');
  });
});
