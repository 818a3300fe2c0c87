import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, DEFENDER_RESOURCE, FABRIKAM_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import { TestBrowser } from '../src/testing/browser';
import { jwtPayload, obtainCode, postToken, REDIRECT_URI, scope, type TokenReply } from './helpers/emulatorSignIn';
import { verifyToken } from './helpers/verifyToken';

const LIFETIME = 1800;
const REFRESH_LIFETIME = 90 * 24 * 3600;
let emu: Emulator;
let browser: TestBrowser;

beforeAll(async () => {
  emu = await startEmulator({ httpsPort: 0, httpPort: 0, accessTokenLifetimeSec: LIFETIME, refreshTokenLifetimeSec: REFRESH_LIFETIME });
  browser = new TestBrowser(emu.caCertPem);
});
afterAll(async () => {
  await browser.close();
  await emu.close();
});
afterEach(async () => {
  await emu.control.faults.clear();
  // Back to real time after a test moved the clock.
  await emu.control.clock.set(Date.now());
});

const FULL_SCOPE = `openid profile offline_access ${scope('Incident.Read')}`;

function expectTokenError(reply: TokenReply, status: number, error: string, code: number) {
  expect(reply.status).toBe(status);
  expect(reply.json.error).toBe(error);
  expect(reply.json.error_codes).toEqual([code]);
  expect(reply.json.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(reply.json.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  expect(reply.json.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(reply.json.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(reply.headers.get('cache-control')).toBe('no-store');
}

/** A fresh browser signs `upn` in and redeems the code with `form` overrides. */
async function signInAndRedeem(upn: string, authorize: Record<string, string | undefined> = {}, form: Record<string, string | undefined> = {}) {
  const b = new TestBrowser(emu.caCertPem);
  try {
    const { code, verifier } = await obtainCode(b, emu, upn, authorize);
    return await postToken(browser, emu, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: FULL_SCOPE, ...form });
  } finally {
    await b.close();
  }
}

describe('authorization_code grant: success', () => {
  let reply: TokenReply;
  const nonce = 'n-0S6_WzA2Mj';

  beforeAll(async () => {
    reply = await signInAndRedeem('alex@contoso.example', { nonce }, { client_info: '1' });
  });

  it('answers the documented fields', async () => {
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.json).toMatchObject({ token_type: 'Bearer', expires_in: LIFETIME, ext_expires_in: LIFETIME });
    expect(typeof reply.json.access_token).toBe('string');
    expect(typeof reply.json.refresh_token).toBe('string');
    expect(typeof reply.json.id_token).toBe('string');
    // Every Defender permission the user holds, as full URIs (Contoso consented Read and ReadWrite).
    expect(reply.json.scope).toBe(`${scope('Incident.Read')} ${scope('Incident.ReadWrite')}`);
    const alex = await emu.control.users.get('alex@contoso.example');
    expect(JSON.parse(Buffer.from(reply.json.client_info as string, 'base64url').toString())).toEqual({ uid: alex?.oid, utid: CONTOSO_ID });
  });

  it('issues a v1-style Defender access token signed by the emulator key', async () => {
    const claims = await verifyToken(emu, reply.json.access_token as string, {
      audience: DEFENDER_RESOURCE,
      issuer: `https://sts.windows.net/${CONTOSO_ID}/`,
    });
    const alex = await emu.control.users.get('alex@contoso.example');
    expect(claims).toMatchObject({
      aud: 'https://api.security.microsoft.com',
      iss: `https://sts.windows.net/${CONTOSO_ID}/`,
      scp: 'Incident.Read Incident.ReadWrite',
      oid: alex?.oid,
      tid: CONTOSO_ID,
      upn: 'alex@contoso.example',
      unique_name: 'alex@contoso.example',
      name: 'Alex Wilber',
      appid: THREATDESK_CLIENT_ID,
      appidacr: '1',
      ver: '1.0',
    });
    expect(claims.exp! - claims.iat!).toBe(LIFETIME);
    expect(claims.nbf).toBe(claims.iat);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(typeof claims.uti).toBe('string');
  });

  it('issues a v2.0 id_token with the nonce that was sent', async () => {
    const claims = await verifyToken(emu, reply.json.id_token as string, {
      audience: THREATDESK_CLIENT_ID,
      issuer: `${emu.urls.authorityHost}/${CONTOSO_ID}/v2.0`,
    });
    const alex = await emu.control.users.get('alex@contoso.example');
    expect(claims).toMatchObject({
      aud: THREATDESK_CLIENT_ID,
      oid: alex?.oid,
      tid: CONTOSO_ID,
      name: 'Alex Wilber',
      preferred_username: 'alex@contoso.example',
      nonce,
      ver: '2.0',
    });
    expect(typeof claims.sub).toBe('string');
    expect(claims.sub).not.toBe(alex?.oid);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('remembers everything it issued, for leak tests', async () => {
    const issued = await emu.control.tokens.issuedSecrets();
    for (const k of ['access_token', 'refresh_token', 'id_token'] as const) expect(issued).toContain(reply.json[k]);
  });

  it('counts the grant', async () => {
    const before = (await emu.control.stats.grants()).authorization_code;
    await signInAndRedeem('sam@contoso.example');
    expect((await emu.control.stats.grants()).authorization_code).toBe(before + 1);
  });
});

describe('authorization_code grant: what is included', () => {
  it('leaves nonce out of the id_token when the authorize request had none', async () => {
    const reply = await signInAndRedeem('alex@contoso.example');
    expect(reply.status).toBe(200);
    expect(jwtPayload(reply.json.id_token)).not.toHaveProperty('nonce');
  });

  it('issues no id_token without openid and no refresh token without offline_access', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', { scope: scope('Incident.Read') }, { scope: scope('Incident.Read') });
    expect(reply.status).toBe(200);
    expect(reply.json.access_token).toBeTruthy();
    expect(reply.json).not.toHaveProperty('id_token');
    expect(reply.json).not.toHaveProperty('refresh_token');
    expect(reply.json).not.toHaveProperty('client_info');
  });

  it('falls back to the authorize scopes when the token request has none', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', {}, { scope: undefined });
    expect(reply.status).toBe(200);
    expect(reply.json.id_token).toBeTruthy();
    expect(jwtPayload(reply.json.access_token).scp).toBe('Incident.Read Incident.ReadWrite');
  });

  it('echoes .default in scope so a .default cache lookup hits', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', {}, { scope: `openid offline_access ${scope('.default')}` });
    expect(reply.status).toBe(200);
    expect(reply.json.scope).toBe(`${scope('Incident.Read')} ${scope('Incident.ReadWrite')} ${scope('.default')}`);
  });

  it('issues a Graph-audience token when only OIDC scopes are asked for', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', { scope: 'openid profile' }, { scope: 'openid profile offline_access' });
    expect(reply.status).toBe(200);
    expect(jwtPayload(reply.json.access_token).aud).toBe('00000003-0000-0000-c000-000000000000');
    expect(reply.json.scope).toBe('openid profile');
  });

  it('accepts the client secret by HTTP Basic and ignores msal’s query and form extras', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(b, emu, 'alex@contoso.example');
    await b.close();
    const { clientSecret } = await emu.control.app.registration();
    const basic = Buffer.from(`${THREATDESK_CLIENT_ID}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const reply = await postToken(
      browser,
      emu,
      {
        client_secret: undefined,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
        scope: FULL_SCOPE,
        'x-client-SKU': 'msal.js.node',
        'x-client-VER': '7.2.3',
        'x-ms-lib-capability': 'retry-after, h429',
        'x-client-current-telemetry': '5|771,0,,,|,',
      },
      { headers: { authorization: `Basic ${basic}` }, query: '?client-request-id=11111111-2222-4333-8444-555555555555' },
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get('client-request-id')).toBe('11111111-2222-4333-8444-555555555555');
  });
});

describe('authorization_code grant: errors', () => {
  it('a wrong client secret is 401 invalid_client AADSTS7000215', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', {}, { client_secret: 'wrong' });
    expectTokenError(reply, 401, 'invalid_client', 7000215);
  });

  it('echoes client-request-id as the correlation id of an error', async () => {
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code: 'x', client_secret: 'wrong' }, { query: '?client-request-id=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' });
    expect(reply.json.correlation_id).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(reply.json.error_description).toContain('Correlation ID: aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
  });

  it('a missing secret is 401 invalid_client AADSTS7000218', async () => {
    expectTokenError(await postToken(browser, emu, { grant_type: 'authorization_code', code: 'x', client_secret: undefined }), 401, 'invalid_client', 7000218);
  });

  it('a client assertion is refused (no certificate is registered)', async () => {
    const reply = await postToken(browser, emu, {
      grant_type: 'authorization_code',
      code: 'x',
      client_secret: undefined,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'a.b.c',
    });
    expectTokenError(reply, 401, 'invalid_client', 700027);
  });

  it('two client authentication methods at once are invalid_request', async () => {
    const basic = Buffer.from(`${THREATDESK_CLIENT_ID}:x`).toString('base64');
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code: 'x' }, { headers: { authorization: `Basic ${basic}` } });
    expectTokenError(reply, 400, 'invalid_request', 9002313);
  });

  it('an unknown client_id is unauthorized_client AADSTS700016', async () => {
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code: 'x', client_id: '44444444-4444-4444-8444-444444444444' });
    expectTokenError(reply, 400, 'unauthorized_client', 700016);
  });

  it('an unknown tenant is AADSTS90002', async () => {
    expectTokenError(await postToken(browser, emu, { grant_type: 'authorization_code', code: 'x' }, { tenant: 'nowhere.example' }), 400, 'invalid_tenant', 90002);
  });

  it('a wrong PKCE verifier is invalid_grant AADSTS501481; so is a missing one', async () => {
    const wrong = await signInAndRedeem('alex@contoso.example', {}, { code_verifier: 'A'.repeat(43) });
    expectTokenError(wrong, 400, 'invalid_grant', 501481);
    const missing = await signInAndRedeem('alex@contoso.example', {}, { code_verifier: undefined });
    expectTokenError(missing, 400, 'invalid_grant', 501481);
  });

  it('a verifier for a code issued without a challenge is invalid_grant AADSTS501481', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code } = await obtainCode(b, emu, 'alex@contoso.example', { code_challenge: undefined });
    await b.close();
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: 'B'.repeat(43) });
    expectTokenError(reply, 400, 'invalid_grant', 501481);
  });

  it('a code redeemed twice is invalid_grant AADSTS54005', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(b, emu, 'alex@contoso.example');
    await b.close();
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: FULL_SCOPE };
    expect((await postToken(browser, emu, form)).status).toBe(200);
    const again = await postToken(browser, emu, form);
    expectTokenError(again, 400, 'invalid_grant', 54005);
    expect(again.json.error_description).toContain('OAuth2 Authorization code was already redeemed');
  });

  it('a code older than 10 minutes is invalid_grant AADSTS70008', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(b, emu, 'alex@contoso.example');
    await b.close();
    await emu.control.clock.advance(10 * 60 * 1000 + 1000);
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: FULL_SCOPE });
    expectTokenError(reply, 400, 'invalid_grant', 70008);
  });

  it('a code just under 10 minutes old still works', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(b, emu, 'alex@contoso.example');
    await b.close();
    await emu.control.clock.advance(9 * 60 * 1000);
    const reply = await postToken(browser, emu, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: FULL_SCOPE });
    expect(reply.status).toBe(200);
  });

  it('an unknown code is invalid_grant AADSTS70000', async () => {
    expectTokenError(await postToken(browser, emu, { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT_URI }), 400, 'invalid_grant', 70000);
  });

  it('a different redirect_uri than on authorize is invalid_grant AADSTS50011', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', {}, { redirect_uri: 'http://localhost:3000/admin/consent/callback' });
    expectTokenError(reply, 400, 'invalid_grant', 50011);
  });

  it('a code redeemed at another tenant’s endpoint is invalid_grant AADSTS700005', async () => {
    const b = new TestBrowser(emu.caCertPem);
    const { code, verifier } = await obtainCode(b, emu, 'alex@contoso.example');
    await b.close();
    const reply = await postToken(
      browser,
      emu,
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: FULL_SCOPE },
      { tenant: FABRIKAM_ID },
    );
    expectTokenError(reply, 400, 'invalid_grant', 700005);
  });

  it('asking the token endpoint for an unconsented permission is invalid_grant AADSTS65001 with suberror consent_required', async () => {
    const reply = await signInAndRedeem('alex@contoso.example', {}, { scope: `openid offline_access ${scope('AdvancedHunting.Read')}` });
    expectTokenError(reply, 400, 'invalid_grant', 65001);
    expect(reply.json.suberror).toBe('consent_required');
  });

  it('another resource is invalid_resource AADSTS500011; an unknown permission is invalid_scope AADSTS70011', async () => {
    const other = await signInAndRedeem('alex@contoso.example', {}, { scope: 'openid https://management.azure.com/user_impersonation' });
    expectTokenError(other, 400, 'invalid_resource', 500011);
    const lookalike = await signInAndRedeem('alex@contoso.example', {}, { scope: 'openid https://api.securitycenter.microsoft.com/Machine.Read' });
    expectTokenError(lookalike, 400, 'invalid_resource', 500011);
    const graphUnknown = await signInAndRedeem('alex@contoso.example', {}, { scope: 'openid https://graph.microsoft.com/Mail.Send' });
    expectTokenError(graphUnknown, 400, 'invalid_scope', 70011);
    const unknown = await signInAndRedeem('alex@contoso.example', {}, { scope: `openid ${DEFENDER_RESOURCE}/Machine.Isolate` });
    expectTokenError(unknown, 400, 'invalid_scope', 70011);
  });

  it('an unsupported grant type is unsupported_grant_type AADSTS70003', async () => {
    for (const grant of ['client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code']) {
      expectTokenError(await postToken(browser, emu, { grant_type: grant }), 400, 'unsupported_grant_type', 70003);
    }
  });

  it('a missing grant_type or code is invalid_request AADSTS900144', async () => {
    expectTokenError(await postToken(browser, emu, { code: 'x' }), 400, 'invalid_request', 900144);
    expectTokenError(await postToken(browser, emu, { grant_type: 'authorization_code' }), 400, 'invalid_request', 900144);
  });

  it('a body that is not a valid form is invalid_request in Entra’s JSON shape', async () => {
    const page = await browser.request(`${emu.urls.authorityHost}/organizations/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-x' },
    });
    expect(page.status).toBe(400);
    expect(JSON.parse(page.body)).toMatchObject({ error: 'invalid_request', error_codes: [9002313] });
  });

  it('GET on the token endpoint is AADSTS900561', async () => {
    const page = await browser.get(`${emu.urls.authorityHost}/organizations/oauth2/v2.0/token`);
    expect(page.status).toBe(400);
    expect(JSON.parse(page.body)).toMatchObject({ error: 'invalid_request', error_codes: [900561] });
  });
});

