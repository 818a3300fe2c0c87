import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, startStack } from '../helpers/stack';
import { request } from 'undici';

/**
 * The queue over the Microsoft Graph security API (the default source), against an emulator that
 * serves incidents in an order of its own: nothing here may depend on it.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
const DAY = 24 * 3600e3;

beforeAll(async () => {
  stack = await startStack({ incidents: 2000, quotas: { list: 100_000, get: 100_000, update: 100_000, graph: 100_000 } }, { QUEUE_CSV_CALL_BUDGET: '100' });
  riley = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await riley.close();
  await stack.close();
});

const full = async (id: number) => (await stack.emu.control.incidents.get(CONTOSO_ID, id)) as Incident;
const ids = (p: Page) => p.$('#incidents tbody tr').map((_, el) => Number(p.$(el).attr('data-incident-id'))).get();
const lastFilter = async () => {
  const reqs = (await stack.emu.control.stats.requests()).filter((r) => r.path.endsWith('/security/incidents'));
  return reqs[reqs.length - 1]?.query.$filter;
};
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

async function readAllPages(path: string): Promise<{ ids: number[]; pages: Page[] }> {
  const out: number[] = [];
  const pages: Page[] = [];
  let next: string | undefined = `${stack.app.url}${path}`;
  while (next && pages.length < 200) {
    const page = await riley.get(next);
    expect(page.status).toBe(200);
    pages.push(page);
    out.push(...ids(page));
    const href = page.$('#next').attr('href') ?? page.$('#partial a').attr('href');
    next = href ? `${stack.app.url}${href}` : undefined;
  }
  return { ids: out, pages };
}

describe('incident queue', () => {
  it('defaults to the open statuses, High/Medium/Low, last 6 months, sorted newest update first by the app', async () => {
    const page = await riley.get(`${stack.app.url}/incidents`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).toMatch(/^\(status eq 'active' or status eq 'inProgress' or status eq 'awaitingAction'\) and lastUpdateDateTime ge \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const shown = ids(page);
    expect(shown.length).toBeGreaterThanOrEqual(50);
    const want = new Set(await expected(defaults));
    for (const id of shown) expect(want.has(id)).toBe(true);
    const times = await Promise.all(shown.map(async (id) => (await full(id)).lastUpdateTime));
    expect(times).toEqual([...times].sort().reverse());
    // Informational is hidden but counted.
    expect(page.$('#severity-counts [data-severity="informational"]').text()).toMatch(/\d+ hidden/);
  });

  it.each([
    ['status', '?status=resolved', "status eq 'resolved'", (i: Incident) => lower(i.status) === 'resolved'],
    ['several statuses', '?status=resolved&status=redirected', "(status eq 'resolved' or status eq 'redirected')", (i: Incident) => ['resolved', 'redirected'].includes(lower(i.status))],
    ['assigned to me', '?assignee=me', "assignedTo eq 'riley@contoso.example'", (i: Incident) => i.assignedTo === 'riley@contoso.example'],
    ['assigned to an address', '?assignee=sam%40contoso.example', "assignedTo eq 'sam@contoso.example'", (i: Incident) => i.assignedTo === 'sam@contoso.example'],
    ['last 7 days', '?window=7d', 'lastUpdateDateTime ge ', (i: Incident) => recent(i, 7 * DAY)],
  ])('filters by %s on the server', async (_name, query, fragment, predicate) => {
    const page = await riley.get(`${stack.app.url}/incidents${query}`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).toContain(fragment);
    const shown = ids(page);
    expect(shown.length).toBeGreaterThan(0);
    for (const id of shown) expect(predicate(await full(id))).toBe(true);
  });

  it.each([
    ['severity', '?severity=informational', (i: Incident) => lower(i.severity) === 'informational'],
    ['unassigned', '?assignee=unassigned', (i: Incident) => !i.assignedTo || i.assignedTo === 'Unassigned'],
    ['tag', '?tag=VIP', (i: Incident) => (i.tags ?? []).includes('VIP')],
    ['search by name', '?q=ransomware', (i: Incident) => (i.incidentName ?? '').toLowerCase().includes('ransomware')],
  ])('filters by %s in the app, never in $filter', async (_name, query, predicate) => {
    const page = await riley.get(`${stack.app.url}/incidents${query}`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).not.toMatch(/severity|tags|serviceSource|displayName|null/);
    const shown = ids(page);
    expect(shown.length).toBeGreaterThan(0);
    for (const id of shown) expect(predicate(await full(id))).toBe(true);
  });

  it('searches by id', async () => {
    const id = (await expected(defaults))[3];
    const page = await riley.get(`${stack.app.url}/incidents?q=${id}`);
    expect(ids(page)).toContain(id);
  });

  it('combines filters and keeps them in the links, so a view can be bookmarked and returned to', async () => {
    const query = 'status=active&severity=high&severity=medium&window=30d&tag=VIP';
    const page = await riley.get(`${stack.app.url}/incidents?${query}`);
    expect(await lastFilter()).toMatch(/^status eq 'active' and lastUpdateDateTime ge /);
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

  it('refuses invalid filter values with a clear page instead of sending them upstream', async () => {
    const mark = await stack.emu.control.stats.mark();
    for (const q of ["?status=Open", "?assignee=x'%20or%201%20eq%201", '?window=2y', '?after=garbage']) {
      const page = await riley.get(`${stack.app.url}/incidents${q}`);
      expect(page.status).toBe(400);
      expect(page.$('.problem h1').text()).toMatch(/not valid/);
    }
    expect(await stack.emu.control.stats.requests(mark)).toEqual([]);
  });

  it('shows every matching incident exactly once across views over 2,000 incidents, whatever order the API uses', async () => {
    const want = await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP'));
    expect(want.length).toBeGreaterThan(60);
    const { ids: got, pages } = await readAllPages('/incidents?tag=VIP');
    expect(got.length).toBe(new Set(got).size);
    expect([...got].sort(byNumber)).toEqual(want);
    expect(pages.length).toBeGreaterThan(1);
  });

  it('says when a view was cut short by its upstream-call budget, and continues from there', async () => {
    const rare = await expected((i) => defaults(i) && (i.incidentName ?? '').includes('<script>'));
    expect(rare.length).toBeGreaterThan(0);
    expect(rare.length).toBeLessThan(50);
    // Five calls of at most 50 read at most 250 of the 2,000 incidents: the first view cannot have seen them all.
    const first = await riley.get(`${stack.app.url}/incidents?q=%3Cscript%3E`);
    expect(first.$('#partial').text()).toMatch(/Partial result: ThreatDesk read \d+ incidents .* more remain/);
    const all = await readAllPages('/incidents?q=%3Cscript%3E');
    expect([...all.ids].sort(byNumber)).toEqual(rare);
  });

  it('shows merged incidents as "merged into #N" and counts them apart', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?status=redirected`);
    const rows = page.$('#incidents tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    const id = Number(rows.first().attr('data-incident-id'));
    const target = (await full(id)).redirectIncidentId;
    expect(rows.first().find('.merged').text()).toBe(`merged into #${target}`);
    expect(rows.first().find(`.merged a[href="/incidents/${target}"]`).length).toBe(1);
    expect(page.$('#status-counts [data-status="redirected"]').text()).toMatch(/^Merged \d+ \(not counted above\)$/);
    expect(page.$('#severity-counts').text()).not.toMatch(/\d/);
  });

  it('sorts by severity what it read when asked, and says the next view continues with incidents not read yet', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?sort=severity`);
    const sev = page.$('#incidents tbody tr .sev').map((_, el) => page.$(el).text()).get();
    const rank = (s: string) => ['High', 'Medium', 'Low'].indexOf(s);
    expect(sev.length).toBeGreaterThan(0);
    expect(sev.map(rank)).toEqual([...sev.map(rank)].sort((a, b) => a - b));
    expect(page.$('#order-note').text()).toContain('Sorted within the incidents read for this view');
  });

  it('shows every column the analysts asked for, with names as text', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?q=%3Cimg`);
    const headers = page.$('#incidents thead th').map((_, el) => page.$(el).text()).get();
    expect(headers).toEqual(['ID', 'Name', 'Severity', 'Status', 'Assigned to', 'Classification', 'Tags', 'Service sources', 'Alerts', 'Devices', 'Users', 'First activity', 'Last activity', 'Last update', 'Portal']);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img src=x');
    const row = page.$('#incidents tbody tr').first();
    const i = await full(Number(row.attr('data-incident-id')));
    expect(row.find('a[target="_blank"]').attr('href')).toBe(i.incidentUri);
    // Graph lists incidents without their alerts: those columns say where to find them.
    expect(row.find('td[colspan="6"]').text()).toBe('on the incident page');
    expect(page.$('svg rect').length).toBeGreaterThan(0);
  });
});

describe('CSV export', () => {
  it('exports the current filter with formula-like cells neutralised', async () => {
    // Give three incidents tags a spreadsheet would run as formulas, as someone in the portal might.
    const [a, b, c] = (await expected(defaults)) as [number, number, number];
    const cases: [number, string[], string][] = [
      [a, ['=HYPERLINK("http://x")', 'csv-test'], `"'=HYPERLINK(""http://x""); csv-test"`],
      [b, ['+SUM(1)', 'csv-test'], `"'+SUM(1); csv-test"`],
      [c, ['\tcsv-test'], `"'\tcsv-test"`],
    ];
    for (const [id, tags] of cases) expect((await stack.emu.control.incidents.change(CONTOSO_ID, id, { tags })).tags).toEqual(tags);

    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=csv-test`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="threatdesk-incidents-\d{4}-\d\d-\d\d\.csv"$/);
    expect(csv.headers.get('cache-control')).toBe('no-store');
    // A byte order mark first, so spreadsheet programs read UTF-8 (a text decoder would hide it).
    const raw = await request(`${stack.app.url}/incidents.csv?tag=csv-test`, { headers: { cookie: await riley.jar.getCookieString(stack.app.url) } });
    expect([...Buffer.from(await raw.body.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.body.trim().split('\r\n').filter((l) => !l.startsWith('"Partial export'));
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

  it('exports every matching incident when its budget allows, whatever the API page size', async () => {
    const want = await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP'));
    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=VIP`);
    expect(csv.headers.get('x-threatdesk-partial')).toBeNull();
    expect(csvIds(csv.body).sort(byNumber)).toEqual(want);
  });

  it('says so in the file and a header when its budget stops it early', async () => {
    const small = await startApp(stack.emu, { QUEUE_CSV_CALL_BUDGET: '2' });
    const b = new TestBrowser(stack.emu.caCertPem);
    try {
      await signIn(b, small.url, 'riley@contoso.example');
      const want = new Set(await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP')));
      const csv = await b.get(`${small.url}/incidents.csv?tag=VIP`);
      expect(csv.headers.get('x-threatdesk-partial')).toMatch(/^examined \d+; more incidents match$/);
      expect(csv.body).toMatch(/Partial export: stopped after examining \d+ incidents/);
      const got = csvIds(csv.body);
      expect(got.length).toBeLessThan(want.size);
      for (const id of got) expect(want.has(id)).toBe(true);
    } finally {
      await b.close();
      await small.close();
    }
  });
});

describe('the service source filter on Graph', () => {
  it('says plainly that it is not applied, instead of showing an empty queue', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?source=microsoftDefenderForOffice365`);
    expect(page.status).toBe(200);
    expect(page.$('#source-ignored').text()).toContain('not applied');
    expect(ids(page).length).toBeGreaterThan(0);
    expect(page.$('input[name="source"]')).toHaveLength(0);
  });
});
