import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfidentialClientApplication, CryptoProvider, InteractionRequiredAuthError } from '@azure/msal-node';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import { TestBrowser } from '../src/testing/browser';
import { DefenderCaller } from '../src/testing/defenderTokens';
import { GraphCaller } from '../src/testing/graph';
import { authorizeUrl, jwtPayload, obtainCode, postToken, redirectParams, REDIRECT_URI, scope, signInAtEmulator, type TokenReply } from './helpers/emulatorSignIn';
import { TestMsalNetwork } from './helpers/msalNetwork';
import { verifyToken } from './helpers/verifyToken';

const GRAPH = 'https://graph.microsoft.com';
const G = (name: string) => `${GRAPH}/${name}`;
const CONTOSO_GRAPH = [G('SecurityIncident.Read.All'), G('SecurityIncident.ReadWrite.All'), G('ThreatHunting.Read.All')];

let emu: Emulator;
let graph: GraphCaller;
let defender: DefenderCaller;
const browsers: TestBrowser[] = [];
const browser = () => {
  const b = new TestBrowser(emu.caCertPem);
  browsers.push(b);
  return b;
};

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 10_000, list: 10_000 } });
  graph = new GraphCaller(emu);
  defender = new DefenderCaller(emu);
});
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await graph.close();
  await defender.close();
  await emu.close();
});

/** Signs `upn` in through the pages with `authorizeScope` and redeems the code asking for `tokenScope`. */
async function signIn(upn: string, authorizeScope: string, tokenScope: string | undefined = authorizeScope, tenant = 'organizations'): Promise<TokenReply> {
  const b = browser();
  const { code, verifier } = await obtainCode(b, emu, upn, { scope: authorizeScope }, tenant);
  return postToken(b, emu, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, scope: tokenScope }, { tenant });
}

const refresh = (refreshToken: unknown, scopeValue: string | undefined) =>
  postToken(browser(), emu, { grant_type: 'refresh_token', refresh_token: refreshToken as string, scope: scopeValue });

function expectTokenError(reply: TokenReply, error: string, code: number): void {
  expect(reply.status).toBe(400);
  expect(reply.json.error).toBe(error);
  expect(reply.json.error_codes).toEqual([code]);
}

