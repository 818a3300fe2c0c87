import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '../../src/defender/types';
import { signIn } from '../helpers/appSignIn';
import { DefenderCaller, defenderToken, TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
const DAY = 24 * 3600e3;

beforeAll(async () => {
  stack = await startStack({ incidents: 2000, quotas: { list: 100_000, get: 100_000, update: 100_000 } });
  riley = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await riley.close();
  await stack.close();
});

const full = async (id: number) => (await stack.emu.control.incidents.get(CONTOSO_ID, id)) as unknown as Incident;
const ids = (p: Page) => p.$('#incidents tbody tr').map((_, el) => Number(p.$(el).attr('data-incident-id'))).get();
const lastFilter = async () => {
  const reqs = (await stack.emu.control.stats.requests()).filter((r) => r.path === '/api/incidents');
  return reqs[reqs.length - 1]?.query.$filter;
};

/** Every incident Defender holds for the tenant, in API order, with what the app-side filters need. */
async function expected(predicate: (i: Incident) => boolean): Promise<number[]> {
  const out: number[] = [];
  for (const s of await stack.emu.control.incidents.list(CONTOSO_ID)) {
    const i = await full(s.incidentId);
    if (predicate(i)) out.push(i.incidentId);
  }
  return out;
}

const recent = (i: Incident, ms: number) => Date.parse(i.lastUpdateTime) >= Date.now() - ms - 60_000;
const defaults = (i: Incident) => ['Active', 'InProgress'].includes(i.status) && ['High', 'Medium', 'Low'].includes(i.severity as string) && recent(i, 183 * DAY);

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
  it('defaults to Active + In progress, High/Medium/Low, last 6 months, newest update first', async () => {
    const page = await riley.get(`${stack.app.url}/incidents`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).toMatch(/^\(status eq 'Active' or status eq 'InProgress'\) and lastUpdateTime ge \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const shown = ids(page);
    expect(shown).toHaveLength(50);
    expect(shown).toEqual((await expected(defaults)).slice(0, 50));
    // Informational is hidden but counted.
    expect(page.$('#severity-counts [data-severity="Informational"]').text()).toMatch(/\d+ hidden/);
  });

  it.each([
    ['status', '?status=Resolved', "status eq 'Resolved'", (i: Incident) => i.status === 'Resolved'],
    ['several statuses', '?status=Resolved&status=Redirected', "(status eq 'Resolved' or status eq 'Redirected')", (i: Incident) => ['Resolved', 'Redirected'].includes(i.status)],
    ['assigned to me', '?assignee=me', "assignedTo eq 'riley@contoso.example'", (i: Incident) => i.assignedTo === 'riley@contoso.example'],
    ['assigned to an address', '?assignee=sam%40contoso.example', "assignedTo eq 'sam@contoso.example'", (i: Incident) => i.assignedTo === 'sam@contoso.example'],
    ['last 7 days', '?window=7d', 'lastUpdateTime ge ', (i: Incident) => recent(i, 7 * DAY)],
  ])('filters by %s on the server', async (_name, query, fragment, predicate) => {
    const page = await riley.get(`${stack.app.url}/incidents${query}`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).toContain(fragment);
    const shown = ids(page);
    expect(shown.length).toBeGreaterThan(0);
    for (const id of shown) expect(predicate(await full(id))).toBe(true);
  });

  it.each([
    ['severity', '?severity=Informational', (i: Incident) => i.severity === 'Informational'],
    ['unassigned', '?assignee=unassigned', (i: Incident) => !i.assignedTo],
    ['service source', '?source=MicrosoftDefenderForOffice365', (i: Incident) => (i.alerts ?? []).some((a) => a.serviceSource === 'MicrosoftDefenderForOffice365')],
    ['tag', '?tag=VIP', (i: Incident) => (i.tags ?? []).includes('VIP')],
    ['search by name', '?q=ransomware', (i: Incident) => (i.incidentName ?? '').toLowerCase().includes('ransomware')],
  ])('filters by %s in the app, never in $filter', async (_name, query, predicate) => {
    const page = await riley.get(`${stack.app.url}/incidents${query}`);
    expect(page.status).toBe(200);
    expect(await lastFilter()).not.toMatch(/severity|tags|serviceSource|incidentName|null/);
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
    const query = 'status=Active&severity=High&severity=Medium&window=30d&tag=VIP';
    const page = await riley.get(`${stack.app.url}/incidents?${query}`);
    expect(await lastFilter()).toMatch(/^status eq 'Active' and lastUpdateTime ge /);
    for (const id of ids(page)) {
      const i = await full(id);
      expect(i.status).toBe('Active');
      expect(['High', 'Medium']).toContain(i.severity);
      expect(i.tags).toContain('VIP');
    }
    const link = page.$('#incidents tbody tr a').first().attr('href') as string;
    expect(link).toContain(`back=${encodeURIComponent(query)}`);
    const incident = await riley.get(`${stack.app.url}${link}`);
    expect(incident.$('#back-to-queue').attr('href')).toBe(`/incidents?${query}`);
    expect(page.$('input[name="tag"]').attr('value')).toBe('VIP');
    expect(page.$('input[name="status"][value="Active"]').attr('checked')).toBeDefined();
    expect(page.$('input[name="status"][value="InProgress"]').attr('checked')).toBeUndefined();
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

  it('pages across app-side filters with no gaps or repeats over 2,000 incidents', async () => {
    const want = await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP'));
    expect(want.length).toBeGreaterThan(60);
    const { ids: got, pages } = await readAllPages('/incidents?tag=VIP');
    expect(got).toEqual(want);
    expect(pages.length).toBeGreaterThan(1);
  });

  it('says when a view was cut short by its upstream-call budget, and continues from there', async () => {
    const rare = await expected((i) => defaults(i) && (i.incidentName ?? '').includes('<script>'));
    expect(rare.length).toBeGreaterThan(0);
    const first = await riley.get(`${stack.app.url}/incidents?q=%3Cscript%3E`);
    const all = await readAllPages('/incidents?q=%3Cscript%3E');
    expect(all.ids).toEqual(rare);
    if (first.$('#partial').length) expect(first.$('#partial').text()).toMatch(/Partial result: ThreatDesk examined \d+ incidents/);
    expect(all.pages.some((p) => p.$('#partial').length > 0)).toBe(true);
  });

  it('shows merged incidents as "merged into #N" and counts them apart', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?status=Redirected`);
    const rows = page.$('#incidents tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    const id = Number(rows.first().attr('data-incident-id'));
    const target = (await full(id)).redirectIncidentId;
    expect(rows.first().find('.merged').text()).toBe(`merged into #${target}`);
    expect(rows.first().find(`.merged a[href="/incidents/${target}"]`).length).toBe(1);
    expect(page.$('#status-counts [data-status="Redirected"]').text()).toMatch(/^Merged \d+ \(not counted above\)$/);
    expect(page.$('#severity-counts').text()).not.toMatch(/\d/);
  });

  it('sorts by severity within the loaded rows when asked, and says so', async () => {
    const page = await riley.get(`${stack.app.url}/incidents?sort=severity`);
    const sev = page.$('#incidents tbody tr .sev').map((_, el) => page.$(el).text()).get();
    const rank = (s: string) => ['High', 'Medium', 'Low'].indexOf(s);
    expect(sev.map(rank)).toEqual([...sev.map(rank)].sort((a, b) => a - b));
    expect(page.body).toContain('Sorted by severity within this page');
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
    expect(page.$('svg rect').length).toBeGreaterThan(0);
  });
});

describe('CSV export', () => {
  it('exports the current filter with formula-like cells neutralised', async () => {
    // Give three incidents tags a spreadsheet would run as formulas.
    const api = new DefenderCaller(stack.emu);
    const token = await defenderToken(stack.emu, 'riley@contoso.example');
    const [a, b, c] = await expected(defaults);
    const cases: [number, string[], string][] = [
      [a, ['=HYPERLINK("http://x")', 'csv-test'], `"'=HYPERLINK(""http://x""); csv-test"`],
      [b, ['+SUM(1)', 'csv-test'], `"'+SUM(1); csv-test"`],
      [c, ['\tcsv-test'], `"'\tcsv-test"`],
    ];
    for (const [id, tags] of cases) expect((await api.patch(`/api/incidents/${id}`, token, { tags })).status).toBe(200);
    await api.close();

    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=csv-test`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="threatdesk-incidents-\d{4}-\d\d-\d\d\.csv"$/);
    expect(csv.headers.get('cache-control')).toBe('no-store');
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

  it('exports every page of a filter within its budget', async () => {
    const want = await expected((i) => defaults(i) && (i.tags ?? []).includes('VIP'));
    const csv = await riley.get(`${stack.app.url}/incidents.csv?tag=VIP`);
    const got = csv.body.trim().split('\r\n').slice(1).filter((l) => /^"\d+"/.test(l)).map((l) => Number(l.slice(1, l.indexOf('"', 1))));
    if (csv.headers.get('x-threatdesk-partial')) {
      expect(got).toEqual(want.slice(0, got.length));
      expect(csv.body).toContain('Partial export');
    } else {
      expect(got).toEqual(want);
    }
  });
});