describe('refresh_token grant', () => {
  async function firstTokens(upn = 'riley@contoso.example') {
    const reply = await signInAndRedeem(upn);
    expect(reply.status).toBe(200);
    return reply.json;
  }
  const refresh = (refreshToken: unknown, extra: Record<string, string | undefined> = {}, tenant?: string) =>
    postToken(browser, emu, { grant_type: 'refresh_token', refresh_token: refreshToken as string, scope: FULL_SCOPE, client_info: '1', ...extra }, { tenant });

  it('returns a new access token and a new refresh token; the old one stays valid', async () => {
    const first = await firstTokens();
    const before = (await emu.control.stats.grants()).refresh_token;
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);
    expect(second.json.refresh_token).toBeTruthy();
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(jwtPayload(second.json.access_token).uti).not.toBe(jwtPayload(first.access_token).uti);
    expect(second.json.client_info).toBeTruthy();
    // No nonce on refresh: the id_token comes without one.
    expect(jwtPayload(second.json.id_token)).not.toHaveProperty('nonce');
    expect((await refresh(first.refresh_token)).status).toBe(200);
    expect((await refresh(second.json.refresh_token)).status).toBe(200);
  });

  it('works without scope (the original grant’s scopes) and at the user’s own tenant endpoint', async () => {
    const first = await firstTokens();
    const reply = await refresh(first.refresh_token, { scope: undefined }, CONTOSO_ID);
    expect(reply.status).toBe(200);
    expect(jwtPayload(reply.json.access_token).scp).toBe('Incident.Read Incident.ReadWrite');
  });

  it('refuses another tenant’s endpoint with AADSTS700005', async () => {
    const first = await firstTokens();
    expectTokenError(await refresh(first.refresh_token, {}, 'fabrikam.example'), 400, 'invalid_grant', 700005);
  });

  it('asking for an unconsented permission on refresh is AADSTS65001 consent_required', async () => {
    const first = await firstTokens();
    const reply = await refresh(first.refresh_token, { scope: `openid offline_access ${scope('AdvancedHunting.Read')}` });
    expectTokenError(reply, 400, 'invalid_grant', 65001);
    expect(reply.json.suberror).toBe('consent_required');
  });

  it('follows consent changes: a withdrawn admin consent fails the next refresh with AADSTS65001', async () => {
    const first = await firstTokens();
    const seeded = await emu.control.consent.tenantScopes(CONTOSO_ID);
    expect(await emu.control.consent.revokeAdmin(CONTOSO_ID, ['Incident.Read'])).toEqual(seeded.filter((s) => s !== scope('Incident.Read')));
    try {
      expectTokenError(await refresh(first.refresh_token), 400, 'invalid_grant', 65001);
    } finally {
      expect(await emu.control.consent.grantAdmin(CONTOSO_ID, ['Incident.Read'])).toEqual(seeded);
    }
  });

  it('revoked refresh tokens fail with invalid_grant AADSTS700082 (as a plain error, not interaction-required)', async () => {
    const first = await firstTokens('sam@contoso.example');
    const second = await refresh(first.refresh_token);
    expect(await emu.control.users.revokeRefreshTokens('sam@contoso.example')).toBeGreaterThanOrEqual(2);
    for (const token of [first.refresh_token, second.json.refresh_token]) {
      const reply = await refresh(token);
      expectTokenError(reply, 400, 'invalid_grant', 700082);
      expect(reply.json).not.toHaveProperty('suberror');
      expect(String(reply.json.error_description)).not.toMatch(/interaction_required|consent_required|login_required|bad_token/);
    }
    // A fresh sign-in gets working tokens again.
    expect((await refresh((await firstTokens('sam@contoso.example')).refresh_token)).status).toBe(200);
  });

  it('the control endpoint revokes too', async () => {
    const first = await firstTokens('pat@contoso.example');
    const res = await browser.post(`${emu.urls.browserBase}/_emulator/users/pat@contoso.example/revoke`, {});
    expect(JSON.parse(res.body)).toEqual({ revoked: 1 });
    expectTokenError(await refresh(first.refresh_token), 400, 'invalid_grant', 700082);
  });

  it('expired refresh tokens fail with AADSTS700082', async () => {
    const first = await firstTokens();
    await emu.control.clock.advance((REFRESH_LIFETIME + 60) * 1000);
    expectTokenError(await refresh(first.refresh_token), 400, 'invalid_grant', 700082);
  });

  it('unknown refresh tokens fail with AADSTS700082', async () => {
    expectTokenError(await refresh('not-a-real-token'), 400, 'invalid_grant', 700082);
  });
});

