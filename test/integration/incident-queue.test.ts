import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { canonicalDetermination } from '../../src/incidents/model';
import { fillIndex, syncNow } from '../helpers/indexSync';
import { startStack } from '../helpers/stack';
import { request } from 'undici';

/**
 * The queue, read from the analyst's incident index once syncs have filled it from the Microsoft
 * Graph security API (the default source), against an emulator that serves incidents in an order of
 * its own: nothing here may depend on it. Syncs run only when the test asks (a long interval). The
 * index is the embedded PGlite here, as in the demo; the other integration tests run it on PostgreSQL.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
const DAY = 24 * 3600e3;

beforeAll(async () => {
  stack = await startStack({ incidents: 2000, quotas: { list: 100_000, get: 100_000, update: 100_000, graph: 100_000 } }, { SYNC_INTERVAL_S: '3600' }, { index: 'pglite' });
  riley = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
  await fillIndex(stack.app, riley);
}, 120_000);

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await riley.close();
  await stack.close();
});

const full = async (id: number) => (await stack.emu.control.incidents.get(CONTOSO_ID, id)) as Incident;
const ids = (p: Page) => p.$('#incidents tbody tr').map((_, el) => Number(p.$(el).attr('data-incident-id'))).get();
const byNumber = (a: number, b: number) => a - b;
const lower = (v: unknown) => String(v ?? '').toLowerCase();

/** Every incident the emulator holds for the tenant that matches, as a sorted list of ids. */
async function expected(predicate: (i: Incident) => boolean): Promise<number[]> {
  const out: number[] = [];
  for (const s of await stack.emu.control.incidents.list(CONTOSO_ID)) {
    const i = await full(s.incidentId);
    if (predicate(i)) out.push(i.incidentId);
  }
  return out.sort(byNumber);
}

const recent = (i: Incident, ms: number) => Date.parse(i.lastUpdateTime) >= Date.now() - ms - 60_000;
const open = (i: Incident) => ['active', 'inprogress', 'awaitingaction'].includes(lower(i.status));
const defaults = (i: Incident) => open(i) && ['high', 'medium', 'low'].includes(lower(i.severity)) && recent(i, 183 * DAY);

const total = (p: Page) => Number(p.$('#total strong').text());

async function readAllPages(path: string): Promise<{ ids: number[]; pages: Page[] }> {
  const out: number[] = [];
  const pages: Page[] = [];
  let next: string | undefined = `${stack.app.url}${path}`;
  while (next && pages.length < 200) {
    const page = await riley.get(next);
    expect(page.status).toBe(200);
    pages.push(page);
    out.push(...ids(page));
    const href = page.$('#next').attr('href');
    next = href ? `${stack.app.url}${href}` : undefined;
  }
  return { ids: out, pages };
}

/** Opens an incident's page, which reads its alerts (and so its entities) into the index. */
async function openIncident(id: number): Promise<Page> {
  const page = await riley.get(`${stack.app.url}/incidents/${id}`);
  expect(page.status).toBe(200);
  return page;
}

