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

  it('pages name static files by their content, which may then be kept for a year; text is compressed', async () => {
    const page = await fetch(`${stack.app.url}/`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers.get('content-encoding')).toBe('gzip');
    const html = await page.text();
    const css = /href="(\/static\/css\/app\.css\?v=[\w-]{12})"/.exec(html)?.[1];
    const js = /src="(\/static\/js\/app\.js\?v=[\w-]{12})"/.exec(html)?.[1];
    expect([css, js]).toEqual([expect.any(String), expect.any(String)]);
    const encodings: (string | null)[] = [];
    for (const url of [css, js] as string[]) {
      const res = await fetch(`${stack.app.url}${url}`, { headers: { 'accept-encoding': 'gzip' } });
      expect([res.status, res.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
      encodings.push(res.headers.get('content-encoding'));
      await res.arrayBuffer();
    }
    // The stylesheet, kilobytes of text, is compressed (a file under 1 kB would not be).
    expect(encodings[0]).toBe('gzip');
    // Any other version of the file is not promised for a year.
    const stale = await fetch(`${stack.app.url}/static/css/app.css?v=AAAAAAAAAAAA`);
    expect(stale.headers.get('cache-control')).toBe('public, max-age=3600');
    await stale.arrayBuffer();
  });
});
