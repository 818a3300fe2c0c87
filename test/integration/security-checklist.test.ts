import { createHmac } from 'node:crypto';
import http from 'node:http';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import type { Router } from 'express';
import { createApp } from '../../src/app';
import { scopeFor } from '../../src/auth/scopes';
import { signIn, sessionCookie } from '../helpers/appSignIn';
import { unindexedIncidentId } from '../helpers/indexSync';
import { useFileStack } from '../helpers/fileStack';
import { startApp, type AppInstance } from '../helpers/stack';

/**
 * The controls of the reference checklist (ux-and-security.md §2.9) that no feature's own test file
 * covers. Each test names its control; SECURITY.md maps every control to its test.
 */
const stack = useFileStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
const browser = () => stack.browser();
const SECRET = 'test-session-secret-0123456789-abcdefghijkl';

/** The session id inside express-session's signed cookie value (`s:<id>.<signature>`). */
const sidOf = (cookieValue: string) => decodeURIComponent(cookieValue).slice(2).split('.')[0] as string;
/** A cookie value express-session accepts for `sid`, signed as the app signs it. */
const signedCookie = (sid: string) => encodeURIComponent(`s:${sid}.${createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '')}`);

describe('session controls', () => {
  it('control 3: the session id is rotated at sign-in, and the pre-sign-in session is gone from the store', async () => {
    const b = browser();
    const start = await b.get(`${stack.app.url}/auth/signin?returnTo=/incidents`);
    const before = sidOf((await sessionCookie(b, stack.app.url)) as string);
    expect(await stack.app.services.store.get(`pre:sess:${before}`)).toBeDefined();
    await signIn(b, stack.app.url, 'alex@contoso.example', { start: start.location });
    const after = sidOf((await sessionCookie(b, stack.app.url)) as string);
    expect(after).not.toBe(before);
    expect(await stack.app.services.store.get(`sess:${after}`)).toBeDefined();
    expect(await stack.app.services.store.get(`pre:sess:${before}`)).toBeUndefined();
    expect(await stack.app.services.store.get(`sess:${before}`)).toBeUndefined();
  });

  it('control 4: a session id is taken from the cookie only, never from the query string or a header', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'alex@contoso.example');
    const value = (await sessionCookie(b, stack.app.url)) as string;
    const sid = sidOf(value);
    for (const [path, headers] of [
      [`/incidents?threatdesk.sid=${value}`, {}],
      [`/incidents?sid=${sid}`, {}],
      ['/incidents', { authorization: `Bearer ${sid}` }],
      ['/incidents', { 'x-session-id': sid }],
      ['/incidents', { 'x-threatdesk-sid': decodeURIComponent(value) }],
    ] as const) {
      const res = await fetch(`${stack.app.url}${path}`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/auth\/signin\?returnTo=/);
    }
  });

  it('control 14: the analyst is known by oid and tid; another account with the same user name gets none of their tokens', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'alex@contoso.example');
    const alex = await stack.emu.control.users.get('alex@contoso.example');
    const sid = sidOf((await sessionCookie(b, stack.app.url)) as string);
    const record = JSON.parse((await stack.app.services.store.get(`sess:${sid}`)) as string) as { account: Record<string, string>; cookie: unknown };
    expect(record.account).toMatchObject({ oid: alex?.oid, tenantId: alex?.tenantId, homeAccountId: `${alex?.oid}.${alex?.tenantId}`, username: 'alex@contoso.example' });
    // A session for another oid with alex's user name (a re-created account, a look-alike in another tenant).
    const forgedSid = 'forged-session-id-0123456789abcdef';
    const impostor = { ...record.account, oid: '99999999-9999-4999-8999-999999999999', homeAccountId: `99999999-9999-4999-8999-999999999999.${alex?.tenantId}` };
    await stack.app.services.store.set(`sess:${forgedSid}`, JSON.stringify({ ...record, account: impostor, createdAt: Date.now(), lastSeen: Date.now() }), 60_000);
    const res = await fetch(`${stack.app.url}/incidents`, { headers: { cookie: `threatdesk.sid=${signedCookie(forgedSid)}`, accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/signin?returnTo=%2Fincidents');
  });

  it('control 39: a session id planted before sign-in (session fixation) is replaced at sign-in', async () => {
    const b = browser();
    await b.jar.setCookie(`threatdesk.sid=${signedCookie('attacker-chosen-session-id')}; Path=/`, stack.app.url);
    await b.jar.setCookie('threatdesk.sid=s%3Aattacker.unsigned; Path=/', stack.app.url);
    const r = await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    const sid = sidOf((await sessionCookie(b, stack.app.url)) as string);
    expect(sid).not.toBe('attacker-chosen-session-id');
    expect(sid).not.toBe('attacker');
    expect(sid.length).toBeGreaterThanOrEqual(32);
    expect(await stack.app.services.store.get('sess:attacker-chosen-session-id')).toBeUndefined();
  });
});

