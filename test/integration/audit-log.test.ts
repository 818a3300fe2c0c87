import { CONTOSO_ID, FABRIKAM_ID } from '@threatdesk/emulator';
import type { Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';

/**
 * The audit trail: one JSON line per security event, with a stable `audit` field, the request id
 * (the X-Request-Id the browser got), and who (oid, tid) where known. Never the text of a comment.
 */
const stack = useFileStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
const browser = () => stack.browser();

interface AuditLine {
  level: number;
  time: string;
  audit: string;
  requestId: string;
  oid?: string;
  tid?: string;
  [k: string]: unknown;
}

/** Audit lines of one event written since `from`. */
const audits = (event: string, from = 0): AuditLine[] =>
  stack.app.logs
    .slice(from)
    .map((l) => JSON.parse(l) as Partial<AuditLine>)
    .filter((l): l is AuditLine => l.audit === event);

const user = async (upn: string) => {
  const u = await stack.emu.control.users.get(upn);
  return { oid: u?.oid as string, tid: u?.tenantId as string };
};

/** The response that carried `requestId`, so each line can be tied to what the browser saw. */
const requestIdOf = (page: Page) => page.headers.get('x-request-id');

describe('control 36: audit log of security events', () => {
  it('control 36: logs a sign-in with who, when (UTC) and the request id', async () => {
    const from = stack.app.logs.length;
    const r = await signIn(browser(), stack.app.url, 'alex@contoso.example');
    const [line, ...more] = audits('signin.success', from);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, ...(await user('alex@contoso.example')) });
    expect(line?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const callback = r.hops.find((h) => h.url.startsWith(`${stack.app.url}/auth/redirect`)) as Page;
    expect(line?.requestId).toBe(requestIdOf(callback));
  });

  it('control 36: logs a failed sign-in with its reason', async () => {
    const b = browser();
    const from = stack.app.logs.length;
    const start = await b.get(`${stack.app.url}/auth/signin`);
    const cancelled = await b.submit(await b.get(start.location as string), 'button[value="cancel"]');
    const page = await b.get(cancelled.location as string);
    expect(page.status).toBe(401);
    expect(audits('signin.failure', from)).toEqual([expect.objectContaining({ reason: 'cancelled', error: 'access_denied', requestId: requestIdOf(page) })]);
    const forged = await b.get(`${stack.app.url}/auth/redirect?code=x&state=y`);
    expect(audits('signin.failure', from).at(-1)).toMatchObject({ reason: 'unknown-state', requestId: requestIdOf(forged) });
  });

  it('control 36: logs sign-out, local and front-channel', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'sam@contoso.example', { returnTo: '/incidents' });
    const from = stack.app.logs.length;
    const out = await b.submit(await b.get(`${stack.app.url}/incidents`), 'form[action="/auth/signout"] button');
    expect(audits('signout', from)).toEqual([expect.objectContaining({ how: 'local', requestId: requestIdOf(out), ...(await user('sam@contoso.example')) })]);

    const c = browser();
    await signIn(c, stack.app.url, 'morgan@contoso.example');
    const { clientId } = await stack.emu.control.app.registration();
    const morgan = await user('morgan@contoso.example');
    const idToken = (await stack.emu.control.tokens.issuedSecrets())
      .filter((s) => s.split('.').length === 3)
      .map((jwt) => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, string>)
      .filter((claims) => claims.aud === clientId && claims.oid === morgan.oid)
      .at(-1);
    const fc = await fetch(`${stack.app.url}/auth/frontchannel-logout?sid=${encodeURIComponent(idToken?.sid ?? '')}`);
    expect(fc.status).toBe(200);
    expect(audits('signout.frontchannel', from)).toEqual([expect.objectContaining({ ...morgan, sessions: 1, requestId: fc.headers.get('x-request-id') })]);
  });

  it('control 36: logs each consent outcome', async () => {
    const b = browser();
    const from = stack.app.logs.length;
    const state = async () => new URL((await b.get(`${stack.app.url}/admin/consent?tenant=${FABRIKAM_ID}`)).$('#consent-go').attr('href') as string).searchParams.get('state') as string;
    const ok = await b.get(`${stack.app.url}/admin/consent/callback?admin_consent=True&tenant=${FABRIKAM_ID}&state=${await state()}`);
    expect(ok.status).toBe(200);
    const mismatch = await b.get(`${stack.app.url}/admin/consent/callback?admin_consent=True&tenant=${CONTOSO_ID}&state=${await state()}`);
    const declined = await b.get(`${stack.app.url}/admin/consent/callback?error=access_denied&error_description=AADSTS65004&state=${await state()}`);
    const forged = await b.get(`${stack.app.url}/admin/consent/callback?admin_consent=True&tenant=${FABRIKAM_ID}&state=forged`);
    expect(audits('consent.granted', from)).toEqual([expect.objectContaining({ tenant: FABRIKAM_ID, linkTenant: FABRIKAM_ID, requestId: requestIdOf(ok) })]);
    expect(audits('consent.refused', from)).toEqual([
      expect.objectContaining({ reason: 'tenant-mismatch', linkTenant: FABRIKAM_ID, returnedTenant: CONTOSO_ID, requestId: requestIdOf(mismatch) }),
      expect.objectContaining({ reason: 'refused', error: 'access_denied', aadsts: 65004, requestId: requestIdOf(declined) }),
      expect.objectContaining({ reason: 'unconfirmed', requestId: requestIdOf(forged) }),
    ]);
  });

  it('control 36: logs CSRF and cross-site refusals with who was signed in', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    const riley = await user('riley@contoso.example');
    const from = stack.app.logs.length;
    const noToken = await b.post(`${stack.app.url}/auth/signout`, {});
    expect(noToken.status).toBe(403);
    const crossSite = await b.post(`${stack.app.url}/auth/signout`, {}, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(audits('csrf.refused', from)).toEqual([expect.objectContaining({ ...riley, method: 'POST', path: '/auth/signout', requestId: requestIdOf(noToken) })]);
    expect(audits('cross-site.refused', from)).toEqual([expect.objectContaining({ ...riley, origin: 'https://evil.example', requestId: requestIdOf(crossSite) })]);
  });

  it('control 36: logs an incident write: who, which incident, which fields, never the comment text', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    const id = (await stack.emu.control.incidents.list(CONTOSO_ID))[0]?.incidentId as number;
    const from = stack.app.logs.length;
    const secretText = `Contains a password hunter2-${Date.now()}`;
    const post = await b.submit(await b.get(`${stack.app.url}/incidents/${id}`), '#save', { comment: secretText });
    expect(post.status).toBe(303);
    expect(audits('incident.write', from)).toEqual([
      expect.objectContaining({ ...(await user('riley@contoso.example')), incidentId: String(id), outcome: 'saved', changed: ['comment'], requestId: requestIdOf(post) }),
    ]);
    expect(stack.app.logs.some((l) => l.includes('hunter2'))).toBe(false);
  });

  it('serves /auth/signed-out uncached and without the signed-in header, even to a signed-in browser', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'riley@contoso.example');
    const page = await b.get(`${stack.app.url}/auth/signed-out`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.$('.user')).toHaveLength(0);
    expect(page.$('form[action="/auth/signout"]')).toHaveLength(0);
    expect(page.$('h1').text()).toBe('You have signed out');
  });
});
