import { signIn } from '../helpers/appSignIn';
import { unindexedIncidentId } from '../helpers/indexSync';
import { useFileStack } from '../helpers/fileStack';
import { startApp } from '../helpers/stack';

/**
 * What an analyst sees when Microsoft Entra ID's token endpoint misbehaves: at sign-in (code
 * redemption) and on a refresh. Each is a page of its own, never a sign-in loop or a generic 500.
 */
const stack = useFileStack();
const browser = () => stack.browser();

afterEach(() => stack.emu.control.faults.clear());

describe('Entra token endpoint faults at sign-in', () => {
  it.each([
    ['500', 503],
    ['503', 503],
    ['429', 503],
    ['non-json', 503],
    ['truncated', 503],
  ] as const)('a %s from the token endpoint shows "Microsoft sign-in is unavailable" with a retry time', async (kind, status) => {
    await stack.emu.control.faults.add({ endpoint: 'token', kind, retryAfter: 7 });
    const r = await signIn(browser(), stack.app.url, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(status);
    expect(r.final.$('.problem h1').text()).toBe('Microsoft sign-in is unavailable');
    expect(Number(r.final.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.final.$('.problem a.button').attr('href')).toBe('/auth/signin');
    // No session was created: the analyst is not half signed in.
    expect(r.final.$('.user')).toHaveLength(0);
  });

  it('a rejected client secret says ThreatDesk\'s credentials were rejected, for an administrator to fix', async () => {
    const misconfigured = await startApp(stack.emu, { CLIENT_SECRET: 'not-the-secret-value' });
    try {
      const r = await signIn(browser(), misconfigured.url, 'alex@contoso.example');
      expect(r.final.status).toBe(500);
      expect(r.final.$('.problem h1').text()).toBe("ThreatDesk's credentials were rejected");
      expect(r.final.body).toContain('client secret');
    } finally {
      await misconfigured.close();
    }
  });
});

describe('Entra token endpoint faults on a refresh', () => {
  it('a 503 while refreshing an expired token shows the outage page, not a trip back to sign-in', async () => {
    const b = browser();
    expect((await signIn(b, stack.app.url, 'riley@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    await stack.app.services.sync.idle();
    // An incident the app has not read: its page needs a token.
    const id = await unindexedIncidentId(stack.emu);
    await stack.emu.control.tokens.expireAll();
    await stack.emu.control.faults.add({ endpoint: 'token', kind: '503', retryAfter: 9 });
    const page = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(503);
    expect(page.$('.problem h1').text()).toBe('Microsoft sign-in is unavailable');
    expect(page.headers.get('retry-after')).toBe('10');
    // Once Entra is back, the same session works again.
    const again = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(again.status).toBe(200);
  });
});