describe('OAuth controls', () => {
  it('control 10: every sign-in carries PKCE S256, a state and a nonce of 256 random bits, never repeated (100 starts)', async () => {
    const seen = { state: new Set<string>(), nonce: new Set<string>(), code_challenge: new Set<string>() };
    const app = await startApp(stack.emu, { SIGN_IN_RATE_LIMIT: '1000' });
    try {
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${app.url}/auth/signin`, { redirect: 'manual' });
        const q = new URL(res.headers.get('location') as string).searchParams;
        expect(q.get('code_challenge_method')).toBe('S256');
        for (const name of ['state', 'nonce', 'code_challenge'] as const) {
          const value = q.get(name) as string;
          expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
          seen[name].add(value);
        }
      }
    } finally {
      await app.close();
    }
    expect([seen.state.size, seen.nonce.size, seen.code_challenge.size]).toEqual([100, 100, 100]);
  });

  it('control 11: a callback with the state of a sign-in another browser started is refused', async () => {
    const victim = browser();
    const attacker = browser();
    await attacker.get(`${stack.app.url}/auth/signin`);
    const start = await victim.get(`${stack.app.url}/auth/signin`);
    const authz = await victim.get(start.location as string);
    const back = await victim.submit(authz, 'button[value="alex@contoso.example"]');
    // The attacker's browser (with a session and sign-ins of its own) replays the victim's callback.
    const page = await attacker.get(back.location as string);
    expect(page.status).toBe(400);
    expect(page.$('h1').text()).toBe('This sign-in response is not valid here');
  });

  it('control 18: sign-in asks for the read permission only, and for write only when a manage action needs it', async () => {
    const api = stack.app.services.config.securityApi;
    const scopes = async (query: string) =>
      new URL((await fetch(`${stack.app.url}/auth/signin${query}`, { redirect: 'manual' })).headers.get('location') as string).searchParams.get('scope')?.split(' ').sort();
    expect(await scopes('')).toEqual(['offline_access', 'openid', 'profile', scopeFor(api, 'read')].sort());
    expect(await scopes('?scope=write')).toEqual(['offline_access', 'openid', 'profile', scopeFor(api, 'read'), scopeFor(api, 'write')].sort());
    expect(await scopes('?scope=https%3A%2F%2Fgraph.microsoft.com%2F.default')).toEqual(['offline_access', 'openid', 'profile', scopeFor(api, 'read')].sort());
  });
});

describe('token controls', () => {
  it('control 16: no token reaches the browser: every page, header and cookie of a signed-in analyst is free of them', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    const id = (await stack.emu.control.incidents.list(CONTOSO_ID))[0]?.incidentId as number;
    const pages = await Promise.all(['/', '/incidents', `/incidents/${id}`, '/incidents.csv', '/me/token', '/admin/consent', '/auth/signed-out'].map((p) => b.get(`${stack.app.url}${p}`)));
    const secrets = (await stack.emu.control.tokens.issuedSecrets()).filter((s) => s.length >= 16);
    expect(secrets.length).toBeGreaterThan(0);
    const cookies = await b.jar.getCookieString(stack.app.url);
    for (const page of pages) {
      const headers: string[] = [];
      page.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
      const seen = `${headers.join('\n')}\n${page.body}\n${cookies}`;
      expect({ url: page.url, status: page.status }).toEqual({ url: page.url, status: page.status < 400 ? page.status : 200 });
      expect(seen).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
      expect(seen).not.toMatch(/access_token|refresh_token|id_token/i);
      for (const secret of secrets) expect(seen.includes(secret)).toBe(false);
    }
    // ThreatDesk's cookies: the session's reference, far too short to hold a token, and the admin
    // consent page's hashed states.
    const ours = (await b.jar.getCookies(stack.app.url)).filter((c) => c.key.startsWith('threatdesk'));
    expect(ours.map((c) => c.key).sort()).toEqual(['threatdesk.consent', 'threatdesk.sid']);
    expect(ours.find((c) => c.key === 'threatdesk.sid')?.value).toMatch(/^[^;]{40,120}$/);
    const consent = JSON.parse(Buffer.from(ours.find((c) => c.key === 'threatdesk.consent')?.value.split('.')[0] ?? '', 'base64url').toString('utf8')) as { v: Record<string, unknown>[] };
    // One link per API the deployment consents to (Graph, and the legacy API while it is configured).
    expect(consent.v.length).toBeGreaterThan(0);
    for (const entry of consent.v) expect(Object.keys(entry).sort()).toEqual(['c', 's', 't']);
  });
});

describe('request forgery controls', () => {
  it('control 22: a manage POST without a token, with a wrong one, or with another session\'s token is refused', async () => {
    const riley = browser();
    const other = browser();
    await signIn(riley, stack.app.url, 'riley@contoso.example');
    await signIn(other, stack.app.url, 'sam@contoso.example');
    const id = (await stack.emu.control.incidents.list(CONTOSO_ID))[0]?.incidentId as number;
    const page = await riley.get(`${stack.app.url}/incidents/${id}`);
    const base = page.$('#manage-form input[name="base"]').attr('value') as string;
    const othersToken = (await other.get(`${stack.app.url}/incidents`)).$('form[action="/auth/signout"] input[name="_csrf"]').attr('value') as string;
    for (const token of [undefined, 'wrong', othersToken]) {
      const text = `forged ${token ?? 'none'}`;
      const res = await riley.post(`${stack.app.url}/incidents/${id}/manage`, { base, comment: text, ...(token ? { _csrf: token } : {}) });
      expect(res.status).toBe(403);
      // Nothing sent; the incident page comes back with the text, as for any stale form.
      expect(res.$('#manage-error').text()).toContain('This form had expired');
      expect(res.$('#comment-input').text()).toBe(text);
      expect(((await stack.emu.control.incidents.get(CONTOSO_ID, id))?.comments ?? []).map((c) => c.comment)).not.toContain(text);
    }
  });

  it('control 24: nothing changes state on GET: the only non-GET routes are the POST forms', async () => {
    const app = createApp(stack.app.services) as unknown as { router: Router };
    const routes: string[] = [];
    const walk = (stackOf: Router['stack']) => {
      for (const layer of stackOf) {
        const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
        if (route) routes.push(...Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${route.path}`));
        const inner = (layer.handle as unknown as { stack?: Router['stack'] }).stack;
        if (inner) walk(inner);
      }
    };
    walk(app.router.stack);
    expect(routes.length).toBeGreaterThan(10);
    expect([...new Set(routes.filter((r) => !r.startsWith('GET ')))].sort()).toEqual(['POST /auth/signout', 'POST /handover/notes', 'POST /hunting', 'POST /hunting.csv', 'POST /hunting/queries', 'POST /hunting/queries/delete', 'POST /incidents/:id/manage', 'POST /incidents/columns', 'POST /incidents/refresh', 'POST /incidents/views', 'POST /incidents/views/delete', 'POST /jobs', 'POST /jobs/:id/cancel', 'POST /jobs/:id/resume', 'POST /me/preferences']);
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    expect((await b.get(`${stack.app.url}/auth/signout`)).status).toBe(404);
    expect((await b.get(`${stack.app.url}/incidents/1/manage?action=comment&comment=via-get`)).status).toBe(404);
    expect((await b.get(`${stack.app.url}/jobs/00000000-0000-0000-0000-000000000000/cancel`)).status).toBe(404);
    // A hunting link fills the form; only a post runs it (a query spends the tenant's budget).
    const mark = await stack.emu.control.stats.mark();
    expect((await b.get(`${stack.app.url}/hunting?q=AlertInfo`)).status).toBe(200);
    expect((await b.get(`${stack.app.url}/hunting.csv?query=AlertInfo`)).status).toBe(404);
    expect((await stack.emu.control.stats.requests(mark)).filter((r) => r.path.endsWith('runHuntingQuery'))).toEqual([]);
  });
});