describe('Entra issues Microsoft Graph tokens', () => {
  it('for Graph scopes: aud https://graph.microsoft.com, v1 claims, every consented Graph permission in scp, full URIs in scope', async () => {
    const reply = await signIn('alex@contoso.example', `openid profile offline_access ${G('SecurityIncident.Read.All')}`);
    expect(reply.status).toBe(200);
    expect(reply.json.scope).toBe(CONTOSO_GRAPH.join(' '));
    const alex = await emu.control.users.get('alex@contoso.example');
    const claims = await verifyToken(emu, reply.json.access_token as string, { audience: GRAPH, issuer: `https://sts.windows.net/${CONTOSO_ID}/` });
    expect(claims).toMatchObject({
      aud: GRAPH,
      scp: 'SecurityIncident.Read.All SecurityIncident.ReadWrite.All ThreatHunting.Read.All',
      oid: alex?.oid,
      tid: CONTOSO_ID,
      upn: 'alex@contoso.example',
      appid: THREATDESK_CLIENT_ID,
      ver: '1.0',
    });
    expect(typeof reply.json.refresh_token).toBe('string');
    expect((await graph.list(reply.json.access_token as string, { $top: '1' })).status).toBe(200);
    expect((await defender.list(reply.json.access_token as string, { $top: '1' })).status).toBe(401);
  });

  it('reads a bare permission name as Microsoft Graph’s, as Entra does', async () => {
    const reply = await signIn('alex@contoso.example', 'openid offline_access SecurityIncident.Read.All');
    expect(reply.status).toBe(200);
    expect(jwtPayload(reply.json.access_token).aud).toBe(GRAPH);
    expect(reply.json.scope).toBe(CONTOSO_GRAPH.join(' '));
  });

  it('reads Graph’s .default as every Graph permission of the app (alex consents, as two were missing) and echoes it in scope', async () => {
    const reply = await signIn('alex@contoso.example', `openid offline_access ${G('.default')}`);
    expect(reply.status).toBe(200);
    const all = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'SecurityAlert.Read.All', 'ThreatHunting.Read.All', 'User.Read'].map(G);
    expect(reply.json.scope).toBe([...all, G('.default')].join(' '));
    // The consent alex gave covers what was asked (the tenant had consented to three of them already).
    expect(await emu.control.consent.userScopes('alex@contoso.example')).toEqual([...all].sort());
  });

  it('issues one audience per token: a request naming two resources is AADSTS28000', async () => {
    const reply = await signIn('alex@contoso.example', `openid offline_access ${G('SecurityIncident.Read.All')}`, `openid ${G('SecurityIncident.Read.All')} ${scope('Incident.Read')}`);
    expectTokenError(reply, 'invalid_scope', 28000);
  });

  it('one refresh token serves both resources, each token for its own API only', async () => {
    const first = await signIn('riley@contoso.example', `openid profile offline_access ${scope('Incident.Read')}`);
    expect(jwtPayload(first.json.access_token).aud).toBe('https://api.security.microsoft.com');
    const toGraph = await refresh(first.json.refresh_token, `openid offline_access ${G('SecurityIncident.ReadWrite.All')}`);
    expect(toGraph.status).toBe(200);
    expect(jwtPayload(toGraph.json.access_token)).toMatchObject({ aud: GRAPH, scp: 'SecurityIncident.Read.All SecurityIncident.ReadWrite.All ThreatHunting.Read.All' });
    expect((await graph.list(toGraph.json.access_token as string, { $top: '1' })).status).toBe(200);
    const back = await refresh(toGraph.json.refresh_token, `openid offline_access ${scope('Incident.ReadWrite')}`);
    expect(back.status).toBe(200);
    expect(jwtPayload(back.json.access_token)).toMatchObject({ aud: 'https://api.security.microsoft.com', scp: 'Incident.Read Incident.ReadWrite' });
    expect((await defender.list(back.json.access_token as string, { $top: '1' })).status).toBe(200);
    expect((await graph.list(back.json.access_token as string, { $top: '1' })).status).toBe(401);
  });

  it('consent is per resource and permission: an unconsented Graph permission needs consent; accepting grants it to that user', async () => {
    const first = await signIn('sam@contoso.example', `openid offline_access ${scope('Incident.Read')}`);
    expectTokenError(await refresh(first.json.refresh_token, `openid ${G('SecurityAlert.Read.All')}`), 'invalid_grant', 65001);
    const b = browser();
    const picker = await b.get(authorizeUrl(emu, { scope: `openid offline_access ${G('SecurityAlert.Read.All')} ${scope('AdvancedHunting.Read')}` }));
    const consent = await b.submit(picker, 'button[value="sam@contoso.example"]');
    expect(consent.$('body').attr('data-page')).toBe('consent');
    // Both resources are consented on one page, and only what is missing is listed.
    expect(consent.$(`li[data-scope="${G('SecurityAlert.Read.All')}"]`).text()).toContain('Read all security alerts');
    expect(consent.$(`li[data-scope="${scope('AdvancedHunting.Read')}"]`).length).toBe(1);
    expect(consent.$(`li[data-scope="${G('SecurityIncident.Read.All')}"]`).length).toBe(0);
    expect(redirectParams(await b.submit(consent, 'button[value="accept"]')).get('code')).toBeTruthy();
    expect(await emu.control.consent.userScopes('sam@contoso.example')).toEqual([scope('AdvancedHunting.Read'), G('SecurityAlert.Read.All')]);
    const now = await refresh(first.json.refresh_token, `openid ${G('SecurityAlert.Read.All')}`);
    expect(now.status).toBe(200);
    expect(jwtPayload(now.json.access_token).scp).toBe('SecurityIncident.Read.All SecurityIncident.ReadWrite.All SecurityAlert.Read.All ThreatHunting.Read.All');
  });

  it('Fabrikam has nothing: Graph needs an administrator there, and Defender consent does not cover Graph', async () => {
    const denied = await signInAtEmulator(browser(), authorizeUrl(emu, { scope: `openid ${G('SecurityIncident.Read.All')}` }, FABRIKAM_ID), 'jordan@fabrikam.example');
    expect(redirectParams(denied).get('error')).toBe('consent_required');
    await emu.control.consent.grantAdmin(FABRIKAM_ID, ['Incident.Read']);
    try {
      const first = await signIn('jordan@fabrikam.example', `openid offline_access ${scope('Incident.Read')}`, undefined, FABRIKAM_ID);
      expect(first.status).toBe(200);
      expectTokenError(await refresh(first.json.refresh_token, `openid ${G('SecurityIncident.Read.All')}`), 'invalid_grant', 65001);
      await emu.control.consent.grantAdmin(FABRIKAM_ID, [G('SecurityIncident.Read.All')]);
      const graphToken = await refresh(first.json.refresh_token, `openid ${G('SecurityIncident.Read.All')}`);
      expect(graphToken.status).toBe(200);
      expect(jwtPayload(graphToken.json.access_token)).toMatchObject({ aud: GRAPH, scp: 'SecurityIncident.Read.All', tid: FABRIKAM_ID });
    } finally {
      await emu.control.consent.revokeAdmin(FABRIKAM_ID);
    }
  });
});

