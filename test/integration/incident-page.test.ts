import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '../../src/defender/types';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let sam: TestBrowser;

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000 } });
  riley = new TestBrowser(stack.emu.caCertPem);
  sam = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
  await signIn(sam, stack.app.url, 'sam@contoso.example');
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all([riley.close(), sam.close()]);
  await stack.close();
});

/** Every incident Defender holds for the tenant, in API order. */
async function all(): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const s of await stack.emu.control.incidents.list(CONTOSO_ID)) out.push((await stack.emu.control.incidents.get(CONTOSO_ID, s.incidentId)) as unknown as Incident);
  return out;
}
/** The newest incident's id. */
const firstId = async () => (await stack.emu.control.incidents.list(CONTOSO_ID))[0].incidentId;

describe('incident page', () => {
  it('shows the header, alerts, de-duplicated assets and the comment timeline', async () => {
    // The richest incident: most alerts, with comments.
    const incident = (await all()).filter((i) => (i.comments ?? []).length > 0).sort((a, b) => (b.alerts ?? []).length - (a.alerts ?? []).length)[0];
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    expect(page.status).toBe(200);
    expect(page.$('#incident-name').text()).toBe(incident.incidentName);
    expect(page.$('#status').text()).toContain(incident.status === 'InProgress' ? 'In progress' : incident.status);
    expect(page.$('#assigned-to').text()).toBe(incident.assignedTo || 'Unassigned');
    expect(page.$('a[target="_blank"]').first().attr('href')).toBe(incident.incidentUri);
    expect(page.$('#alerts details.alert')).toHaveLength((incident.alerts ?? []).length);
    const firstAlert = (incident.alerts ?? [])[0];
    const alertNode = page.$(`#alerts details[data-alert-id="${firstAlert.alertId}"]`);
    expect(alertNode.find('.alert-title').text()).toBe(firstAlert.title);
    expect(alertNode.text()).toContain(firstAlert.category as string);
    expect(alertNode.text()).toContain(firstAlert.serviceSource as string);
    for (const t of firstAlert.mitreTechniques ?? []) expect(alertNode.text()).toContain(t);

    const deviceIds = new Set((incident.alerts ?? []).flatMap((a) => (a.devices ?? []).map((d) => d.mdatpDeviceId)));
    expect(page.$('#devices tbody tr')).toHaveLength(deviceIds.size);
    expect(page.$('#comments .timeline li')).toHaveLength((incident.comments ?? []).length);
  });

  it('groups entities by type across alerts, with files\' hashes and processes\' command lines', async () => {
    const incident = (await all()).find((i) => {
      const types = new Set((i.alerts ?? []).flatMap((a) => (a.entities ?? []).map((e) => e.entityType.toLowerCase())));
      return types.has('file') && types.has('process') && types.has('user');
    }) as Incident;
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    const groups = page.$('#assets h3').map((_, el) => page.$(el).attr('data-entity-group')).get();
    expect(groups).toEqual(expect.arrayContaining(['Users', 'Files', 'Processes']));
    const file = (incident.alerts ?? []).flatMap((a) => a.entities ?? []).find((e) => e.entityType === 'File' && e.sha256);
    if (file) expect(page.body).toContain(String(file.sha256));
    const proc = (incident.alerts ?? []).flatMap((a) => a.entities ?? []).find((e) => e.entityType === 'Process');
    if (proc?.processCommandLine) expect(page.$('#assets code').text()).toContain(String(proc.processCommandLine));
    // Each group lists an entity once even when several alerts carry it.
    const users = (incident.alerts ?? []).flatMap((a) => a.entities ?? []).filter((e) => e.entityType === 'User');
    const distinct = new Set(users.map((u) => `${u.aadUserId}|${u.userSid}|${u.userPrincipalName}|${u.accountName}|${u.domainName}`));
    const heading = page.$('#assets h3[data-entity-group="Users"]').text();
    expect(heading).toBe(`Users (${distinct.size})`);
  });

  it('renders every string from Defender as text', async () => {
    const incident = (await all()).find((i) => (i.comments ?? []).some((c) => c.comment.includes('<')) && (i.incidentName ?? '').includes('<')) as Incident;
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    expect(page.$('#incident-name').text()).toBe(incident.incidentName);
    expect(page.body).not.toMatch(/<img src=x|<script>alert/);
    expect(page.$('img').length).toBe(0);
    expect(page.$('script:not([src])').length).toBe(0);
    const markupComment = (incident.comments ?? []).find((c) => c.comment.includes('<')) as { comment: string };
    expect(page.$('.comment-text').map((_, el) => page.$(el).text()).get()).toContain(markupComment.comment);
  });

  it('answers 404 for a non-numeric id without calling Defender', async () => {
    const mark = await stack.emu.control.stats.mark();
    const page = await riley.get(`${stack.app.url}/incidents/abc%3Cscript%3E`);
    expect(page.status).toBe(404);
    expect(page.$('.problem h1').text()).toBe('Incident not found');
    expect(page.body).not.toContain('<script>');
    expect(await stack.emu.control.stats.requests(mark)).toEqual([]);
  });

  it('answers 404 for an unknown id, with Defender\'s words', async () => {
    const page = await riley.get(`${stack.app.url}/incidents/999999999`);
    expect(page.status).toBe(404);
    expect(page.$('.problem h1').text()).toBe('Not found');
    expect(page.$('.problem').text()).toContain('999999999');
  });

  it('gives an analyst the API\'s answer for an incident outside their device groups', async () => {
    const samSees = new Set(await stack.emu.control.incidents.visibleIds('sam@contoso.example'));
    const hidden = (await all()).find((i) => !samSees.has(i.incidentId)) as Incident;
    const page = await sam.get(`${stack.app.url}/incidents/${hidden.incidentId}`);
    expect(page.status).toBe(404);
    expect(page.$('.problem').text()).toMatch(/outside the device groups you may see/);
    expect(page.body).not.toContain(hidden.incidentName as string);
  });

  it('explains a Defender role problem for an account without one', async () => {
    const pat = new TestBrowser(stack.emu.caCertPem);
    const r = await signIn(pat, stack.app.url, 'pat@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(403);
    expect(r.final.$('.problem h1').text()).toBe('Your Defender role does not allow this');
    expect(r.final.$('.problem').text()).toMatch(/has no Microsoft Defender XDR role/);
    await pat.close();
  });

  it.each([
    ['429', 429, 'Microsoft Defender is throttling requests', '7'],
    ['503', 503, 'Microsoft Defender is having trouble', '30'],
    ['500', 503, 'Microsoft Defender is having trouble', '30'],
    ['non-json', 502, 'Microsoft Defender sent an unreadable answer', null],
    ['truncated', 502, 'Microsoft Defender sent an unreadable answer', null],
  ] as const)('turns an upstream %s into a specific page', async (kind, status, title, retryAfter) => {
    const id = await firstId();
    // Two faults: the client retries a short 503 once; a 429 of 7 s is too long to absorb inline.
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind, count: 2, retryAfter: kind === '429' ? 7 : 30 });
    try {
      const page = await riley.get(`${stack.app.url}/incidents/${id}`);
      expect(page.status).toBe(status);
      expect(page.$('.problem h1').text()).toBe(title);
      expect(page.headers.get('retry-after')).toBe(retryAfter);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });

  it('absorbs one short throttle by waiting Retry-After and retrying', async () => {
    const id = await firstId();
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '429', count: 1, retryAfter: 1 });
    const started = Date.now();
    const page = await riley.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('times out a slow Defender instead of hanging', async () => {
    const impatient = await startApp(stack.emu, { DEFENDER_TIMEOUT_MS: '500' });
    const b = new TestBrowser(stack.emu.caCertPem);
    try {
      await signIn(b, impatient.url, 'riley@contoso.example');
      const id = await firstId();
      await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: 'delay', delayMs: 2_000, count: 2 });
      const started = Date.now();
      const page = await b.get(`${impatient.url}/incidents/${id}`);
      expect({ status: page.status, title: page.$('.problem h1').text() }).toEqual({ status: 504, title: 'Microsoft Defender did not answer in time' });
      expect(page.$('.problem h1').text()).toBe('Microsoft Defender did not answer in time');
      expect(Date.now() - started).toBeLessThan(1_900);
    } finally {
      await stack.emu.control.faults.clear();
      await b.close();
      await impatient.close();
    }
  });
});
