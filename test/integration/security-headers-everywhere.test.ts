import { startStack, startApp, type AppInstance } from '../helpers/stack';

/**
 * Every response gets the security headers: static files and the health probes too, which are
 * served before the page middleware. They need no CSP nonce (nothing in them runs), so they get a
 * CSP that allows nothing.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let https: AppInstance;

beforeAll(async () => {
  stack = await startStack();
  https = await startApp(stack.emu, { BASE_URL: 'https://threatdesk.test', TRUST_PROXY: 'loopback' });
});

afterAll(async () => {
  await https.close();
  await stack.close();
});

const NOT_PAGES = ['/healthz', '/readyz', '/static/css/app.css', '/static/js/app.js', '/static/no-such-file.js'];

describe('security headers on every response, static files and probes included', () => {
  it.each(NOT_PAGES)('control 30: %s gets nosniff, frame-ancestors, a referrer policy and a CSP that allows nothing', async (path) => {
    const res = await fetch(`${stack.app.url}${path}`);
    await res.arrayBuffer();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('nonce-');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it.each(NOT_PAGES)('control 29: %s gets HSTS behind https', async (path) => {
    const res = await fetch(`${https.url}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
    await res.arrayBuffer();
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('static files keep their own type and caching; pages keep their nonce', async () => {
    const js = await fetch(`${stack.app.url}/static/js/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=3600');
    await js.arrayBuffer();
    const page = await fetch(`${stack.app.url}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  });
});
