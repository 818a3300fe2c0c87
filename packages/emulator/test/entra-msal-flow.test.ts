import {
  ConfidentialClientApplication,
  CryptoProvider,
  InteractionRequiredAuthError,
  ServerError,
  type AuthenticationResult,
} from '@azure/msal-node';
import { Agent, fetch } from 'undici';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import { TestBrowser } from '../src/testing/browser';
import { redirectParams, REDIRECT_URI, scope, signInAtEmulator } from './helpers/emulatorSignIn';
import { verifyToken } from './helpers/verifyToken';
import { TestMsalNetwork } from './helpers/msalNetwork';

/*
 * A real, unmodified msal-node ConfidentialClientApplication against the emulator. What it needs:
 * - authority `${authorityHost}/<tenant>/` on https (msal throws authority_uri_insecure for http),
 * - knownAuthorities: ['localhost:<port>'] so msal neither calls Microsoft's instance discovery nor
 *   rejects the discovery document's issuer (validateIssuer accepts the authority's own origin),
 * - a system.networkClient that trusts the emulator's certificate.
 * msal then fetches `<authority>v2.0/.well-known/openid-configuration` and uses its endpoints as given,
 * including the plain-HTTP authorization endpoint.
 */

const READ = scope('Incident.Read');

async function makeClient(emu: Emulator, network: TestMsalNetwork, tenant: string): Promise<ConfidentialClientApplication> {
  const { clientId, clientSecret } = await emu.control.app.registration();
  expect(clientId).toBe(THREATDESK_CLIENT_ID);
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      authority: `${emu.urls.authorityHost}/${tenant}/`,
      clientSecret,
      knownAuthorities: [new URL(emu.urls.authorityHost).host],
    },
    system: { networkClient: network },
  });
}

/** getAuthCodeUrl → scripted sign-in → acquireTokenByCode, as the app will do it. */
async function signInWithMsal(emu: Emulator, cca: ConfidentialClientApplication, upn: string, tenant: string) {
  const crypto = new CryptoProvider();
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const state = crypto.createNewGuid();
  const nonce = crypto.createNewGuid();
  const url = await cca.getAuthCodeUrl({
    scopes: [READ],
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    state,
    nonce,
  });
  expect(url.startsWith(`${emu.urls.browserBase}/${tenant.toLowerCase()}/oauth2/v2.0/authorize?`)).toBe(true);
  const sent = new URL(url).searchParams;
  expect(sent.get('scope')?.split(' ').sort()).toEqual(['offline_access', 'openid', 'profile', READ].sort());
  expect(sent.get('client_info')).toBe('1');

  const browser = new TestBrowser(emu.caCertPem);
  const back = redirectParams(await signInAtEmulator(browser, url, upn));
  await browser.close();
  expect(back.get('state')).toBe(state);
  const code = back.get('code') ?? '';
  const result = await cca.acquireTokenByCode(
    { code, scopes: [READ], redirectUri: REDIRECT_URI, codeVerifier: verifier, state, nonce },
    { code, state: back.get('state') ?? undefined },
  );
  return { result, nonce };
}

async function callDefender(emu: Emulator, accessToken: string) {
  const agent = new Agent({ connect: { ca: emu.caCertPem } });
  try {
    const res = await fetch(`${emu.urls.defenderBase}/api/incidents?$top=5`, {
      headers: { authorization: `Bearer ${accessToken}` },
      dispatcher: agent,
    });
    return { status: res.status, body: (await res.json()) as { value?: unknown[] } };
  } finally {
    await agent.close();
  }
}

