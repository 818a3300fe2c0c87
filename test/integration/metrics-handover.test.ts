import { CONTOSO_ID, FABRIKAM_ID } from '@threatdesk/emulator';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { request } from 'undici';
import { signIn } from '../helpers/appSignIn';
import { fillIndex, syncNow } from '../helpers/indexSync';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

/**
 * A known history, built in the emulator at controlled clock times, read back as every figure of the
 * metrics page (through its CSV downloads, which carry the page's tables as numbers) and the handover.
 *
 * Day D (UTC), T0 its midnight, the day after tomorrow: the emulator's clock only moves forward (it
 * stamps changes in order), and the app's index clock follows it (sessions keep the real time, so
 * every analyst signs in first).
 *   P  Low     created T0−8 h, resolved T0−4 h, no classification (before ThreatDesk read it: estimated)
 *   E  High    created T0,     resolved T0+2 h, false positive      (before ThreatDesk read it: estimated)
 *   A  High    created T0+3 h, assigned T0+3.5 h, resolved T0+7 h, true positive, with a comment (all seen)
 *   B  Medium  created T0+3 h, In progress at T0+9 h (seen), unassigned
 *   C  Low     created T0+3 h, Active and unassigned
 * The figures are read just after T0+9 h: the period "D to D" ends then, and the previous period is
 * the 9 hours before T0 (P's).
 */
const H = 3_600_000;
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 2 * 86_400_000;
const D = new Date(T0).toISOString().slice(0, 10);

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let alex: TestBrowser;
let jordan: TestBrowser;
const browsers: TestBrowser[] = [];
const ids: Record<string, string> = {};
/** How far the emulator's clock (and so the app's index clock) runs ahead of the real time. */
let offset = 0;

async function browserFor(upn: string): Promise<TestBrowser> {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  await signIn(b, stack.app.url, upn);
  return b;
}

/** Moves both clocks forward to `ms`. */
async function at(ms: number): Promise<void> {
  offset = (await stack.emu.control.clock.set(ms)) - Date.now();
}
const add = async (key: string, severity: 'High' | 'Medium' | 'Low') => {
  const i = await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: `Metrics ${key}`, alerts: [{ title: `Metrics ${key}`, severity, deviceGroup: 'Workstations' }] });
  ids[key] = String(i.incidentId);
};
const change = (key: string, c: Parameters<Stack['emu']['control']['incidents']['change']>[2]) => stack.emu.control.incidents.change(CONTOSO_ID, Number(ids[key]), c);