describe('msal-node gets a Graph token through the refresh-token path', () => {
  let network: TestMsalNetwork;
  beforeAll(() => {
    network = new TestMsalNetwork(emu.caCertPem);
  });
  afterAll(() => network.close());

  it('signs in for the Defender API, then acquireTokenSilent for Graph refreshes once and caches both', async () => {
    const { clientSecret } = await emu.control.app.registration();
    const cca = new ConfidentialClientApplication({
      auth: { clientId: THREATDESK_CLIENT_ID, authority: `${emu.urls.authorityHost}/organizations/`, clientSecret, knownAuthorities: [new URL(emu.urls.authorityHost).host] },
      system: { networkClient: network },
    });
    const crypto = new CryptoProvider();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const DEFENDER_READ = scope('Incident.Read');
    const GRAPH_READ = G('SecurityIncident.Read.All');
    const url = await cca.getAuthCodeUrl({ scopes: [DEFENDER_READ], redirectUri: REDIRECT_URI, codeChallenge: challenge, codeChallengeMethod: 'S256' });
    const code = redirectParams(await signInAtEmulator(browser(), url, 'riley@contoso.example')).get('code') as string;
    const first = await cca.acquireTokenByCode({ code, scopes: [DEFENDER_READ], redirectUri: REDIRECT_URI, codeVerifier: verifier });
    expect(first.account).not.toBeNull();
    const account = first.account!;
    expect(jwtPayload(first.accessToken).aud).toBe('https://api.security.microsoft.com');

    const before = (await emu.control.stats.grants()).refresh_token;
    const viaRefresh = await cca.acquireTokenSilent({ account, scopes: [GRAPH_READ] });
    expect(viaRefresh.fromCache).toBe(false);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);
    expect(viaRefresh.scopes).toEqual(expect.arrayContaining([GRAPH_READ]));
    const claims = await verifyToken(emu, viaRefresh.accessToken, { audience: GRAPH });
    expect(claims).toMatchObject({ upn: 'riley@contoso.example', scp: expect.stringContaining('SecurityIncident.ReadWrite.All') });
    const listed = await graph.list<{ value: unknown[] }>(viaRefresh.accessToken, { $top: '5' });
    expect(listed.status).toBe(200);
    expect(listed.json.value).toHaveLength(5);

    const again = await cca.acquireTokenSilent({ account, scopes: [GRAPH_READ] });
    expect(again.fromCache).toBe(true);
    expect(again.accessToken).toBe(viaRefresh.accessToken);
    const defenderAgain = await cca.acquireTokenSilent({ account, scopes: [DEFENDER_READ] });
    expect(defenderAgain.fromCache).toBe(true);
    expect(defenderAgain.accessToken).toBe(first.accessToken);
    expect((await emu.control.stats.grants()).refresh_token).toBe(before + 1);

    // A Graph permission nobody consented to: msal is told to go back through /authorize.
    const err = await cca.acquireTokenSilent({ account, scopes: [G('User.Read')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionRequiredAuthError);
    for (const call of network.calls) expect(call.url.startsWith(`${emu.urls.authorityHost}/`)).toBe(true);
  });
});

describe('addresses and certificate', () => {
  it('serves Graph on the HTTPS origin; the CA file ends with a newline, so bundles can be built with cat', () => {
    expect(emu.urls.graphBase).toBe(emu.urls.authorityHost);
    expect(new URL(emu.urls.graphBase).protocol).toBe('https:');
    const pem = readFileSync(emu.caFile, 'utf8');
    expect(pem).toBe(emu.caCertPem);
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    const bundle = pem + pem;
    expect(bundle).toContain('-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----');
    expect(new X509Certificate(pem).subject).toContain('ThreatDesk emulator');
  });
});