describe('token faults', () => {
  const grant = () => postToken(browser, emu, { grant_type: 'refresh_token', refresh_token: 'x', scope: FULL_SCOPE });

  it('429 carries Retry-After and a JSON error body, and is not counted as a grant', async () => {
    const before = (await emu.control.stats.grants()).refresh_token;
    await emu.control.faults.add({ endpoint: 'token', kind: '429', retryAfter: 12 });
    const reply = await grant();
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('12');
    expect(reply.json).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await emu.control.stats.grants()).refresh_token).toBe(before);
    expect((await grant()).status).toBe(400);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);
  });

  it.each([
    ['500', 500, 'server_error'],
    ['503', 503, 'temporarily_unavailable'],
    ['401', 401, 'invalid_client'],
  ] as const)('%s', async (kind, status, error) => {
    await emu.control.faults.add({ endpoint: 'token', kind, retryAfter: 4 });
    const reply = await grant();
    expect(reply.status).toBe(status);
    expect(reply.json.error).toBe(error);
    expect(reply.headers.get('retry-after')).toBe(kind === '503' ? '4' : null);
  });

  it('truncated: 200 application/json that does not parse', async () => {
    await emu.control.faults.add({ endpoint: 'token', kind: 'truncated' });
    const reply = await grant();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.text.startsWith('{"token_type":"Bearer"')).toBe(true);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('non-json: 200 text/html', async () => {
    await emu.control.faults.add({ endpoint: 'token', kind: 'non-json' });
    const reply = await grant();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('delay: waits, then answers normally', async () => {
    await emu.control.faults.add({ endpoint: 'token', kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const reply = await grant();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expectTokenError(reply, 400, 'invalid_grant', 700082);
  });
});