beforeAll(async () => {
  stack = await startStack({ incidents: 0, quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, { SYNC_INTERVAL_S: '3600' }, { now: () => Date.now() + offset });
  riley = await browserFor('riley@contoso.example');
  alex = await browserFor('alex@contoso.example');
  await stack.emu.control.consent.grantAdmin(FABRIKAM_ID, ['https://graph.microsoft.com/SecurityIncident.Read.All']);
  jordan = await browserFor('jordan@fabrikam.example');
  await fillIndex(stack.app, riley);
  await at(T0 - 8 * H);
  await add('P', 'Low');
  await at(T0 - 4 * H);
  await change('P', { status: 'Resolved' });
  await at(T0);
  await add('E', 'High');
  await at(T0 + 2 * H);
  await change('E', { status: 'Resolved', classification: 'FalsePositive', determination: 'NotMalicious' });
  await at(T0 + 3 * H);
  for (const k of ['A', 'B', 'C'] as const) await add(k, k === 'A' ? 'High' : k === 'B' ? 'Medium' : 'Low');
  await syncNow(stack.app, riley);
  await at(T0 + 3.5 * H);
  await change('A', { assignedTo: 'sam@contoso.example' });
  await syncNow(stack.app, riley);
  await at(T0 + 7 * H);
  await change('A', { status: 'Resolved', classification: 'TruePositive', determination: 'Malware', comment: 'Contained and cleaned.', by: 'sam@contoso.example' });
  await at(T0 + 9 * H);
  await change('B', { status: 'InProgress' });
  await syncNow(stack.app, riley);
  // The incident pages read the alerts (their sources); lists carry none.
  for (const k of ['P', 'E', 'A']) expect((await riley.get(`${stack.app.url}/incidents/${ids[k]}`)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

/** A figure's CSV as rows of cells. */
async function figure(b: TestBrowser, name: string, query = `from=${D}&to=${D}`): Promise<string[][]> {
  const res = await b.get(`${stack.app.url}/metrics.csv?figure=${name}&${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  return res.body
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] as string).replace(/""/g, '"')));
}

describe('metrics over a known history', () => {
  it('times to acknowledge: median and 90th percentile by severity, estimated ones counted, with the previous period', async () => {
    expect(await figure(riley, 'acknowledge')).toEqual([
      ['Severity', 'Incidents', 'Of which estimated', 'Median (hours)', '90th percentile (hours)', 'SLA target (hours)', 'Previous period: incidents', 'Previous: median (hours)', 'Previous: 90th percentile (hours)'],
      ['High', '2', '1', '1.25', '1.85', '1.00', '0', '', ''],
      ['Medium', '1', '0', '6.00', '6.00', '4.00', '0', '', ''],
      ['Low', '0', '0', '', '', '24.00', '1', '4.00', '4.00'],
      ['Informational', '0', '0', '', '', '72.00', '0', '', ''],
      ['All severities', '3', '1', '2.00', '5.20', '', '1', '4.00', '4.00'],
    ]);
  });

  it('times to resolve, the estimated one from the incident’s last update', async () => {
    expect(await figure(riley, 'resolve')).toEqual([
      expect.any(Array),
      ['High', '2', '1', '3.00', '3.80', '8.00', '0', '', ''],
      ['Medium', '0', '0', '', '', '24.00', '0', '', ''],
      ['Low', '0', '0', '', '', '72.00', '1', '4.00', '4.00'],
      ['Informational', '0', '0', '', '', '168.00', '0', '', ''],
      ['All severities', '2', '1', '3.00', '3.80', '', '1', '4.00', '4.00'],
    ]);
  });

  it('SLA compliance per severity, this period and the previous one', async () => {
    expect((await figure(riley, 'sla')).slice(1)).toEqual([
      ['High', '2', '50.0', '2', '100.0', '', ''],
      ['Medium', '1', '0.0', '0', '', '', ''],
      ['Low', '0', '', '0', '', '100.0', '100.0'],
      ['Informational', '0', '', '0', '', '', ''],
    ]);
  });

  it('backlog by age and severity at the end of the period, and day by day', async () => {
    expect(await figure(riley, 'backlog')).toEqual([
      ['Age', 'High', 'Medium', 'Low', 'Informational', 'Total'],
      ['Under 1 day', '0', '1', '1', '0', '2'],
      ['1 to 3 days', '0', '0', '0', '0', '0'],
      ['3 to 7 days', '0', '0', '0', '0', '0'],
      ['Over 7 days', '0', '0', '0', '0', '0'],
    ]);
    const prevDay = new Date(T0 - 86_400_000).toISOString().slice(0, 10);
    expect(await figure(riley, 'trend', `from=${prevDay}&to=${D}`)).toEqual([['Day (UTC)', 'Open at its end'], [prevDay, '0'], [D, '2']]);
  });

  it('workload per assignee and how resolved incidents were closed', async () => {
    expect(await figure(riley, 'workload')).toEqual([
      ['Assigned to', 'Open at the end of the period', 'Resolved in the period'],
      ['Unassigned', '2', '1'],
      ['sam@contoso.example', '0', '1'],
    ]);
    expect(await figure(riley, 'closing')).toEqual([
      ['Resolved incidents', 'Incidents', 'Share (%)', 'Previous period', 'Previous share (%)'],
      ['All resolved', '2', '', '1', ''],
      ['Classification not set', '0', '0.0', '1', '100.0'],
      ['No determination', '0', '0.0', '1', '100.0'],
      ['Without a comment', '1', '50.0', '1', '100.0'],
    ]);
    expect(await figure(riley, 'detection-sources')).toEqual([
      ['Detection source', 'Resolved', 'True positive (%)', 'False positive (%)', 'Informational, expected activity (%)', 'Not classified (%)'],
      ['Custom detection', '2', '50.0', '50.0', '0.0', '0.0'],
    ]);
    expect((await figure(riley, 'service-sources'))[1]).toEqual(['Defender for Endpoint', '2', '50.0', '50.0', '0.0', '0.0']);
  });

  it('the page says what each figure covers, marks estimates, draws the targets, and offers every table as CSV', async () => {
    const page = await riley.get(`${stack.app.url}/metrics?from=${D}&to=${D}`);
    expect(page.status).toBe(200);
    expect(page.$('#period-summary').text()).toContain(`From ${D} to ${D}`);
    // The index was filled to the end (fillIndex): no warning that figures may change.
    expect(page.$('#still-filling').length).toBe(0);
    expect(page.$('#h-acknowledge').parent().find('.how').text()).toContain('1 of these 3 times are estimated');
    expect(page.$('#h-resolve').parent().find('.how').text()).toContain('over the 2 incidents resolved in the period (previous period: 1)');
    expect(page.$('#table-acknowledge tbody tr').first().find('td').eq(2).text()).toBe('1 h 15 min');
    // Each severity's target is a dashed mark on the two duration charts (and one in the legend).
    expect(page.$('svg.chart').first().find('line[stroke-dasharray]').length).toBe(5);
    expect(page.$('svg.chart[role="img"]').length).toBe(4);
    const csvLinks = page.$('.csv-link a').map((_, a) => page.$(a).attr('href')).get() as string[];
    expect(csvLinks).toHaveLength(9);
    expect(csvLinks.every((h) => h.includes(`from=${D}&to=${D}`))).toBe(true);
    // A byte order mark first, so spreadsheet programs read UTF-8 (a text decoder would hide it).
    const raw = await request(new URL(csvLinks[0] as string, stack.app.url), { headers: { cookie: await riley.jar.getCookieString(stack.app.url) } });
    expect(raw.headers['content-disposition']).toBe(`attachment; filename="threatdesk-acknowledge-${D}-to-${D}.csv"`);
    expect([...Buffer.from(await raw.body.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('says on the incident page how long it took, as the metrics count it', async () => {
    const a = await riley.get(`${stack.app.url}/incidents/${ids.A}`);
    expect([a.$('#acknowledged').text(), a.$('#resolved').text()]).toEqual(['30 min after creation', '4 h after creation']);
    const e = await riley.get(`${stack.app.url}/incidents/${ids.E}`);
    expect(e.$('#resolved').text()).toBe('2 h after creation (estimated: ThreatDesk first read it so)');
    expect((await riley.get(`${stack.app.url}/incidents/${ids.C}`)).$('#acknowledged').length).toBe(0);
  });

  it('refuses a period it cannot read, keeping what was typed', async () => {
    const page = await riley.get(`${stack.app.url}/metrics?from=${D}&to=2020-01-01`);
    expect(page.status).toBe(200);
    expect(page.$('#period-error').text()).toContain('must end after it starts');
    expect(page.$('#period-to').attr('value')).toBe('2020-01-01');
    const unknownPeriod = await riley.get(`${stack.app.url}/metrics?days=5`);
    expect(unknownPeriod.status).toBe(400);
    expect(unknownPeriod.body).toContain('“5” is not a period');
    expect((await riley.get(`${stack.app.url}/metrics.csv?figure=secrets&days=7`)).status).toBe(400);
  });

  it('computes over the analyst’s own incidents only', async () => {
    // Fabrikam has no incidents: an analyst there sees none of Contoso's figures.
    expect((await figure(jordan, 'acknowledge'))[5]).toEqual(['All severities', '0', '0', '', '', '', '0', '', '']);
  });
});

describe('the handover', () => {
  const handover = (b: TestBrowser, q = '') => b.get(`${stack.app.url}/handover${q}`);
  const rowsOf = (p: Page, table: string) =>
    p.$(`#${table} tbody tr`).map((_, tr) => p.$(tr).children().map((_i, cell) => p.$(cell).text().replace(/\s+/g, ' ').trim()).get().join(' ')).get() as string[];

  it('lists what changed, who holds what, and the SLA breaches', async () => {
    await add('N', 'High');
    await syncNow(stack.app, riley);
    const page = await handover(riley, '?hours=8');
    expect(page.status).toBe(200);
    // Newest first; A, B and C were created within the same second.
    const created = rowsOf(page, 'new-incidents').map((r) => r.split(' ')[0]);
    expect([created[0], created.slice(1).sort()]).toEqual([`#${ids.N}`, ['A', 'B', 'C'].map((k) => `#${ids[k]}`).sort()]);
    expect(rowsOf(page, 'new-incidents')[0]).toContain(`#${ids.N} Metrics N High Active Unassigned`);
    expect(rowsOf(page, 'reassignments')).toEqual([expect.stringContaining(`#${ids.A} Metrics A Unassigned → sam@contoso.example`)]);
    expect(rowsOf(page, 'resolutions')).toEqual([expect.stringContaining(`#${ids.A} Metrics A Active → Resolved`)]);
    // B (Medium) has been unassigned since T0+3 h, past its 4 h target at T0+7 h, within these 8 hours; C (Low) has 24 h.
    expect(rowsOf(page, 'breached')).toEqual([`#${ids.B} Metrics B Medium Unassigned To be assigned by ${new Date(T0 + 7 * H).toISOString().slice(0, 10)} 07:00 UTC`]);
    expect(page.$('#overdue-total').text()).toContain('Past a target now, in all: 1 open incident (');
    expect(rowsOf(page, 'holders')).toEqual(['Unassigned 1 1 1 0 3']);
  });

  it('shows an escalation when an incident’s severity rises', async () => {
    await change('C', { alert: { title: 'Metrics C escalated', severity: 'High', deviceGroup: 'Workstations' } });
    await syncNow(stack.app, riley);
    expect(rowsOf(await handover(riley), 'escalations')).toEqual([expect.stringContaining(`#${ids.C} Metrics C Low → High`)]);
  });

  it('keeps shift notes per tenant, newest first, audited, refusing forged and empty ones with the text kept', async () => {
    const page = await handover(riley);
    expect((await riley.post(`${stack.app.url}/handover/notes`, { note: 'forged' })).status).toBe(403);
    // A token gone stale (a restart, a sign-in in another tab): nothing saved, the text comes back.
    const stale = await riley.post(`${stack.app.url}/handover/notes`, { note: 'Typed before the restart.', _csrf: 'stale-token' });
    expect(stale.status).toBe(403);
    expect([stale.$('#note').text(), stale.$('#note-error').text()]).toEqual(['Typed before the restart.', expect.stringContaining('Nothing was sent; your text is kept below')]);
    const empty = await riley.submit(page, '#note-form button', { note: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.$('#note-error').text()).toContain('empty');
    const long = 'x'.repeat(4_001);
    const tooLong = await riley.submit(page, '#note-form button', { note: long });
    expect(tooLong.status).toBe(400);
    expect(tooLong.$('#note').text()).toBe(long);
    for (const note of ['First shift: C needs an owner.', 'Second shift: <b>B</b> waits on the server team.']) {
      const saved = await riley.submit(await handover(riley), '#note-form button', { note });
      expect(saved.status).toBe(303);
    }
    const seen = await handover(alex);
    expect(seen.$('#notes li .note-text').map((_, p) => seen.$(p).text()).get()).toEqual(['Second shift: <b>B</b> waits on the server team.', 'First shift: C needs an owner.']);
    expect(seen.$('#notes li').first().find('.note-meta').text()).toContain('Latest: riley@contoso.example');
    expect(stack.app.logs.filter((l) => l.includes('"audit":"handover.note"'))).toHaveLength(2);
    expect(stack.app.logs.some((l) => l.includes('waits on the server team'))).toBe(false);
    expect((await handover(jordan)).$('#no-notes').length).toBe(1);
  });
});

describe('since your last visit', () => {
  it('marks what changed on an incident since the analyst last opened it, and the queue row', async () => {
    const url = `${stack.app.url}/incidents/${ids.B}`;
    expect((await riley.get(url)).$('#since-visit').length).toBe(0);
    await change('B', { comment: 'Server team is on it.', by: 'alex@contoso.example', assignedTo: 'alex@contoso.example' });
    await syncNow(stack.app, riley);
    const queue = await riley.get(`${stack.app.url}/incidents?q=${ids.B}`);
    expect(queue.$(`#incidents tr[data-incident-id="${ids.B}"] .since-visit`).text()).toBe('Updated since you opened it');
    const again = await riley.get(url);
    expect(again.$('#since-visit').text().replace(/\s+/g, ' ')).toContain('1 new comment');
    expect(again.$('#since-visit').text().replace(/\s+/g, ' ')).toContain('Assigned to: Unassigned → alex@contoso.example');
    // Seen now: the next visit has nothing new.
    expect((await riley.get(url)).$('#since-visit').length).toBe(0);
    expect((await riley.get(`${stack.app.url}/incidents?q=${ids.B}`)).$(`#incidents tr[data-incident-id="${ids.B}"] .since-visit`).length).toBe(0);
  });
});
