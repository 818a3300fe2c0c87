import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { startApp, startStack, type AppInstance } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let b: TestBrowser;

beforeAll(async () => {
  stack = await startStack();
  b = new TestBrowser(stack.emu.caCertPem);
  await signIn(b, stack.app.url, 'alex@contoso.example');
});

afterAll(async () => {
  await b.close();
  await stack.close();
});

function csp(res: { headers: Headers }): Record<string, string> {
  const header = res.headers.get('content-security-policy') ?? '';
  return Object.fromEntries(header.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([k, ...v]) => [k, v.join(' ')]));
}

describe('security headers', () => {
  it.each(['/', '/incidents', '/admin/consent', '/no-such-page'])('control 25: sends a strict CSP and anti-framing headers on %s', async (path) => {
    const res = await b.get(`${stack.app.url}${path}`);
    const policy = csp(res);
    expect(policy['script-src']).toMatch(/'nonce-[A-Za-z0-9+/=]{22,}'/);
    expect(policy['script-src']).toContain("'strict-dynamic'");
    expect(policy['script-src']).not.toContain('unsafe-inline');
    expect(policy['script-src']).not.toContain('unsafe-eval');
    expect(policy['style-src']).not.toContain('unsafe-inline');
    expect(policy['object-src']).toBe("'none'");
    expect(policy['base-uri']).toBe("'none'");
    expect(policy['frame-ancestors']).toBe("'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull(); // plain-http deployment
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('control 26: uses a fresh nonce per response, and every script tag carries it', async () => {
    const one = await b.get(`${stack.app.url}/incidents`);
    const two = await b.get(`${stack.app.url}/incidents`);
    const nonce = (r: typeof one) => /'nonce-([^']+)'/.exec(r.headers.get('content-security-policy') ?? '')?.[1];
    expect(nonce(one)).not.toBe(nonce(two));
    expect(Buffer.from(nonce(one) as string, 'base64').length).toBeGreaterThanOrEqual(16);
    const scripts = one.$('script');
    expect(scripts.length).toBeGreaterThan(0);
    scripts.each((_, el) => expect(one.$(el).attr('nonce')).toBe(nonce(one)));
    expect(one.body).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
  });

  it('control 9: keeps signed-in pages out of caches', async () => {
    for (const path of ['/incidents', '/me/token', '/admin/consent']) {
      expect((await b.get(`${stack.app.url}${path}`)).headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers health and readiness outside sessions', async () => {
    const fresh = new TestBrowser();
    const health = await fresh.get(`${stack.app.url}/healthz`);
    const ready = await fresh.get(`${stack.app.url}/readyz`);
    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(health.headers.get('set-cookie')).toBeNull();
    await fresh.close();
  });
});

describe('behind a TLS-terminating proxy', () => {
  let app: AppInstance;
  beforeAll(async () => {
    app = await startApp(stack.emu, { BASE_URL: 'https://threatdesk.test', TRUST_PROXY: 'loopback' });
  });
  afterAll(() => app.close());

  it('control 1: sets a __Host- cookie with Secure, HttpOnly and SameSite=Lax (and HSTS)', async () => {
    const res = await fetch(`${app.url}/auth/signin`, { headers: { 'x-forwarded-proto': 'https' }, redirect: 'manual' });
    const cookie = res.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^__Host-threatdesk=/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    // The redirect URI comes from BASE_URL, not from the Host header.
    const authorize = new URL(res.headers.get('location') as string);
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://threatdesk.test/auth/redirect');
  });
});
