import { TokenCacheStore } from '../../src/auth/tokenCacheStore';
import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';
import { unindexedIncidentId } from '../helpers/indexSync';

/**
 * A refresh token Entra has revoked (or let expire) ends the session: the browser is no longer
 * signed in as that analyst, and no page goes on naming them.
 */
const stack = useFileStack();
const browser = () => stack.browser();

const cacheKey = async (upn: string) => {
  const u = await stack.emu.control.users.get(upn);
  return TokenCacheStore.keyFor(`${u?.oid}.${u?.tenantId}`);
};

describe('a revoked or expired refresh token ends the session', () => {
  it('control 40: stops naming the analyst once token acquisition fails for good, and removes the dead tokens', async () => {
    const b = browser();
    expect((await signIn(b, stack.app.url, 'alex@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    expect((await b.get(`${stack.app.url}/admin/consent`)).$('.user').text()).toContain('Alex');

    await stack.app.services.sync.idle();
    // An incident the app has not read: its page needs a token.
    const unread = await unindexedIncidentId(stack.emu);
    expect(await stack.emu.control.users.revokeRefreshTokens('alex@contoso.example')).toBeGreaterThan(0);
    await stack.emu.control.tokens.expireAll();
    const page = await b.get(`${stack.app.url}/incidents/${unread}`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${stack.app.url}/auth/signin?returnTo=${encodeURIComponent(`/incidents/${unread}`)}`);

    // Not followed: the browser wanders elsewhere instead of signing in again.
    const home = await b.get(`${stack.app.url}/`);
    expect(home.status).toBe(200);
    expect(home.$('.user')).toHaveLength(0);
    expect(home.$('a[href="/auth/signin"]').length).toBeGreaterThan(0);
    expect((await b.get(`${stack.app.url}/admin/consent`)).$('.user')).toHaveLength(0);
    expect(await stack.app.services.store.get(await cacheKey('alex@contoso.example'))).toBeUndefined();
    expect(stack.app.logs.some((l) => l.includes('"audit":"session.ended"') && l.includes('invalid_grant'))).toBe(true);
  });

  it('control 40: a token cache that is gone (signed out in another browser, a removed key) ends the session too, on any page', async () => {
    const b = browser();
    expect((await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo: '/me/token' })).final.status).toBe(200);
    await stack.app.services.store.delete(await cacheKey('sam@contoso.example'));
    // The token page asks for a token itself (not through the incident API), so its error reaches the error handler.
    const page = await b.get(`${stack.app.url}/me/token`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${stack.app.url}/auth/signin?returnTo=%2Fme%2Ftoken`);
    expect((await b.get(`${stack.app.url}/`)).$('.user')).toHaveLength(0);
    expect((await b.get(`${stack.app.url}/me/token`)).location).toBe(`${stack.app.url}/auth/signin?returnTo=%2Fme%2Ftoken`);
  });

  it('keeps the session when the API refuses a token but the refresh token is fine', async () => {
    const b = browser();
    expect((await signIn(b, stack.app.url, 'riley@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    await stack.app.services.sync.idle();
    const unread = await unindexedIncidentId(stack.emu);
    // An API refusing a token is not Entra revoking the refresh token: the loop guard handles it.
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '401', count: 2 });
    try {
      const page = await b.get(`${stack.app.url}/incidents/${unread}`);
      expect(page.status).toBe(303);
      expect((await b.get(`${stack.app.url}/`)).location).toBe(`${stack.app.url}/incidents`);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });
});
