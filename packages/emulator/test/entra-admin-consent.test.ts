import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import { TestBrowser, type Page } from '../src/testing/browser';
import { authorizeUrl, obtainCode, postToken, redirectParams, REDIRECT_URI, scope, signInAtEmulator } from './helpers/emulatorSignIn';
import { verifyToken } from './helpers/verifyToken';

const CALLBACK = 'http://localhost:3000/admin/consent/callback';
let emu: Emulator;
let browser: TestBrowser;

beforeAll(async () => {
  emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  browser = new TestBrowser(emu.caCertPem);
});
afterEach(async () => {
  await browser.close();
});

function adminConsentUrl(tenant: string, params: Record<string, string | undefined>, legacy = false): string {
  const url = new URL(`${emu.urls.browserBase}/${tenant}/${legacy ? '' : 'v2.0/'}adminconsent`);
  const all: Record<string, string | undefined> = { client_id: THREATDESK_CLIENT_ID, redirect_uri: CALLBACK, state: 'adm-state', ...params };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

function expectCallback(page: Page): URLSearchParams {
  expect(page.status).toBe(302);
  expect(page.location?.startsWith(`${CALLBACK}?`)).toBe(true);
  return redirectParams(page);
}

function expectErrorPage(page: Page, code: number) {
  expect(page.status).toBe(400);
  expect(page.location).toBeUndefined();
  expect(page.$('[data-code]').attr('data-code')).toBe(String(code));
}

describe('v2.0 admin consent', () => {
  it('lets a Fabrikam administrator consent; jordan can then sign in and get a token', async () => {
    // Before: user consent is off in Fabrikam and nothing is consented.
    const other = new TestBrowser();
    const before = await signInAtEmulator(other, authorizeUrl(emu, {}, FABRIKAM_ID), 'jordan@fabrikam.example');
    await other.close();
    expect(redirectParams(before).get('error')).toBe('consent_required');

    const picker = await browser.get(adminConsentUrl(FABRIKAM_ID, { scope: `${scope('Incident.Read')} ${scope('Incident.ReadWrite')}` }));
    expect(picker.$('body').attr('data-page')).toBe('signin');
    expect(picker.$('button[name="upn"]').length).toBe(2);
    const consent = await browser.submit(picker, 'button[value="casey@fabrikam.example"]');
    expect(consent.$('body').attr('data-page')).toBe('admin-consent');
    expect(consent.$('main').text()).toContain('Fabrikam');
    expect(consent.$(`li[data-scope="${scope('Incident.ReadWrite')}"]`).length).toBe(1);
    const q = expectCallback(await browser.submit(consent, 'button[value="accept"]'));
    expect(q.get('admin_consent')).toBe('True');
    expect(q.get('tenant')).toBe(FABRIKAM_ID);
    expect(q.get('scope')).toBe(`${scope('Incident.Read')} ${scope('Incident.ReadWrite')}`);
    expect(q.get('state')).toBe('adm-state');
    expect(await emu.control.consent.tenantScopes(FABRIKAM_ID)).toEqual([scope('Incident.Read'), scope('Incident.ReadWrite')]);

    const jordan = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(jordan, emu, 'jordan@fabrikam.example', {}, 'fabrikam.example');
    const reply = await postToken(jordan, emu, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
      scope: `openid profile offline_access ${scope('Incident.Read')}`,
    });
    await jordan.close();
    expect(reply.status).toBe(200);
    const claims = await verifyToken(emu, reply.json.access_token as string);
    expect(claims).toMatchObject({ tid: FABRIKAM_ID, upn: 'jordan@fabrikam.example', scp: 'Incident.Read Incident.ReadWrite' });
  });

  it('organizations consents for the signing-in administrator’s tenant; .default means every configured permission', async () => {
    const page = await signInAtEmulator(browser, adminConsentUrl('organizations', { scope: `${scope('.default')}` }), 'morgan@contoso.example');
    const q = expectCallback(page);
    expect(q.get('tenant')).toBe(CONTOSO_ID);
    expect(q.get('scope')).toBe(`${scope('Incident.Read')} ${scope('Incident.ReadWrite')} ${scope('AdvancedHunting.Read')}`);
    expect(await emu.control.consent.tenantScopes(CONTOSO_ID)).toContain(scope('AdvancedHunting.Read'));
  });

  it('Graph’s .default consents to the app’s Graph permissions only; both resources can be consented at once', async () => {
    expect(await emu.control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
    const graphDefault = expectCallback(
      await signInAtEmulator(browser, adminConsentUrl(FABRIKAM_ID, { scope: 'https://graph.microsoft.com/.default' }), 'casey@fabrikam.example'),
    );
    expect(graphDefault.get('admin_consent')).toBe('True');
    const graph = [
      'https://graph.microsoft.com/SecurityIncident.Read.All',
      'https://graph.microsoft.com/SecurityIncident.ReadWrite.All',
      'https://graph.microsoft.com/SecurityAlert.Read.All',
      'https://graph.microsoft.com/ThreatHunting.Read.All',
      'https://graph.microsoft.com/User.Read',
    ];
    expect(graphDefault.get('scope')).toBe(graph.join(' '));
    expect(await emu.control.consent.tenantScopes(FABRIKAM_ID)).toEqual([...graph].sort());

    expect(await emu.control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
    const both = expectCallback(
      await signInAtEmulator(
        browser,
        adminConsentUrl(FABRIKAM_ID, { scope: `https://graph.microsoft.com/SecurityIncident.Read.All ${scope('Incident.Read')}` }),
        'casey@fabrikam.example',
      ),
    );
    expect(both.get('scope')).toBe(`https://graph.microsoft.com/SecurityIncident.Read.All ${scope('Incident.Read')}`);
    expect(await emu.control.consent.tenantScopes(FABRIKAM_ID)).toEqual([scope('Incident.Read'), 'https://graph.microsoft.com/SecurityIncident.Read.All']);
    expect(await emu.control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
  });

  it('a decline returns admin_consent=True with error=consent_required and AADSTS65004, and grants nothing', async () => {
    expect(await emu.control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
    const page = await signInAtEmulator(browser, adminConsentUrl('fabrikam.example', { scope: scope('Incident.Read') }), 'casey@fabrikam.example', {
      consent: 'decline',
    });
    const q = expectCallback(page);
    expect(q.get('admin_consent')).toBe('True');
    expect(q.get('error')).toBe('consent_required');
    expect(q.get('error_description')).toMatch(/^AADSTS65004: /);
    expect(q.get('state')).toBe('adm-state');
    expect(await emu.control.consent.tenantScopes(FABRIKAM_ID)).toEqual([]);
  });

  it('Cancel on the sign-in page is a decline too', async () => {
    const picker = await browser.get(adminConsentUrl('fabrikam.example', { scope: scope('Incident.Read') }));
    const q = expectCallback(await browser.submit(picker, 'button[name="action"][value="cancel"]'));
    expect(q.get('error')).toBe('consent_required');
  });

  it('a non-administrator gets consent_required with AADSTS90094 and no consent page', async () => {
    const page = await signInAtEmulator(browser, adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read') }), 'alex@contoso.example');
    const q = expectCallback(page);
    expect(q.get('admin_consent')).toBe('True');
    expect(q.get('error')).toBe('consent_required');
    expect(q.get('error_description')).toMatch(/^AADSTS90094: /);
  });

  it('honours an administrator’s SSO session; a non-administrator’s session shows the picker with a notice', async () => {
    await signInAtEmulator(browser, authorizeUrl(emu, {}, CONTOSO_ID), 'alex@contoso.example');
    const picker = await browser.get(adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read') }));
    expect(picker.$('body').attr('data-page')).toBe('signin');
    expect(picker.$('.notice').text()).toContain('alex@contoso.example');
    const consent = await browser.submit(picker, 'button[value="morgan@contoso.example"]');
    expect(consent.$('body').attr('data-page')).toBe('admin-consent');
    expectCallback(await browser.submit(consent, 'button[value="accept"]'));

    // morgan is now the SSO user: straight to the consent page.
    const again = await browser.get(adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read') }));
    expect(again.$('body').attr('data-page')).toBe('admin-consent');
  });

  it('a missing scope is sent back as invalid_request AADSTS900144', async () => {
    const q = expectCallback(await browser.get(adminConsentUrl(CONTOSO_ID, {})));
    expect(q.get('error')).toBe('invalid_request');
    expect(q.get('error_description')).toMatch(/^AADSTS900144: /);
    expect(q.get('admin_consent')).toBe('True');
  });

  it('a scope of another resource is invalid_resource', async () => {
    const q = expectCallback(await browser.get(adminConsentUrl(CONTOSO_ID, { scope: 'https://management.azure.com/.default' })));
    expect(q.get('error')).toBe('invalid_resource');
  });

  it('refuses common, unknown tenants, unknown clients and unregistered redirect URIs on the error page', async () => {
    expectErrorPage(await browser.get(adminConsentUrl('common', { scope: scope('Incident.Read') })), 9002313);
    expectErrorPage(await browser.get(adminConsentUrl('nowhere.example', { scope: scope('Incident.Read') })), 90002);
    expectErrorPage(await browser.get(adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read'), client_id: '44444444-4444-4444-8444-444444444444' })), 700016);
    expectErrorPage(await browser.get(adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read'), redirect_uri: 'https://attacker.example/cb' })), 50011);
    expectErrorPage(await browser.get(adminConsentUrl(CONTOSO_ID, { scope: scope('Incident.Read'), redirect_uri: undefined })), 900144);
  });
});

describe('legacy /{tenant}/adminconsent', () => {
  it('grants every configured permission and answers ?tenant=&state=&admin_consent=True', async () => {
    expect(await emu.control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
    const q = expectCallback(await signInAtEmulator(browser, adminConsentUrl('fabrikam.example', {}, true), 'casey@fabrikam.example'));
    expect(q.get('tenant')).toBe(FABRIKAM_ID);
    expect(q.get('state')).toBe('adm-state');
    expect(q.get('admin_consent')).toBe('True');
    expect(q.has('scope')).toBe(false);
    expect(await emu.control.consent.tenantScopes(FABRIKAM_ID)).toEqual(
      [
        scope('AdvancedHunting.Read'),
        scope('Incident.Read'),
        scope('Incident.ReadWrite'),
        'https://graph.microsoft.com/SecurityAlert.Read.All',
        'https://graph.microsoft.com/SecurityIncident.Read.All',
        'https://graph.microsoft.com/SecurityIncident.ReadWrite.All',
        'https://graph.microsoft.com/ThreatHunting.Read.All',
        'https://graph.microsoft.com/User.Read',
      ],
    );
  });

  it('a decline is error=permission_denied, "The admin canceled the request"', async () => {
    const q = expectCallback(await signInAtEmulator(browser, adminConsentUrl('fabrikam.example', {}, true), 'casey@fabrikam.example', { consent: 'decline' }));
    expect(q.get('error')).toBe('permission_denied');
    expect(q.get('error_description')).toBe('The admin canceled the request');
    expect(q.has('admin_consent')).toBe(false);
    expect(q.get('state')).toBe('adm-state');
  });

  it('a non-administrator is permission_denied with AADSTS90094', async () => {
    const q = expectCallback(await signInAtEmulator(browser, adminConsentUrl('fabrikam.example', {}, true), 'jordan@fabrikam.example'));
    expect(q.get('error')).toBe('permission_denied');
    expect(q.get('error_description')).toMatch(/^AADSTS90094: /);
  });
});
