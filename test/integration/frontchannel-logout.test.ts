import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';

/**
 * Entra's front-channel sign-out: a GET in a hidden, cross-site iframe, without ThreatDesk's
 * SameSite=Lax cookie, naming the Entra sign-in session (`sid`, and `iss`). The request here is sent
 * without any cookie, as that iframe sends it.
 */
const stack = useFileStack();
const browser = () => stack.browser();

/** The `sid` and `iss` of the latest id_token the emulator issued to `upn` (what Entra would put in the front-channel URL). */
async function entraSession(upn: string): Promise<{ sid: string; iss: string }> {
  const user = await stack.emu.control.users.get(upn);
  const { clientId } = await stack.emu.control.app.registration();
  const idTokens = (await stack.emu.control.tokens.issuedSecrets())
    .filter((s) => s.split('.').length === 3)
    .map((jwt) => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>)
    .filter((c) => c.aud === clientId && c.oid === user?.oid && typeof c.sid === 'string');
  const latest = idTokens.at(-1);
  if (!latest) throw new Error(`no id_token with a sid was issued to ${upn}`);
  return { sid: latest.sid as string, iss: latest.iss as string };
}

/** As Entra's iframe calls it: no cookie. */
const frontChannel = (query: string) => fetch(`${stack.app.url}/auth/frontchannel-logout${query}`, { redirect: 'manual' });

const homeAccountIdOf = async (upn: string) => {
  const u = await stack.emu.control.users.get(upn);
  return `${u?.oid}.${u?.tenantId}`;
};

describe('front-channel logout', () => {
  it('the emulator puts a sid in the id_token (what the mapping is keyed on)', async () => {
    await signIn(browser(), stack.app.url, 'pat@contoso.example');
    const { sid, iss } = await entraSession('pat@contoso.example');
    expect(sid).toMatch(/\S{8,}/);
    expect(iss).toMatch(/^https:\/\/.+\/v2\.0$/);
  });

  it('ends the analyst\'s sessions server-side by Entra sid, without the cookie, and removes the tokens', async () => {
    const alexTab = browser();
    const alexOtherTab = browser();
    await signIn(alexTab, stack.app.url, 'alex@contoso.example', { returnTo: '/incidents' });
    const { sid, iss } = await entraSession('alex@contoso.example');
    expect((await alexTab.get(`${stack.app.url}/incidents`)).status).toBe(200);
    void alexOtherTab;
    expect(await stack.app.services.tokenCache.load(await homeAccountIdOf('alex@contoso.example'))).toBeDefined();

    const res = await frontChannel(`?sid=${encodeURIComponent(sid)}&iss=${encodeURIComponent(iss)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Signed out');

    const after = await alexTab.get(`${stack.app.url}/incidents`);
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${stack.app.url}/auth/signin?returnTo=%2Fincidents`);
    expect(await stack.app.services.store.get(TokenCacheStore.keyFor(await homeAccountIdOf('alex@contoso.example')))).toBeUndefined();
    expect(stack.app.logs.some((l) => l.includes('"audit":"signout.frontchannel"'))).toBe(true);
  });

  it('answers so that a cross-site iframe of the sign-in service accepts it, and only for that route', async () => {
    const res = await frontChannel('?sid=unknown-session');
    const csp = res.headers.get('content-security-policy') ?? '';
    const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
    expect(ancestors).toEqual(stack.app.services.authority.browserOrigins);
    expect(ancestors).toContain(stack.emu.urls.browserBase);
    expect(ancestors).not.toContain("'none'");
    expect(csp).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    // Every other response still refuses framing.
    const page = await fetch(`${stack.app.url}/auth/signed-out`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('needs a matching sid: none, an unknown one, or a known one with another issuer signs nobody out', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo: '/incidents' });
    const { sid, iss } = await entraSession('sam@contoso.example');

    const none = await frontChannel('');
    expect(none.status).toBe(400);
    // The link any site could embed, with the analyst's own cookie: still nothing.
    expect((await b.get(`${stack.app.url}/auth/frontchannel-logout`)).status).toBe(400);
    expect((await frontChannel(`?sid=${encodeURIComponent(`${sid}x`)}`)).status).toBe(200);
    expect((await frontChannel(`?sid=${encodeURIComponent(sid)}&iss=${encodeURIComponent('https://evil.example/tenant/v2.0')}`)).status).toBe(200);
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(200);

    // Without `iss` (Entra may omit it) the sid alone is enough.
    expect((await frontChannel(`?sid=${encodeURIComponent(sid)}`)).status).toBe(200);
    expect((await b.get(`${stack.app.url}/incidents`)).status).toBe(303);
    void iss;
  });

  it('leaves other analysts, and the same analyst\'s other Entra sessions, signed in', async () => {
    const riley = browser();
    const rileyElsewhere = browser();
    const morgan = browser();
    await signIn(riley, stack.app.url, 'riley@contoso.example', { returnTo: '/incidents' });
    const first = await entraSession('riley@contoso.example');
    await signIn(morgan, stack.app.url, 'morgan@contoso.example');
    // Another browser: another Entra session with its own sid.
    await signIn(rileyElsewhere, stack.app.url, 'riley@contoso.example', { returnTo: '/incidents' });
    const second = await entraSession('riley@contoso.example');
    expect(second.sid).not.toBe(first.sid);

    expect((await frontChannel(`?sid=${encodeURIComponent(first.sid)}&iss=${encodeURIComponent(first.iss)}`)).status).toBe(200);
    expect((await riley.get(`${stack.app.url}/incidents`)).status).toBe(303);
    expect((await morgan.get(`${stack.app.url}/`)).location).toBe(`${stack.app.url}/incidents`);
    // The other browser's session survives; its token cache was the account's, so it signs in again
    // without a prompt when it next needs a token (Entra still knows that session).
    const other = await rileyElsewhere.get(`${stack.app.url}/`);
    expect(other.status).toBe(303);
    expect(other.location).toBe(`${stack.app.url}/incidents`);
  });
});
