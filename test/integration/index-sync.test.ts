import { CONTOSO_ID, type Incident } from '@threatdesk/emulator';
import type { Page, TestBrowser } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';
import { syncNow } from '../helpers/indexSync';

/**
 * The incident index kept fresh by syncs: deltas at the analyst's pages once the index is older
 * than SYNC_INTERVAL_S (5 s here), reconciles of the open incidents (every 5 s here), writes
 * through ThreatDesk recorded at once, and pages that never wait for Microsoft.
 */
const INTERVAL_MS = 5_000;
const s = useFileStack({ quotas: { list: 100_000, get: 100_000, update: 100_000, graph: 100_000 } }, { SYNC_INTERVAL_S: '5', SYNC_RECONCILE_S: '5' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (p: Page) => p.$('#incidents tbody tr').map((_, el) => Number(p.$(el).attr('data-incident-id'))).get();
const full = async (id: number) => (await s.emu.control.incidents.get(CONTOSO_ID, id)) as Incident;
const OPEN = '?status=active&status=inProgress&status=awaitingAction&severity=high&severity=medium&severity=low&severity=informational';

/** An active, unassigned incident visible to `upn` (and not to `not`). */
async function openVisibleTo(upn: string, not?: string): Promise<Incident> {
  const mine = new Set(await s.emu.control.incidents.visibleIds(upn));
  const theirs = new Set(not ? await s.emu.control.incidents.visibleIds(not) : []);
  for (const summary of await s.emu.control.incidents.list(CONTOSO_ID)) {
    // The summaries name awaiting action as it is; the legacy shape of `full` calls it Active.
    if (!mine.has(summary.incidentId) || theirs.has(summary.incidentId) || summary.status !== 'Active') continue;
    const i = await full(summary.incidentId);
    if (i.status === 'Active' && !i.assignedTo && Date.parse(i.lastUpdateTime) > Date.now() - 150 * 86_400_000) return i;
  }
  throw new Error(`no active, unassigned incident visible to ${upn}${not ? ` and not to ${not}` : ''}`);
}

describe('the incident index', () => {
  let riley: TestBrowser;
  beforeAll(async () => {
    riley = s.browser();
    await signIn(riley, s.app.url, 'riley@contoso.example');
    await s.app.services.sync.idle();
  });

  it('shows a change made in Microsoft Defender, in the queue and in the incident\'s history, within one sync interval', async () => {
    const incident = await openVisibleTo('riley@contoso.example');
    const before = await riley.get(`${s.app.url}/incidents${OPEN}&q=${incident.incidentId}`);
    expect(ids(before)).toEqual([incident.incidentId]);
    await s.emu.control.incidents.change(CONTOSO_ID, incident.incidentId, { assignedTo: 'sam@contoso.example', status: 'InProgress' });
    const changed = Date.now();
    let seenAfter: number | undefined;
    while (Date.now() - changed < INTERVAL_MS + 5_000) {
      // Pages only read the index; one finding it older than the interval starts a delta behind it.
      const page = await riley.get(`${s.app.url}/incidents${OPEN}&q=${incident.incidentId}`);
      if (page.$('#incidents tbody tr td.c-who').text() === 'sam@contoso.example') {
        seenAfter = Date.now() - changed;
        break;
      }
      await sleep(250);
    }
    expect(seenAfter).toBeDefined();
    expect(seenAfter).toBeLessThanOrEqual(INTERVAL_MS + 2_000);
    const page = await riley.get(`${s.app.url}/incidents/${incident.incidentId}`);
    const history = page.$('#activity li.change').map((_, li) => page.$(li).text().replace(/\s+/g, ' ').trim()).get();
    expect(history.some((h) => /seen at a sync Assigned to: Unassigned → sam@contoso\.example/.test(h))).toBe(true);
    expect(history.some((h) => /seen at a sync Status: Active → In progress/.test(h))).toBe(true);
    expect(history.at(-1)).toMatch(/First seen$/);
  });

  it('never makes a page wait for a sync: Refresh answers at once while Microsoft is slow', async () => {
    await s.app.services.sync.idle();
    await s.emu.control.faults.add({ endpoint: 'incidents.list', kind: 'delay', delayMs: 3_000, count: 1 });
    try {
      const queue = await riley.get(`${s.app.url}/incidents`);
      const started = Date.now();
      const refreshed = await riley.submit(queue, 'form[action="/incidents/refresh"] button');
      expect(refreshed.status).toBe(303);
      const page = await riley.get(new URL(refreshed.location as string, s.app.url).toString());
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(page.status).toBe(200);
      expect(page.$('#as-of').text()).toMatch(/; refreshing\.$/);
      expect(ids(page).length).toBeGreaterThan(0);
    } finally {
      await s.app.services.sync.idle();
      await s.emu.control.faults.clear();
    }
  });

  it('records a change made through ThreatDesk at once, as made by the analyst', async () => {
    const incident = await openVisibleTo('riley@contoso.example');
    const page = await riley.get(`${s.app.url}/incidents/${incident.incidentId}`);
    const saved = await riley.submit(page, '#assign-me');
    expect(saved.status).toBe(303);
    const mark = await s.emu.control.stats.mark();
    const mine = await riley.get(`${s.app.url}/incidents?assignee=me&q=${incident.incidentId}`);
    expect(ids(mine)).toEqual([incident.incidentId]);
    // From the index: the queue did not ask Microsoft.
    expect((await s.emu.control.stats.requests(mark)).filter((r) => r.path.endsWith('/security/incidents'))).toEqual([]);
    const after = await riley.get(`${s.app.url}/incidents/${incident.incidentId}`);
    expect(after.$('#activity li.change').first().text().replace(/\s+/g, ' ')).toContain('by riley@contoso.example in ThreatDesk Assigned to: Unassigned → riley@contoso.example');
  });

  it('drops an incident the analyst no longer sees (a device-group change) at the next reconcile', async () => {
    const alex = s.browser();
    await signIn(alex, s.app.url, 'alex@contoso.example');
    await s.app.services.sync.idle();
    const servers = await openVisibleTo('alex@contoso.example', 'sam@contoso.example');
    expect(ids(await alex.get(`${s.app.url}/incidents${OPEN}&q=${servers.incidentId}`))).toEqual([servers.incidentId]);
    await s.emu.control.users.update('alex@contoso.example', { defender: { deviceGroups: ['Workstations'] } });
    try {
      await sleep(5_100);
      await syncNow(s.app, alex);
      expect(ids(await alex.get(`${s.app.url}/incidents${OPEN}&q=${servers.incidentId}`))).toEqual([]);
    } finally {
      await s.emu.control.users.update('alex@contoso.example', { defender: { deviceGroups: ['Servers', 'Workstations'] } });
    }
  });

  it('shows a new analyst an empty queue that says why, not an error page, while Microsoft is unavailable', async () => {
    await s.emu.control.users.add({ upn: 'quinn@contoso.example', name: 'Quinn Park', defender: { role: 'analyst', deviceGroups: '*', canUpdate: false }, entraRoles: ['Security Reader'] });
    const quinn = s.browser();
    await s.emu.control.faults.add({ endpoint: 'incidents.list', kind: '503', retryAfter: 1, count: 50 });
    try {
      await signIn(quinn, s.app.url, 'quinn@contoso.example');
      await s.app.services.sync.idle();
      const page = await quinn.get(`${s.app.url}/incidents`);
      expect(page.status).toBe(200);
      expect(page.$('#as-of').text()).toMatch(/^ThreatDesk is reading your open incidents for the first time/);
      expect(page.$('#sync-error').text()).toMatch(/did not answer in time; ThreatDesk tries again/);
      expect(ids(page)).toEqual([]);
    } finally {
      await s.emu.control.faults.clear();
    }
    await syncNow(s.app, quinn);
    expect(ids(await quinn.get(`${s.app.url}/incidents`)).length).toBeGreaterThan(0);
  });

  it('resumes a first fill cut short where it stopped, instead of reading its first pages again', async () => {
    await s.emu.control.users.add({ upn: 'robin@contoso.example', name: 'Robin Lee', defender: { role: 'analyst', deviceGroups: '*', canUpdate: false }, entraRoles: ['Security Reader'] });
    const robin = s.browser();
    // The fill's first page is slow; while it is read, Microsoft starts failing: the second page fails.
    await s.emu.control.faults.add({ endpoint: 'incidents.list', kind: 'delay', delayMs: 1_500, count: 1 });
    await signIn(robin, s.app.url, 'robin@contoso.example', { returnTo: '/me/token' });
    await s.emu.control.faults.add({ endpoint: 'incidents.list', kind: '503', retryAfter: 1, count: 4 });
    try {
      await s.app.services.sync.idle();
      const partial = await robin.get(`${s.app.url}/incidents`);
      expect(partial.$('#as-of').text()).toMatch(/^ThreatDesk is reading your open incidents for the first time/);
      expect(ids(partial).length).toBeGreaterThan(0);
    } finally {
      await s.emu.control.faults.clear();
    }
    await s.app.services.sync.idle();
    const mark = await s.emu.control.stats.mark();
    await syncNow(s.app, robin);
    const lists = (await s.emu.control.stats.requests(mark)).filter((r) => r.path.endsWith('/security/incidents'));
    // It went on from the second page's link; the first page was not read again.
    expect(lists[0]?.query.$skiptoken).toBeDefined();
    expect((await robin.get(`${s.app.url}/incidents`)).$('#as-of').text()).toMatch(/^Incidents as of/);
  });

  it('shows the tenant\'s budget and every analyst\'s index on /admin/status, and no incident', async () => {
    await signIn(s.browser(), s.app.url, 'sam@contoso.example');
    await s.app.services.sync.idle();
    const status = await riley.get(`${s.app.url}/admin/status`);
    expect(status.status).toBe(200);
    const cellsOf = (table: string) => status.$(`${table} tbody tr`).toArray().map((tr) => status.$(tr).find('td').toArray().map((td) => status.$(td).text().trim()));
    expect(cellsOf('#budget-rules')).toEqual([
      ['incident lists, incident reads, changes, hunting queries', '100000 per minute', expect.stringMatching(/^\d+ of 25000$/)],
      ['hunting queries', '100000 per minute', expect.stringMatching(/^\d+ of 25000$/)],
    ]);
    expect(status.$('#last-minute').text()).toMatch(/In the last minute: \d+ calls for analysts' pages and changes, \d+ for syncs, \d+ for backfill; \d+ held back\./);
    const cells = cellsOf('#analysts');
    const mine = cells.find((c) => c[0] === 'You') as string[];
    expect(Number(mine[1])).toBeGreaterThan(0);
    const sam = await s.emu.control.users.get('sam@contoso.example');
    expect(cells.some((c) => c[0] === `${sam?.oid.slice(0, 8)}…`)).toBe(true);
    // Progress only: no incident's name appears.
    const names = await Promise.all((await s.emu.control.incidents.list(CONTOSO_ID)).slice(0, 30).map(async (i) => (await full(i.incidentId)).incidentName as string));
    for (const name of names) expect(status.body).not.toContain(name);
  });

  it('keeps serving pages from the index while Microsoft throttles the tenant, and keeps a change\'s text for later', async () => {
    const incident = await openVisibleTo('riley@contoso.example');
    const page = await riley.get(`${s.app.url}/incidents/${incident.incidentId}`);
    await s.app.services.sync.idle();
    // A 429 on the next listing pauses every call of the tenant for 6 s.
    await s.emu.control.faults.add({ endpoint: 'incidents.list', kind: '429', count: 2, retryAfter: 6 });
    try {
      await syncNow(s.app, riley);
      const queue = await riley.get(`${s.app.url}/incidents`);
      expect(queue.status).toBe(200);
      expect(ids(queue).length).toBeGreaterThan(0);
      expect(queue.$('#sync-error').text()).toMatch(/throttling the tenant/);
      const status = await riley.get(`${s.app.url}/admin/status`);
      expect(status.$('#paused').text()).toMatch(/no call is sent until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      const mark = await s.emu.control.stats.mark();
      const kept = await riley.submit(page, '#save', { comment: 'Escalated to the on-call engineer' });
      expect(kept.status).toBe(503);
      expect(Number(kept.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(kept.$('#manage-error').text()).toMatch(/Nothing was sent; your text is kept below/);
      expect(kept.$('#comment-input').text()).toBe('Escalated to the on-call engineer');
      expect(await s.emu.control.stats.requests(mark)).toEqual([]);
    } finally {
      await s.emu.control.faults.clear();
    }
  });
});