describe('header controls', () => {
  it('control 28: pages cannot be framed: frame-ancestors \'none\' and X-Frame-Options DENY, signed in or not', async () => {
    const b = browser();
    for (const path of ['/', '/admin/consent', '/auth/signed-out', '/no-such-page']) {
      const res = await fetch(`${stack.app.url}${path}`);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    await signIn(b, stack.app.url, 'alex@contoso.example');
    const page = await b.get(`${stack.app.url}/incidents`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('control 29: HSTS for a year with includeSubDomains on https deployments, on pages, errors and files', async () => {
    const app: AppInstance = await startApp(stack.emu, { BASE_URL: 'https://threatdesk.test', TRUST_PROXY: 'loopback' });
    try {
      for (const path of ['/', '/no-such-page', '/static/css/app.css', '/healthz']) {
        const res = await fetch(`${app.url}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
        expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      }
    } finally {
      await app.close();
    }
  });
});

describe('output and error controls', () => {
  const MARKUP = '<img src=x onerror=alert(1)>';
  let id: number;
  let riley: TestBrowser;
  beforeAll(async () => {
    riley = browser();
    await signIn(riley, stack.app.url, 'riley@contoso.example');
    const added = await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: `Phish ${MARKUP}`, severity: 'High', tags: [`tag ${MARKUP}`] });
    id = added.incidentId;
    await stack.emu.control.incidents.change(CONTOSO_ID, id, { comment: `<b>bold</b><script>alert(2)</script> ${MARKUP}`, by: 'attacker@evil.example' });
  });

  it('control 31: incident data from Microsoft is rendered escaped (name, tags), in the page and in the queue', async () => {
    const page = await riley.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('#incident-name').text()).toBe(`Phish ${MARKUP}`);
    expect(page.$('#tags .tag').first().text()).toBe(`tag ${MARKUP}`);
    expect(page.body).not.toContain(MARKUP);
    expect(page.$('img[src="x"]')).toHaveLength(0);
    const queue = await riley.get(`${stack.app.url}/incidents`);
    expect(queue.status).toBe(200);
    // The emulator's seeded incidents carry markup in their names too: shown as text, never as elements.
    expect(queue.$('#incidents tbody').text()).toContain(MARKUP);
    expect(queue.$('#incidents tbody img')).toHaveLength(0);
    expect(queue.body).not.toContain(MARKUP);
  });

  it('control 32: comments are shown as text, never as markup', async () => {
    const page = await riley.get(`${stack.app.url}/incidents/${id}`);
    const text = page.$('.comment-text').map((_, el) => page.$(el).text()).get();
    expect(text).toContain(`<b>bold</b><script>alert(2)</script> ${MARKUP}`);
    expect(page.$('.comment-text b, .comment-text script, .comment-text img')).toHaveLength(0);
    expect(page.body).not.toContain('<script>alert(2)</script>');
  });

  it('control 34: an upstream failure shows a generic page with the request id, no stack, token or upstream body', async () => {
    const unread = await unindexedIncidentId(stack.emu);
    await stack.app.services.sync.idle();
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '500', count: 5 });
    try {
      const page = await riley.get(`${stack.app.url}/incidents/${unread}`);
      expect(page.status).toBeGreaterThanOrEqual(500);
      expect(page.$('.problem h1').text()).toBeTruthy();
      expect(page.$('footer code').text()).toBe(page.headers.get('x-request-id'));
      expect(page.body).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
      expect(page.body).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
      expect(page.body).not.toMatch(/"error"\s*:\s*\{/);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });
});

describe('logging controls', () => {
  it('control 35: logs carry no Authorization, Cookie, Set-Cookie, code, client secret, JWT or raw session id', async () => {
    const b = browser();
    const r = await signIn(b, stack.app.url, 'morgan@contoso.example', { returnTo: '/me/token' });
    const value = (await sessionCookie(b, stack.app.url)) as string;
    await b.get(`${stack.app.url}/me/token`);
    const { clientSecret } = await stack.emu.control.app.registration();
    const logs = stack.app.logs.join('\n');
    expect(logs).not.toContain(sidOf(value));
    expect(logs).not.toContain(decodeURIComponent(value));
    expect(logs).not.toContain(clientSecret);
    expect(logs).not.toMatch(/"(authorization|cookie|set-cookie)"\s*:\s*"(?!\[redacted\])/i);
    expect(logs).not.toMatch(/[?&]code=/);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
    expect(logs).not.toContain(r.code as string);
    // Hashed session ids are there, to correlate lines.
    expect(logs).toMatch(/"sid":"[A-Za-z0-9_-]{12}"/);
  });

  it('control 37: a request cannot forge log lines (newlines and JSON in the path and headers stay inside one field)', async () => {
    const from = stack.app.logs.length;
    const forged = '{"level":60,"msg":"forged"}';
    await new Promise<void>((resolve, reject) => {
      const url = new URL(stack.app.url);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `/no-such-page%0D%0A${encodeURIComponent(forged)}`,
          headers: { 'user-agent': `Mozilla\u0085${forged}`, referer: `x\u00a0${forged}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end();
    });
    const lines = stack.app.logs.slice(from);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.trimEnd().split('\n')).toHaveLength(1);
      expect((JSON.parse(line) as { msg?: string }).msg).not.toBe('forged');
    }
  });
});