describe('incident queue', () => {
  it('defaults to the open statuses, High/Medium/Low, last 6 months, newest update first, with a true total', async () => {
    const page = await riley.get(`${stack.app.url}/incidents`);
    expect(page.status).toBe(200);
    const want = await expected(defaults);
    expect(total(page)).toBe(want.length);
    const shown = ids(page);
    expect(shown).toHaveLength(50);
    const wanted = new Set(want);
    for (const id of shown) expect(wanted.has(id)).toBe(true);
    // The newest updates of the whole result, not of one API page.
    const times = await Promise.all(want.map(async (id) => ({ id, t: Date.parse((await full(id)).lastUpdateTime) })));
    const newest = times.sort((a, b) => b.t - a.t || b.id - a.id).slice(0, 50).map((x) => x.id);
    expect(shown).toEqual(newest);
    // Informational is hidden but counted, over the whole filtered set.
    const informational = await expected((i) => open(i) && lower(i.severity) === 'informational' && recent(i, 183 * DAY));
    expect(page.$('#severity-counts [data-severity="informational"]').text()).toMatch(new RegExp(`${informational.length} hidden`));
    expect(page.$('#as-of').text()).toMatch(/^Incidents as of \d\d:\d\d:\d\d UTC \((\d+ seconds? ago|now)\)\.$/);
  });

  it('serves every view from the index: no call to Microsoft per page, filter or sort', async () => {
    const mark = await stack.emu.control.stats.mark();
    for (const q of ['', '?status=resolved', '?sort=name&dir=asc', '?q=ransomware', '?severity=informational&page=2', '?window=3d']) {
      expect((await riley.get(`${stack.app.url}/incidents${q}`)).status).toBe(200);
    }
    expect(await stack.emu.control.stats.requests(mark)).toEqual([]);
  });

  it.each([
    ['status', '?status=resolved', (i: Incident) => lower(i.status) === 'resolved'],
    ['several statuses', '?status=resolved&status=redirected', (i: Incident) => ['resolved', 'redirected'].includes(lower(i.status))],
    ['assigned to me', '?assignee=me', (i: Incident) => i.assignedTo === 'riley@contoso.example'],
    ['assigned to an address', '?assignee=sam%40contoso.example', (i: Incident) => i.assignedTo === 'sam@contoso.example'],
    ['last 7 days', '?window=7d', (i: Incident) => recent(i, 7 * DAY)],
    ['last 3 days', '?window=3d', (i: Incident) => recent(i, 3 * DAY)],
    ['severity', '?severity=informational', (i: Incident) => lower(i.severity) === 'informational'],
    ['unassigned', '?assignee=unassigned', (i: Incident) => !i.assignedTo || i.assignedTo === 'Unassigned'],
    ['tag', '?tag=VIP', (i: Incident) => (i.tags ?? []).includes('VIP')],
    ['search by name', '?q=ransomware', (i: Incident) => (i.incidentName ?? '').toLowerCase().includes('ransomware')],
  ])('filters by %s over the whole index, with its total', async (_name, query, predicate) => {
    const page = await riley.get(`${stack.app.url}/incidents${query}`);
    expect(page.status).toBe(200);
    const f = new URLSearchParams(query);
    const base = (i: Incident) =>
      (f.has('status') ? true : open(i)) && (f.has('severity') ? true : ['high', 'medium', 'low'].includes(lower(i.severity))) && (f.has('window') ? true : recent(i, 183 * DAY));
    const want = await expected((i) => base(i) && predicate(i));
    expect(want.length).toBeGreaterThan(0);
    expect(total(page)).toBe(want.length);
    for (const id of ids(page)) expect(want).toContain(id);
  });

  it('filters by classification and determination', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?status=resolved&classification=falsePositive&window=6m`);
    const want = await expected((i) => lower(i.status) === 'resolved' && lower(i.classification) === 'falsepositive' && ['high', 'medium', 'low'].includes(lower(i.severity)) && recent(i, 183 * DAY));
    expect(want.length).toBeGreaterThan(0);
    expect(total(page)).toBe(want.length);
    const [one] = ids(page) as [number];
    const determination = (await full(one)).determination as string;
    const narrowed = await riley.get(`${stack.app.url}/incidents?status=resolved&classification=falsePositive&determination=${canonicalDetermination(determination)}`);
    expect(narrowed.status).toBe(200);
    expect(ids(narrowed)).toContain(one);
  });

  it('searches by id', async () => {
    const id = (await expected(defaults))[3];
    const page = await riley.get(`${stack.app.url}/incidents?q=${id}`);
    expect(ids(page)).toContain(id);
  });

  it('finds an incident by the device, user or file hash of its evidence once its alerts were read', async () => {
    const incident = (await Promise.all((await expected(defaults)).slice(0, 40).map(full))).find((i) =>
      (i.alerts ?? []).some((a) => (a.devices ?? []).length > 0),
    ) as Incident;
    await openIncident(incident.incidentId);
    const device = ((incident.alerts ?? []).flatMap((a) => a.devices ?? [])[0] as { deviceDnsName: string }).deviceDnsName;
    const byDevice = await riley.get(`${stack.app.url}/incidents?q=${encodeURIComponent(device.toUpperCase())}`);
    expect(ids(byDevice)).toContain(incident.incidentId);
    for (const id of ids(byDevice)) {
      const i = await full(id);
      const names = (i.alerts ?? []).flatMap((a) => (a.devices ?? []).map((d) => d.deviceDnsName.toLowerCase()));
      expect(names.some((n) => n.startsWith(device.toLowerCase())) || String(i.incidentId) === device || (i.incidentName ?? '').toLowerCase().includes(device.toLowerCase())).toBe(true);
    }
  });

  it('filters by service source once alerts were read', async () => {
    const id = (await expected(defaults))[5] as number;
    await openIncident(id);
    const source = ((await full(id)).alerts ?? [])[0]?.serviceSource as string;
    const graphName = source.charAt(0).toLowerCase() + source.slice(1);
    const page = await riley.get(`${stack.app.url}/incidents?source=${graphName}&q=${id}`);
    expect(page.status).toBe(200);
    expect(ids(page)).toEqual([id]);
    // Offered by its display name, the chosen one selected.
    expect(page.$('select[name="source"] option[selected]').attr('value')).toBe(graphName);
    expect(page.$('select[name="source"] option[value="microsoftDefenderForOffice365"]').text()).toBe('Defender for Office 365');
    const other = await riley.get(`${stack.app.url}/incidents?source=notASource&q=${id}`);
    expect(ids(other)).toEqual([]);
    // A value it does not know stays chosen, marked as such.
    expect(other.$('select[name="source"] option[selected]').text()).toBe('notASource (not known to ThreatDesk)');
  });

  it('titles each view after what it shows, and marks the built-in view in use', async () => {
    const title = async (path: string) => (await riley.get(`${stack.app.url}${path}`)).$('head > title').text();
    expect(await title('/incidents')).toBe('Incidents: Default view · ThreatDesk');
    expect(await title('/incidents?severity=medium&assignee=unassigned&severity=high&sort=name')).toBe('Incidents: Unassigned High/Medium · ThreatDesk');
    expect(await title('/incidents?status=resolved&q=ransomware&page=2')).toBe('Incidents: Resolved · “ransomware” · page 2 · ThreatDesk');
    // The default statuses in another order are still the default: not named in the title.
    expect(await title('/incidents?status=awaitingAction&status=inProgress&status=active&q=ransomware')).toBe('Incidents: “ransomware” · ThreatDesk');
    const page = await riley.get(`${stack.app.url}/incidents?window=24h`);
    expect(page.$('.views a[aria-current="page"]').text()).toBe('Updated in the last 24 h');
    expect(page.$('.views a[aria-current]')).toHaveLength(1);
  });

  it('shows SLA badges from the index\'s clocks, and the Overdue, Breaching soon and Unassigned views', async () => {
    const overdue = await riley.get(`${stack.app.url}/incidents?sla=overdue&severity=high&severity=medium&severity=low&severity=informational`);
    expect(overdue.$('head > title').text()).toBe('Incidents: Overdue · ThreatDesk');
    expect(overdue.$('.views a[aria-current="page"]').text()).toBe('Overdue');
    const rows = overdue.$('#incidents tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    // Every row it lists is overdue, and says by when it was due.
    expect(rows.map((_, r) => overdue.$(r).find('.sla-overdue').length).get()).toEqual(Array(rows.length).fill(1));
    expect(rows.first().find('.sla').attr('title')).toMatch(/^To be (assigned|resolved) by \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    // Closed incidents have no clock.
    const resolved = await riley.get(`${stack.app.url}/incidents?status=resolved&window=6m`);
    expect(resolved.$('#incidents tbody tr').length).toBeGreaterThan(0);
    expect(resolved.$('#incidents .sla')).toHaveLength(0);
    const unassigned = await riley.get(`${stack.app.url}/incidents?unassigned=4`);
    expect(unassigned.$('head > title').text()).toBe('Incidents: Unassigned for more than 4 h · ThreatDesk');
    const who = unassigned.$('#incidents tbody td.c-who').map((_, td) => unassigned.$(td).text()).get();
    expect(who.length).toBeGreaterThan(0);
    expect(new Set(who)).toEqual(new Set(['Unassigned']));
  });

  it('sorts by any column over the whole result, both ways', async () => {
    const asc = await riley.get(`${stack.app.url}/incidents?sort=name&dir=asc&size=25`);
    const names = asc.$('#incidents tbody tr a.name').map((_, el) => asc.$(el).text()).get();
    expect(names).toHaveLength(25);
    const all = (await Promise.all((await expected(defaults)).map(full))).map((i) => i.incidentName ?? '');
    // The first page holds the smallest names of the whole result, in order.
    const collator = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    expect([...names].sort(collator)).toEqual(names);
    expect(names[0]).toBe([...all].sort(collator)[0]);
    const desc = await riley.get(`${stack.app.url}${asc.$('#incidents thead th[aria-sort] a').attr('href') as string}`);
    expect(desc.$('#incidents thead th[aria-sort="descending"]').text()).toBe('Name');
    expect(desc.$('#incidents tbody tr a.name').first().text()).toBe([...all].sort(collator).reverse()[0]);
  });

  it('pages through the whole result with previous and next, 25, 50 or 100 a page', async () => {
    const want = await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP'));
    expect(want.length).toBeGreaterThan(60);
    const { ids: got, pages } = await readAllPages('/incidents?tag=VIP&size=25');
    expect(got.length).toBe(new Set(got).size);
    expect([...got].sort(byNumber)).toEqual(want);
    expect(pages).toHaveLength(Math.ceil(want.length / 25));
    expect(pages[1]?.$('#page-of').text()).toBe(`Page 2 of ${pages.length}`);
    expect(pages[1]?.$('#prev').attr('href')).toBe('/incidents?tag=VIP&size=25');
    const hundred = await riley.get(`${stack.app.url}/incidents?tag=VIP&size=100`);
    expect(ids(hundred)).toHaveLength(Math.min(100, want.length));
    const beyond = await riley.get(`${stack.app.url}/incidents?tag=VIP&page=999`);
    expect(beyond.status).toBe(200);
    expect(ids(beyond)).toHaveLength(0);
    expect(total(beyond)).toBe(want.length);
  });

  it('combines filters and keeps them in the links, so a view can be bookmarked and returned to', async () => {
    const query = 'status=active&severity=high&severity=medium&window=30d&tag=VIP';
    const page = await riley.get(`${stack.app.url}/incidents?${query}`);
    expect(ids(page).length).toBeGreaterThan(0);
    for (const id of ids(page)) {
      const i = await full(id);
      expect(lower(i.status)).toBe('active');
      expect(['high', 'medium']).toContain(lower(i.severity));
      expect(i.tags).toContain('VIP');
    }
    const link = page.$('#incidents tbody tr a').first().attr('href') as string;
    expect(link).toContain(`back=${encodeURIComponent(query)}`);
    const incident = await riley.get(`${stack.app.url}${link}`);
    expect(incident.$('#back-to-queue').attr('href')).toBe(`/incidents?${query}`);
    expect(page.$('input[name="tag"]').attr('value')).toBe('VIP');
    expect(page.$('input[name="status"][value="active"]').attr('checked')).toBeDefined();
    expect(page.$('input[name="status"][value="inProgress"]').attr('checked')).toBeUndefined();
  });

  it('refuses invalid filter values with a clear page', async () => {
    for (const q of ['?status=Open', "?assignee=x'%20or%201%20eq%201", '?window=2y', '?page=0', '?size=7', '?sort=random']) {
      const page = await riley.get(`${stack.app.url}/incidents${q}`);
      expect(page.status).toBe(400);
      expect(page.$('.problem h1').text()).toMatch(/not valid/);
    }
  });

  it('shows merged incidents as "merged into #N" and counts them apart', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?status=redirected`);
    const rows = page.$('#incidents tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    const id = Number(rows.first().attr('data-incident-id'));
    const target = (await full(id)).redirectIncidentId;
    expect(rows.first().find('.merged').text()).toBe(`merged into #${target}`);
    // One link per row: the incident's own page, which links on to the one it joined.
    expect(rows.first().find('a').length).toBe(1);
    expect(page.$('#status-counts [data-status="redirected"]').text()).toMatch(/^Merged \d+ \(not counted above\)$/);
    expect(page.$('#severity-counts').text()).not.toMatch(/\d/);
  });

  it('sorts by severity over the whole result', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?sort=severity&dir=desc&severity=high&severity=low&size=100`);
    const sev = page.$('#incidents tbody tr .sev').map((_, el) => page.$(el).text()).get();
    const rank = (s: string) => ['High', 'Low'].indexOf(s);
    expect(sev).toHaveLength(100);
    expect(sev.map(rank)).toEqual([...sev.map(rank)].sort((a, b) => a - b));
    const highs = await expected((i) => open(i) && lower(i.severity) === 'high' && recent(i, 183 * DAY));
    expect(sev.filter((s) => s === 'High')).toHaveLength(Math.min(100, highs.length));
  });

  it('shows the columns analysts asked for, the less used ones on demand, with names as text', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?q=%3Cimg`);
    const headers = (p: typeof page) => p.$('#incidents thead th').map((_, el) => p.$(el).text().trim()).get();
    expect(headers(page)).toEqual(['Select', 'ID', 'Name', 'Severity', 'Status', 'Assigned to', 'Verdict', 'Alerts', 'Sources', 'Tags', 'Age', 'Updated']);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img src=x');
    expect(page.$('svg rect').length).toBeGreaterThan(0);
    const more = await riley.get(`${stack.app.url}/incidents?more=lastActivity&more=devices&more=users&more=firstActivity&more=unassignedFor`);
    // In the order the link names them (the analyst's order).
    expect(headers(more)).toEqual(['Select', 'ID', 'Name', 'Severity', 'Status', 'Assigned to', 'Verdict', 'Alerts', 'Sources', 'Tags', 'Last activity', 'Devices', 'Users', 'First activity', 'Unassigned for', 'Age', 'Updated']);
    expect(more.$('input[name="more"][checked]').map((_, el) => more.$(el).attr('value')).get()).toEqual(['lastActivity', 'devices', 'users', 'firstActivity', 'unassignedFor']);
    // Unassigned incidents say since when; assigned ones leave the cell empty.
    const cells = more.$('#incidents tbody tr').map((_, r) => [[more.$(r).find('td.c-who').text(), more.$(r).find('td.c-age').first().find('time').length]]).get() as [string, number][];
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.every(([who, clocks]) => clocks === (who === 'Unassigned' ? 1 : 0))).toBe(true);
    // The choice travels with the view: sorting keeps it.
    expect(more.$('#incidents thead a').first().attr('href')).toContain('more=devices');
  });
});

