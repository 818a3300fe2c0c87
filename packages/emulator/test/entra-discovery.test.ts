import { createPublicKey, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, DEFENDER_RESOURCE } from '../src/directory';
import { TestBrowser } from '../src/testing/browser';
import { obtainCode, postToken } from './helpers/emulatorSignIn';

let emu: Emulator;
let browser: TestBrowser;

beforeAll(async () => {
  emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
  browser = new TestBrowser(emu.caCertPem);
});
afterAll(async () => {
  await browser.close();
  await emu.close();
});
afterEach(() => emu.control.faults.clear());

const discoveryUrl = (tenant: string) => `${emu.urls.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`;

async function discovery(tenant: string) {
  const page = await browser.get(discoveryUrl(tenant));
  return { status: page.status, headers: page.headers, body: page.body, json: JSON.parse(page.body) as Record<string, unknown> };
}

describe('GET /{tenant}/v2.0/.well-known/openid-configuration', () => {
  it('serves organizations with a literal {tenantid} issuer, browser endpoints on plain HTTP and the rest on HTTPS', async () => {
    const { status, json } = await discovery('organizations');
    expect(status).toBe(200);
    const { authorityHost, browserBase } = emu.urls;
    expect(authorityHost).toMatch(/^https:\/\/localhost:\d+$/);
    expect(browserBase).toMatch(/^http:\/\/localhost:\d+$/);
    expect(json).toMatchObject({
      issuer: `${authorityHost}/{tenantid}/v2.0`,
      authorization_endpoint: `${browserBase}/organizations/oauth2/v2.0/authorize`,
      end_session_endpoint: `${browserBase}/organizations/oauth2/v2.0/logout`,
      token_endpoint: `${authorityHost}/organizations/oauth2/v2.0/token`,
      jwks_uri: `${authorityHost}/organizations/discovery/v2.0/keys`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      request_uri_parameter_supported: false,
      http_logout_supported: true,
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
    });
    expect(json.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'name', 'tid', 'ver']));
  });

  it.each([
    ['tenant id', CONTOSO_ID],
    ['verified domain', 'contoso.example'],
    ['domain in other case', 'Contoso.Example'],
  ])('serves a tenant by %s with the tenant GUID in issuer and endpoints', async (_label, segment) => {
    const { status, json } = await discovery(segment);
    expect(status).toBe(200);
    expect(json.issuer).toBe(`${emu.urls.authorityHost}/${CONTOSO_ID}/v2.0`);
    expect(json.authorization_endpoint).toBe(`${emu.urls.browserBase}/${CONTOSO_ID}/oauth2/v2.0/authorize`);
    expect(json.token_endpoint).toBe(`${emu.urls.authorityHost}/${CONTOSO_ID}/oauth2/v2.0/token`);
    expect(json.jwks_uri).toBe(`${emu.urls.authorityHost}/${CONTOSO_ID}/discovery/v2.0/keys`);
  });

  it.each(['unknown.example', 'common', 'consumers', '99999999-9999-4999-8999-999999999999'])(
    'answers %s with 400 invalid_tenant AADSTS90002 in the token-error shape',
    async (segment) => {
      const { status, json } = await discovery(segment);
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
      expect(json.error_description).toMatch(new RegExp(`^AADSTS90002: Tenant '${segment}' not found`));
      expect(json.error_description).toMatch(/\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      expect(json.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    },
  );

  it('is only served over the HTTPS listener', async () => {
    const page = await browser.get(`${emu.urls.browserBase}/organizations/v2.0/.well-known/openid-configuration`);
    expect(page.status).toBe(404);
  });

  describe('faults', () => {
    it('answers 503 with Retry-After, then recovers', async () => {
      await emu.control.faults.add({ endpoint: 'discovery', kind: '503', retryAfter: 7 });
      const failed = await discovery('organizations');
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('7');
      expect(failed.json).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90033] });
      expect((await discovery('organizations')).status).toBe(200);
    });

    it.each([
      ['429', 429],
      ['500', 500],
    ] as const)('answers %s', async (kind, status) => {
      await emu.control.faults.add({ endpoint: 'discovery', kind, retryAfter: 3 });
      const failed = await discovery('organizations');
      expect(failed.status).toBe(status);
      expect(failed.headers.get('retry-after')).toBe(kind === '429' ? '3' : null);
    });

    it('answers a truncated JSON body with status 200', async () => {
      await emu.control.faults.add({ endpoint: 'discovery', kind: 'truncated' });
      const page = await browser.get(discoveryUrl('organizations'));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^application\/json/);
      expect(page.body.startsWith('{"token_endpoint"')).toBe(true);
      expect(() => JSON.parse(page.body)).toThrow();
    });

    it('answers an HTML page instead of JSON', async () => {
      await emu.control.faults.add({ endpoint: 'discovery', kind: 'non-json' });
      const page = await browser.get(discoveryUrl('organizations'));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('delays and then answers normally', async () => {
      await emu.control.faults.add({ endpoint: 'discovery', kind: 'delay', delayMs: 300 });
      const started = Date.now();
      const { status } = await discovery('organizations');
      expect(status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });
  });
});

describe('GET /{tenant}/discovery/v2.0/keys', () => {
  it('publishes the RS256 key that verifies issued tokens', async () => {
    const page = await browser.get(`${emu.urls.authorityHost}/organizations/discovery/v2.0/keys`);
    expect(page.status).toBe(200);
    const { keys } = JSON.parse(page.body) as { keys: (JsonWebKey & { kid: string; use: string; alg: string })[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });

    const { code, verifier } = await obtainCode(browser, emu, 'alex@contoso.example');
    const reply = await postToken(browser, emu, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: 'http://localhost:3000/auth/redirect',
      scope: `openid profile offline_access ${DEFENDER_RESOURCE}/Incident.Read`,
    });
    expect(reply.status).toBe(200);
    for (const token of [reply.json.access_token, reply.json.id_token] as string[]) {
      const header = jwt.decode(token, { complete: true })?.header;
      const jwk = keys.find((k) => k.kid === header?.kid);
      expect(jwk).toBeDefined();
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      expect(() => jwt.verify(token, key, { algorithms: ['RS256'] })).not.toThrow();
    }
  });

  it('refuses an unknown tenant', async () => {
    const page = await browser.get(`${emu.urls.authorityHost}/nowhere.example/discovery/v2.0/keys`);
    expect(page.status).toBe(400);
    expect(JSON.parse(page.body)).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });
});
