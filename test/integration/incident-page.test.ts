import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, itemAt } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { unindexedIncidentId } from '../helpers/indexSync';
import { startApp, startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let sam: TestBrowser;

beforeAll(async () => {
  // Syncs run at sign-in only (a long interval), so that none takes a fault a test injects for its page.
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, { SYNC_INTERVAL_S: '3600' });
  riley = new TestBrowser(stack.emu.caCertPem);
  sam = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
  await signIn(sam, stack.app.url, 'sam@contoso.example');
  await stack.app.services.sync.idle();
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all([riley.close(), sam.close()]);
  await stack.close();
});

/** Every incident the emulator holds for the tenant. */
async function all(): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const s of await stack.emu.control.incidents.list(CONTOSO_ID)) out.push((await stack.emu.control.incidents.get(CONTOSO_ID, s.incidentId)) as Incident);
  return out;
}
/** An incident riley may see and manage, and that the app has not read yet: its page calls the API. */
const someId = () => unindexedIncidentId(stack.emu);
const STATUS_LABEL: Record<string, string> = { Active: 'Active', InProgress: 'In progress', Resolved: 'Resolved', Redirected: 'Merged', AwaitingAction: 'Awaiting action' };

describe('incident page', () => {
  it('shows the header, alerts, de-duplicated assets and the comment timeline', async () => {
    // The richest incident: most alerts, with comments.
    const incident = itemAt(
      (await all()).filter((i) => (i.comments ?? []).length > 0).sort((a, b) => (b.alerts ?? []).length - (a.alerts ?? []).length),
      0,
      'incidents with comments',
    );
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    expect(page.status).toBe(200);
    expect(page.$('#incident-name').text()).toBe(incident.incidentName);
    expect(page.$('#status').text()).toContain(STATUS_LABEL[incident.status]);
    expect(page.$('#assigned-to').text()).toBe(incident.assignedTo || 'Unassigned');
    expect(page.$('a[target="_blank"]').first().attr('href')).toBe(incident.incidentUri);
    expect(page.$('#alerts details.alert')).toHaveLength((incident.alerts ?? []).length);
    const firstAlert = itemAt(incident.alerts ?? [], 0, 'alerts');
    const alertNode = page.$(`#alerts details[data-alert-id="${firstAlert.alertId}"]`);
    expect(alertNode.find('.alert-title').text()).toBe(firstAlert.title);
    expect(alertNode.text()).toContain(firstAlert.category as string);
    // Display labels, never API names ("MicrosoftDefenderForEndpoint").
    expect(alertNode.text()).not.toContain(firstAlert.serviceSource as string);
    expect(alertNode.text()).toMatch(/Defender for|Entra ID Protection|Microsoft Defender XDR|App governance|Data loss prevention|Unknown/);
    for (const t of firstAlert.mitreTechniques ?? []) expect(alertNode.text()).toContain(t);

    const deviceNames = new Set((incident.alerts ?? []).flatMap((a) => (a.devices ?? []).map((d) => d.deviceDnsName)));
    expect(page.$('#assets h3[data-evidence-type="device"]').text()).toBe(`Device (${deviceNames.size})`);
    expect(page.$('#activity li.comment')).toHaveLength((incident.comments ?? []).length);
  });

  it('says what links each alert to the others: the evidence it shares with them', async () => {
    const devicesOf = (a: NonNullable<Incident['alerts']>[number]) => new Set((a.devices ?? []).map((d) => d.deviceDnsName));
    const incident = itemAt(
      (await all()).filter((i) => {
        const [a, b] = i.alerts ?? [];
        return a !== undefined && b !== undefined && [...devicesOf(a)].some((n) => devicesOf(b).has(n));
      }),
      0,
      'incidents whose first two alerts share a device',
    );
    const [first, second] = incident.alerts ?? [];
    const shared = [...devicesOf(first as NonNullable<typeof first>)].find((n) => devicesOf(second as NonNullable<typeof second>).has(n));
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    expect(page.$(`#alerts details[data-alert-id="${first?.alertId}"] .linked-by`).text()).toMatch(new RegExp(`^Shares .*Device ${String(shared).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* with other alerts$`));
  });

  it('links each device, user, address, file and mailbox to the incidents the queue finds with it', async () => {
    const incident = itemAt((await all()).filter((i) => (i.alerts ?? []).some((a) => (a.devices ?? []).length > 0)), 0, 'incidents with a device');
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    const device = page.$('#assets h3[data-evidence-type="device"] + ul li').first();
    const name = device.find('strong').text();
    const href = device.find('a.pivot').attr('href') as string;
    expect(device.find('a.pivot').text()).toBe(`Find incidents with ${name}`);
    // And its own page in the portal, by the id Defender gives it.
    expect(device.find('a.portal').attr('href')).toBe(`https://security.microsoft.com/machines/${encodeURIComponent(device.find('code').last().text())}`);
    expect(new URL(href, stack.app.url).searchParams.get('q')).toBe(name);
    // Every status and severity: a closed or informational incident with the device counts too.
    expect(new URL(href, stack.app.url).searchParams.getAll('status')).toHaveLength(5);
    const queue = await riley.get(`${stack.app.url}${href}`);
    expect(queue.status).toBe(200);
    expect(queue.$('#incidents tbody tr').map((_, r) => queue.$(r).attr('data-incident-id')).get()).toContain(String(incident.incidentId));
  });

  it('groups evidence by type across alerts, with files\' hashes and processes\' command lines', async () => {
    const entities = (i: Incident) => (i.alerts ?? []).flatMap((a) => a.entities ?? []);
    const incident = (await all()).find((i) => {
      const e = entities(i);
      return e.some((x) => x.entityType === 'File' && x.sha256) && e.some((x) => x.entityType === 'Process' && x.processCommandLine) && e.some((x) => x.entityType === 'User');
    }) as Incident;
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    // As the portal lists them: Alerts, then Assets (devices, users, mailboxes, apps, cloud resources), then the rest of the evidence.
    expect(page.$('#alerts, #assets, #evidence').map((_, el) => page.$(el).attr('id')).get()).toEqual(['alerts', 'assets', 'evidence']);
    expect(page.$('#assets h3').map((_, el) => page.$(el).attr('data-evidence-type')).get()).toContain('user');
    const evidenceGroups = page.$('#evidence h3').map((_, el) => page.$(el).attr('data-evidence-type')).get();
    expect(evidenceGroups).toEqual(expect.arrayContaining(['file', 'process']));
    expect(evidenceGroups).not.toContain('user');
    const file = entities(incident).find((e) => e.entityType === 'File' && e.sha256) as unknown as { sha256: string };
    expect(page.$('#evidence code').text()).toContain(file.sha256);
    const proc = entities(incident).find((e) => e.entityType === 'Process' && e.processCommandLine) as unknown as { processCommandLine: string };
    expect(page.$('#evidence').text()).toContain(proc.processCommandLine);
    // A group lists an item once even when several alerts carry it.
    const items = page.$('#assets h3[data-evidence-type="user"] + ul li').map((_, el) => page.$(el).text().trim()).get();
    expect(items.length).toBe(new Set(items).size);
    expect(page.$('#assets h3[data-evidence-type="user"]').text()).toBe(`User (${items.length})`);
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

  it('answers 404 for something that is not an incident id without calling the API', async () => {
    const mark = await stack.emu.control.stats.mark();
    const page = await riley.get(`${stack.app.url}/incidents/abc%3Cscript%3E`);
    expect(page.status).toBe(404);
    expect(page.$('.problem h1').text()).toBe('Incident not found');
    expect(page.body).not.toContain('<script>');
    expect(await stack.emu.control.stats.requests(mark)).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    const page = await riley.get(`${stack.app.url}/incidents/999999999`);
    expect(page.status).toBe(404);
    expect(page.$('.problem h1').text()).toBe('Not found');
    expect(page.$('.problem').text()).toMatch(/no such incident/);
  });

  it('gives an analyst the API\'s answer for an incident outside their device groups', async () => {
    const samSees = new Set(await stack.emu.control.incidents.visibleIds('sam@contoso.example'));
    const hidden = (await all()).find((i) => !samSees.has(i.incidentId)) as Incident;
    const page = await sam.get(`${stack.app.url}/incidents/${hidden.incidentId}`);
    expect(page.status).toBe(404);
    expect(page.$('.problem').text()).toMatch(/outside what your role lets you see/);
    expect(page.body).not.toContain(hidden.incidentName as string);
  });

  it('explains a role problem (not consent) for an account without a security role, from what the token was granted', async () => {
    const pat = new TestBrowser(stack.emu.caCertPem);
    const r = await signIn(pat, stack.app.url, 'pat@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(403);
    expect(r.final.$('.problem h1').text()).toBe('Your role does not allow this');
    expect(r.final.$('.problem').text()).toMatch(/has the SecurityIncident.Read.All permission.*Security Reader/);
    expect(r.final.$('.problem a[href="/admin/consent"]')).toHaveLength(0);
    await pat.close();
  });

  it.each([
    ['503', 503, 'Microsoft Defender is having trouble', '30'],
    ['500', 503, 'Microsoft Defender is having trouble', '30'],
    ['non-json', 502, 'Microsoft sent an unreadable answer', null],
    ['truncated', 502, 'Microsoft sent an unreadable answer', null],
  ] as const)('turns an upstream %s into a specific page', async (kind, status, title, retryAfter) => {
    const id = await someId();
    // Two faults: the client retries a short 503 once.
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind, count: 2, retryAfter: 30 });
    try {
      const page = await riley.get(`${stack.app.url}/incidents/${id}`);
      expect(page.status).toBe(status);
      expect(page.$('.problem h1').text()).toBe(title);
      expect(page.headers.get('retry-after')).toBe(retryAfter);
      // The page offers to load it again.
      expect(page.$('.problem a.button', ).filter((_, a) => page.$(a).text() === 'Try again').attr('href')).toBe(`/incidents/${id}`);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });

  it('absorbs one short throttle by waiting Retry-After and retrying', async () => {
    const id = await someId();
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '429', count: 1, retryAfter: 1 });
    const started = Date.now();
    const page = await riley.get(`${stack.app.url}/incidents/${id}`);
    expect(page.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('times out a slow API instead of hanging', async () => {
    const impatient = await startApp(stack.emu, { API_TIMEOUT_MS: '500' });
    const b = new TestBrowser(stack.emu.caCertPem);
    try {
      await signIn(b, impatient.url, 'riley@contoso.example');
      // Its first fill done, no sync of its own takes the faults meant for the page.
      await impatient.services.sync.idle();
      const id = await someId();
      await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: 'delay', delayMs: 2_000, count: 2 });
      const started = Date.now();
      const page = await b.get(`${impatient.url}/incidents/${id}`);
      expect({ status: page.status, title: page.$('.problem h1').text() }).toEqual({ status: 504, title: 'Microsoft did not answer in time' });
      expect(Date.now() - started).toBeLessThan(1_900);
    } finally {
      await stack.emu.control.faults.clear();
      await b.close();
      await impatient.close();
    }
  });
});

describe('what changed with the move to Graph', () => {
  it('shows a merged incident as "merged into #N" with a link, and no manage controls', async () => {
    const merged = (await all()).find((i) => i.status === 'Redirected' && i.redirectIncidentId) as Incident;
    const page = await riley.get(`${stack.app.url}/incidents/${merged.incidentId}`);
    expect(page.status).toBe(200);
    expect(page.$('#status').text()).toContain(`Merged — merged into #${merged.redirectIncidentId}`);
    expect(page.$('#merged-into').attr('href')).toBe(`/incidents/${merged.redirectIncidentId}`);
    expect(page.$('#manage')).toHaveLength(0);
    expect(page.$('#merged-notice').text()).toContain(`#${merged.redirectIncidentId}`);
  });

  it('keeps a status the analyst may not set (awaiting action) unless another is chosen, and names it as it is', async () => {
    // The legacy shape the control face returns says "Active" for these; the summaries say what they are.
    const awaiting = (await stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'AwaitingAction') as { incidentId: number };
    const page = await riley.get(`${stack.app.url}/incidents/${awaiting.incidentId}`);
    expect(page.$('#status').text()).toContain('Awaiting action');
    expect(page.$('#status-select option[selected]').attr('value')).toBe('');
    expect(page.$('#status-select option[selected]').text()).toBe('Keep: Awaiting action');
  });

  it('fills a new analyst\'s queue even when one listed incident could not be read', async () => {
    const casey = new TestBrowser(stack.emu.caCertPem);
    try {
      await stack.emu.control.faults.add({ endpoint: 'incidents.list', kind: 'odd-item', count: 1 });
      await signIn(casey, stack.app.url, 'alex@contoso.example');
      const page = await casey.get(`${stack.app.url}/incidents`);
      expect(page.status).toBe(200);
      expect(page.$('#incidents tbody tr').length).toBeGreaterThan(0);
      expect(page.$('#sync-error')).toHaveLength(0);
    } finally {
      await stack.emu.control.faults.clear();
      await casey.close();
    }
  });
});

// Last in the file: a 429 holds every call of the tenant until its Retry-After.
describe('throttling', () => {
  it('turns an upstream 429 into a specific page, then holds every call of the tenant (any analyst) until its Retry-After', async () => {
    const [first, second] = [await someId(), await someId()];
    // A 429 of 6 s is too long to absorb inline, and longer than a page waits for the budget.
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '429', count: 2, retryAfter: 6 });
    try {
      const page = await riley.get(`${stack.app.url}/incidents/${first}`);
      expect(page.status).toBe(429);
      expect(page.$('.problem h1').text()).toBe('Microsoft is throttling requests');
      expect(page.headers.get('retry-after')).toBe('6');
    } finally {
      await stack.emu.control.faults.clear();
    }
    const mark = await stack.emu.control.stats.mark();
    const held = await sam.get(`${stack.app.url}/incidents/${second}`);
    expect(held.status).toBe(503);
    expect(held.$('.problem h1').text()).toBe('Microsoft asked ThreatDesk to wait');
    expect(Number(held.headers.get('retry-after'))).toBeLessThanOrEqual(6);
    expect(await stack.emu.control.stats.requests(mark)).toEqual([]);
    await new Promise((r) => setTimeout(r, 6_100));
    expect((await riley.get(`${stack.app.url}/incidents/${second}`)).status).toBe(200);
  });

  it('reads the wait of a 429 that carries it only in its message (the legacy form)', async () => {
    const id = await someId();
    await stack.emu.control.faults.add({ endpoint: 'incidents.get', kind: '429-body', count: 2, retryAfter: 8 });
    try {
      const page = await riley.get(`${stack.app.url}/incidents/${id}`);
      expect(page.status).toBe(429);
      expect(page.headers.get('retry-after')).toBe('8');
      expect(page.$('.problem').text()).toContain('Try again in 8 seconds');
    } finally {
      await stack.emu.control.faults.clear();
    }
  });
});