describe('CSV export', () => {
  it('exports the current filter from the index, formula-like cells neutralised, after a sync brought the change', async () => {
    // Give three incidents tags a spreadsheet would run as formulas, as someone in the portal might.
    const [a, b, c] = (await expected(defaults)) as [number, number, number];
    const cases: [number, string[], string][] = [
      [a, ['=HYPERLINK("http://x")', 'csv-test'], `"'=HYPERLINK(""http://x""); csv-test"`],
      [b, ['+SUM(1)', 'csv-test'], `"'+SUM(1); csv-test"`],
      [c, ['\tcsv-test'], `"'\tcsv-test"`],
    ];
    for (const [id, tags] of cases) expect((await stack.emu.control.incidents.change(CONTOSO_ID, id, { tags })).tags).toEqual(tags);
    await syncNow(stack.app, riley);

    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=csv-test`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="threatdesk-incidents-\d{4}-\d\d-\d\d\.csv"$/);
    expect(csv.headers.get('cache-control')).toBe('no-store');
    // A byte order mark first, so spreadsheet programs read UTF-8 (a text decoder would hide it).
    const raw = await request(`${stack.app.url}/incidents.csv?tag=csv-test`, { headers: { cookie: await riley.jar.getCookieString(stack.app.url) } });
    expect([...Buffer.from(await raw.body.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^"Incident ID","Name","Severity","Status"/);
    // The tab-led tag is not "csv-test", so that incident does not match the filter.
    expect(lines).toHaveLength(1 + 2);
    for (const [id, , cell] of cases.slice(0, 2)) {
      const row = lines.find((l) => l.startsWith(`"${id}",`)) as string;
      expect(row).toContain(cell);
    }
    expect(lines.slice(1).every((l) => !/(^|,)"[=+\-@\t\r]/.test(l))).toBe(true);
  });

  const csvIds = (body: string) => body.trim().split('\r\n').slice(1).filter((l) => /^"\d+"/.test(l)).map((l) => Number(l.slice(1, l.indexOf('"', 1))));

  it('exports every matching incident, in the chosen sort, whatever the page size', async () => {
    const want = await expected((i) => (i.tags ?? []).includes('VIP') && recent(i, 183 * DAY));
    expect(want.length).toBeGreaterThan(100);
    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=VIP&status=active&status=inProgress&status=awaitingAction&status=resolved&status=redirected&severity=high&severity=medium&severity=low&severity=informational&severity=unknown&sort=id&dir=asc&size=25`);
    expect(csvIds(csv.body)).toEqual(want);
  });
});