describe('msal-node ConfidentialClientApplication with the organizations authority', () => {
  let emu: Emulator;
  let network: TestMsalNetwork;
  let cca: ConfidentialClientApplication;
  let first: AuthenticationResult;
  let nonce: string;

  beforeAll(async () => {
    emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
    network = new TestMsalNetwork(emu.caCertPem);
    cca = await makeClient(emu, network, 'organizations');
    ({ result: first, nonce } = await signInWithMsal(emu, cca, 'alex@contoso.example', 'organizations'));
  });
  afterAll(async () => {
    await network.close();
    await emu.close();
  });

  it('signs in through authorize and acquireTokenByCode', async () => {
    const alex = await emu.control.users.get('alex@contoso.example');
    expect(first.account?.homeAccountId).toBe(`${alex?.oid}.${CONTOSO_ID}`);
    expect(first.account?.tenantId).toBe(CONTOSO_ID);
    expect(first.account?.username).toBe('alex@contoso.example');
    expect(first.account?.name).toBe('Alex Wilber');
    expect(first.idTokenClaims).toMatchObject({ nonce, tid: CONTOSO_ID });
    expect(first.fromCache).toBe(false);
    expect(first.scopes).toEqual(expect.arrayContaining([READ]));
    const claims = await verifyToken(emu, first.accessToken, { audience: 'https://api.security.microsoft.com' });
    expect(claims).toMatchObject({ upn: 'alex@contoso.example', tid: CONTOSO_ID, scp: 'Incident.Read Incident.ReadWrite' });
  });

  it('only ever talked to the emulator', () => {
    expect(network.calls.length).toBeGreaterThanOrEqual(2);
    for (const call of network.calls) expect(call.url.startsWith(`${emu.urls.authorityHost}/`)).toBe(true);
    expect(network.calls.map((c) => new URL(c.url).pathname)).toEqual(
      expect.arrayContaining(['/organizations/v2.0/.well-known/openid-configuration', '/organizations/oauth2/v2.0/token']),
    );
  });

  it('answers acquireTokenSilent from its cache', async () => {
    const account = first.account;
    if (!account) throw new Error('no account');
    const before = (await emu.control.stats.grants()).refresh_token;
    const cached = await cca.acquireTokenSilent({ account, scopes: [READ] });
    expect(cached.fromCache).toBe(true);
    expect(cached.accessToken).toBe(first.accessToken);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before);
  });

  it('refreshes on forceRefresh and calls the Defender API with the new token', async () => {
    const account = first.account;
    if (!account) throw new Error('no account');
    const before = (await emu.control.stats.grants()).refresh_token;
    const refreshed = await cca.acquireTokenSilent({ account, scopes: [READ], forceRefresh: true });
    expect(refreshed.fromCache).toBe(false);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.account?.homeAccountId).toBe(account.homeAccountId);

    // Depends on the Defender half (src/defender).
    const { status, body } = await callDefender(emu, refreshed.accessToken);
    expect(status).toBe(200);
    expect(Array.isArray(body.value)).toBe(true);
  });

  it('raises InteractionRequiredAuthError for an unconsented permission (AADSTS65001)', async () => {
    const account = first.account;
    if (!account) throw new Error('no account');
    const err = await cca.acquireTokenSilent({ account, scopes: [scope('AdvancedHunting.Read')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionRequiredAuthError);
    expect((err as InteractionRequiredAuthError).subError).toBe('consent_required');
  });

  it('raises a plain ServerError (not interaction-required) for a revoked refresh token (AADSTS700082)', async () => {
    const account = first.account;
    if (!account) throw new Error('no account');
    expect(await emu.control.users.revokeRefreshTokens('alex@contoso.example')).toBeGreaterThan(0);
    const err = await cca.acquireTokenSilent({ account, scopes: [READ], forceRefresh: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).not.toBeInstanceOf(InteractionRequiredAuthError);
    expect((err as ServerError).errorCode).toBe('invalid_grant');
    expect(String((err as ServerError).errorNo)).toBe('700082');
  });
});

describe('msal-node with a tenant-id authority and a short access-token lifetime', () => {
  let emu: Emulator;
  let network: TestMsalNetwork;

  beforeAll(async () => {
    // msal treats an access token as expired 300 s before its exp (whole seconds, strictly greater),
    // so a 301 s token is stale for msal within two seconds.
    emu = await startEmulator({ httpsPort: 0, httpPort: 0, accessTokenLifetimeSec: 301 });
    network = new TestMsalNetwork(emu.caCertPem);
  });
  afterAll(async () => {
    await network.close();
    await emu.close();
  });

  it('refreshes an expired access token inside acquireTokenSilent', async () => {
    const cca = await makeClient(emu, network, CONTOSO_ID);
    const { result } = await signInWithMsal(emu, cca, 'riley@contoso.example', CONTOSO_ID);
    const account = result.account;
    if (!account) throw new Error('no account');
    expect(account.homeAccountId).toBe(`${(await emu.control.users.get('riley@contoso.example'))?.oid}.${CONTOSO_ID}`);
    expect(network.calls.some((c) => c.url.startsWith(`${emu.urls.authorityHost}/${CONTOSO_ID}/oauth2/v2.0/token`))).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const before = (await emu.control.stats.grants()).refresh_token;
    const refreshed = await cca.acquireTokenSilent({ account, scopes: [READ] });
    expect(refreshed.fromCache).toBe(false);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);
    expect(refreshed.accessToken).not.toBe(result.accessToken);

    const { status, body } = await callDefender(emu, refreshed.accessToken);
    expect(status).toBe(200);
    expect(Array.isArray(body.value)).toBe(true);
  });
});

describe('msal-node with the discovery document passed as authorityMetadata (as the app does) and a domain authority', () => {
  let emu: Emulator;
  let network: TestMsalNetwork;

  beforeAll(async () => {
    emu = await startEmulator({ httpsPort: 0, httpPort: 0 });
    network = new TestMsalNetwork(emu.caCertPem);
  });
  afterAll(async () => {
    await network.close();
    await emu.close();
  });

  it('needs no discovery call and keeps the domain in the endpoints it uses', async () => {
    const discovery = await network.sendGetRequestAsync<Record<string, unknown>>(
      `${emu.urls.authorityHost}/contoso.example/v2.0/.well-known/openid-configuration`,
    );
    network.calls.length = 0;
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: THREATDESK_CLIENT_ID,
        authority: `${emu.urls.authorityHost}/contoso.example/`,
        clientSecret: (await emu.control.app.registration()).clientSecret,
        knownAuthorities: [new URL(emu.urls.authorityHost).host],
        authorityMetadata: JSON.stringify(discovery.body),
      },
      system: { networkClient: network },
    });
    const { result } = await signInWithMsal(emu, cca, 'sam@contoso.example', 'contoso.example');
    expect(result.tenantId).toBe(CONTOSO_ID);
    expect(network.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual(['POST /contoso.example/oauth2/v2.0/token']);
  });
});
