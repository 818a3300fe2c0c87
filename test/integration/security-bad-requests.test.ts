import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { unindexedIncidentId } from '../helpers/indexSync';
import { useFileStack } from '../helpers/fileStack';

/**
 * What anyone can send must never become a 500 or an error-level log line: unreadable bodies,
 * prototype names as parameters, impossible ranges, and an error page asked for by a request whose
 * headers are nonsense.
 */
const stack = useFileStack();
const browser = () => stack.browser();
const STACK_TRACE = /at \S+ \(.*:\d+:\d+\)|at .*\.(ts|js):\d+/;

/** Log lines at error level or above written since `from`. */
const errorsSince = (from: number) =>
  stack.app.logs
    .slice(from)
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level >= 50);

const FORM = 'application/x-www-form-urlencoded';

/** A GET with the path exactly as given. */
function rawGet(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${stack.app.url}/`, { path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
  });
}

describe('unreadable requests answer 4xx with the problem page, logged below error', () => {
  it.each([
    ['charset utf-16', { 'content-type': `${FORM}; charset=utf-16` }, 'a=b', 415],
    ['an unknown charset', { 'content-type': `${FORM}; charset=x-no-such-charset` }, 'a=b', 415],
    ['an unknown Content-Encoding', { 'content-type': FORM, 'content-encoding': 'x-squeeze' }, 'a=b', 415],
    ['a broken gzip body', { 'content-type': FORM, 'content-encoding': 'gzip' }, 'not gzip at all', 400],
    ['a truncated gzip body', { 'content-type': FORM, 'content-encoding': 'gzip' }, gzipSync('a=b'.repeat(100)).subarray(0, 20), 400],
  ] as const)('a form with %s', async (_name, headers, body, status) => {
    const from = stack.app.logs.length;
    for (const path of ['/auth/signout', `/incidents/1/manage`, '/admin/consent']) {
      const res = await fetch(`${stack.app.url}${path}`, { method: 'POST', headers, body });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const text = await res.text();
      expect(text).toContain('<section class="problem">');
      expect(text).not.toMatch(STACK_TRACE);
    }
    expect(errorsSince(from)).toEqual([]);
  });

  it('a signed-in analyst\'s form in utf-16 gets the same page', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    const from = stack.app.logs.length;
    const res = await b.request(`${stack.app.url}/auth/signout`, { method: 'POST', headers: { 'content-type': `${FORM}; charset=utf-16` } });
    expect(res.status).toBe(415);
    expect(res.$('.problem h1').text()).toBe('This form could not be read');
    expect(errorsSince(from)).toEqual([]);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'])('/auth/signin?scope=%s asks for the read scope only (the scope lookup is a Map)', async (name) => {
    const from = stack.app.logs.length;
    const res = await fetch(`${stack.app.url}/auth/signin?scope=${name}&returnTo=/${name}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const scope = new URL(res.headers.get('location') as string).searchParams.get('scope')?.split(' ') ?? [];
    expect(scope.filter((s) => !['openid', 'profile', 'offline_access'].includes(s))).toHaveLength(1);
    expect(scope.join(' ')).not.toContain(name);
    expect(errorsSince(from)).toEqual([]);
  });

  it('an impossible Range on a static file is a plain-text 416 with the security headers, not a page served as JavaScript', async () => {
    const from = stack.app.logs.length;
    const res = await fetch(`${stack.app.url}/static/js/app.js`, { headers: { range: 'bytes=999999-1000000' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('content-range')).toMatch(/^bytes \*\/\d+$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).not.toContain('<');
    // Sent as written (fetch would normalise the dot segments away).
    for (const path of ['/static/nope.js', '/static/js/../../package.json', '/static/%2e%2e/package.json', '/static/..%2fpackage.json']) {
      const missing = await rawGet(path);
      expect(missing.status).toBeGreaterThanOrEqual(400);
      expect(missing.status).toBeLessThan(500);
      expect(missing.type).toMatch(/^text\/plain/);
      expect(missing.body).not.toContain('"name": "threatdesk"');
    }
    expect(errorsSince(from)).toEqual([]);
  });
});

describe('the error handler never throws', () => {
  it('after an analyst\'s tokens are revoked, a manage POST with `Referer: not a url` gets a 401 page, no stack trace', async () => {
    const b = browser();
    expect((await signIn(b, stack.app.url, 'riley@contoso.example')).final.status).toBe(200);
    const id = (await stack.emu.control.incidents.list(CONTOSO_ID))[0]?.incidentId;
    const page = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(200);
    const csrf = page.$('#manage-form input[name="_csrf"]').attr('value') as string;
    const base = page.$('#manage-form input[name="base"]').attr('value') as string;
    // An incident the app has not read yet: re-rendering its page needs a token.
    const unread = await unindexedIncidentId(stack.emu);
    await stack.emu.control.users.revokeRefreshTokens('riley@contoso.example');
    await stack.emu.control.tokens.expireAll();
    const from = stack.app.logs.length;
    // An invalid status re-renders the incident page, which needs a token: the refresh fails there.
    const res = await b.post(`${stack.app.url}/incidents/${unread}/manage`, { _csrf: csrf, base, status: 'no-such-status' }, { referer: 'not a url' });
    expect(res.status).toBe(401);
    expect(res.$('.problem h1').text()).toBe('Your sign-in needs refreshing');
    expect(res.$('.problem a.button').attr('href')).toBe('/auth/signin?returnTo=%2F');
    expect(res.body).not.toMatch(STACK_TRACE);
    expect(res.body).not.toContain('TypeError');
    expect(errorsSince(from)).toEqual([]);
  });
});
