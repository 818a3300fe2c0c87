import { CONTOSO_ID, FABRIKAM_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { TestBrowser, itemAt, type Page } from '@threatdesk/emulator/testing';
import { request } from 'undici';
import { signIn } from '../helpers/appSignIn';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, startStack, type AppInstance } from '../helpers/stack';

const GRAPH = 'https://graph.microsoft.com';
const HUNT_PATH = '/v1.0/security/runHuntingQuery';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let alex: TestBrowser;
const browsers: TestBrowser[] = [];

async function browserFor(upn: string, app: AppInstance = stack.app): Promise<TestBrowser> {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  await signIn(b, app.url, upn);
  return b;
}

/** Runs a query from the Hunting page as a person would: open it, type, press Run. */
async function run(b: TestBrowser, query: string, fields: Record<string, string> = {}, app: AppInstance = stack.app): Promise<Page> {
  const page = await b.get(`${app.url}/hunting`);
  return b.submit(page, '#run', { query, ...fields });
}

/** Hunting requests the emulator received since `mark`. */
const huntsSince = async (mark: number) => (await stack.emu.control.stats.requests(mark)).filter((r) => r.path === HUNT_PATH);

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000, hunting: 10_000 } }, { SYNC_INTERVAL_S: '3600' });
  riley = await browserFor('riley@contoso.example');
  alex = await browserFor('alex@contoso.example');
  await stack.app.services.sync.idle();
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

afterEach(async () => {
  await stack.emu.control.faults.clear();
});

/** A recent incident (hunting keeps 30 days) riley sees, with the richest evidence: devices, users, files, addresses, URLs or mailboxes. */
async function richIncident(): Promise<Incident> {
  const all: Incident[] = [];
  for (const s of await stack.emu.control.incidents.list(CONTOSO_ID)) all.push((await stack.emu.control.incidents.get(CONTOSO_ID, s.incidentId)) as Incident);
  const kinds = (i: Incident) => new Set((i.alerts ?? []).flatMap((a) => [...(a.entities ?? []).map((e) => e.entityType), ...(a.devices?.length ? ['Machine'] : [])])).size;
  const recent = all.filter((i) => i.status !== 'Redirected' && Date.now() - Date.parse(i.createdTime) < 20 * 86_400_000);
  return itemAt(recent.sort((a, b) => kinds(b) - kinds(a)), 0, 'recent incidents');
}

describe('Hunt links on the incident page', () => {
  it('gives every device, user, file, address, URL and mailbox a Hunt link with the incident’s time window', async () => {
    const incident = await richIncident();
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    expect(page.status).toBe(200);
    const items = page.$('h3[data-evidence-type]').toArray().flatMap((h) => {
      const type = page.$(h).attr('data-evidence-type') as string;
      return page.$(h).next('ul.entities').children('li').toArray().map((li) => ({ type, li: page.$(li) }));
    });
    const pivoted = items.filter(({ type }) => ['device', 'user', 'ip', 'url', 'mailbox'].includes(type));
    expect(pivoted.length).toBeGreaterThan(2);
    for (const { type, li } of pivoted) {
      const links = li.find('a.hunt');
      expect([type, links.length > 0]).toEqual([type, true]);
      const href = new URL(links.first().attr('href') as string, stack.app.url);
      expect(href.pathname).toBe('/hunting');
      expect(href.searchParams.get('range')).toBe('custom');
      expect(href.searchParams.get('q')).toContain(JSON.stringify(li.find('strong').first().text()));
      // The window holds the incident: from before its creation to after its last update (or now).
      const from = Date.parse(`${href.searchParams.get('from')}Z`);
      const to = Date.parse(`${href.searchParams.get('to')}Z`);
      expect(from).toBeLessThan(Date.parse(incident.createdTime));
      expect(to).toBeGreaterThanOrEqual(Math.min(Date.parse(incident.lastUpdateTime), Date.now() - 60_000));
    }
    // Files pivot by their SHA-256, when the evidence has one.
    const files = items.filter(({ type }) => type === 'file');
    for (const { li } of files) {
      const sha = li.find('code').toArray().map((c) => page.$(c).text()).find((t) => /^[0-9a-f]{64}$/i.test(t));
      expect(li.find('a.hunt').length).toBe(sha === undefined ? 0 : 1);
    }
  });

  it('opens a device’s processes, which run and show that device’s events, typed, with the row count and time', async () => {
    const incident = await richIncident();
    const page = await riley.get(`${stack.app.url}/incidents/${incident.incidentId}`);
    const link = page.$('h3[data-evidence-type="device"]').first().next('ul.entities').find('a.hunt').first();
    const device = link.closest('li').find('strong').first().text();
    const hunting = await riley.get(new URL(link.attr('href') as string, stack.app.url).toString());
    expect(hunting.status).toBe(200);
    expect(hunting.$('#query').text()).toBe(`DeviceProcessEvents\n| where DeviceName =~ "${device}"\n| project Timestamp, DeviceName, ActionType, FileName, ProcessCommandLine, AccountName, SHA256\n| order by Timestamp asc`);
    expect(hunting.$('#range option[selected]').attr('value')).toBe('custom');
    expect(hunting.$('#gutter li')).toHaveLength(4);
    const mark = await stack.emu.control.stats.mark();
    const result = await riley.submit(hunting, '#run');
    expect(result.status).toBe(200);
    const rows = result.$('#hunt-results tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    const headers = result.$('#hunt-results thead th').toArray().map((th) => result.$(th).text().replace(/\s+/g, ' ').trim());
    expect(headers.slice(0, 2)).toEqual(['Timestamp (date and time)', 'DeviceName (text)']);
    for (const tr of rows.toArray()) expect(result.$(tr).find('td').eq(1).text().toLowerCase()).toBe(device.toLowerCase());
    expect(result.$('#hunt-summary').text()).toMatch(new RegExp(`^${rows.length} rows? in \\d+\\.\\d s`));
    // Sent as Graph's body: the query and the custom range as start/end in UTC.
    const sent = await huntsSince(mark);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.upn).toBe('riley@contoso.example');
    // Nothing of the result is kept: the page again, without a post, shows no results.
    expect((await riley.get(`${stack.app.url}/hunting`)).$('#hunt-results')).toHaveLength(0);
  });
});

describe('the Hunting page', () => {
  it('runs every built-in query without an error', async () => {
    const page = await riley.get(`${stack.app.url}/hunting`);
    const library = page.$('#library a').toArray().map((a) => page.$(a).attr('href') as string);
    expect(library).toHaveLength(8);
    for (const href of library) {
      const opened = await riley.get(new URL(href, stack.app.url).toString());
      const result = await riley.submit(opened, '#run', { range: 'P30D' });
      expect([href, result.status, result.$('#hunt-problem').length]).toEqual([href, 200, 0]);
    }
  });

  it('exports every row as CSV with a byte order mark, running the query again', async () => {
    const query = 'AlertInfo\n| project AlertId, Title, Timestamp\n| take 1500';
    const page = await run(riley, query, { range: 'P30D' });
    const total = Number(page.$('#hunt-summary strong').text().replace(/,/g, ''));
    expect(total).toBeGreaterThan(0);
    const mark = await stack.emu.control.stats.mark();
    const csv = await request(`${stack.app.url}/hunting.csv`, {
      method: 'POST',
      headers: { cookie: await riley.jar.getCookieString(stack.app.url), 'content-type': 'application/x-www-form-urlencoded', origin: stack.app.url },
      body: new URLSearchParams({ _csrf: page.$('input[name="_csrf"]').first().attr('value') as string, query, range: 'P30D' }).toString(),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="threatdesk-hunt-\d{4}-\d{2}-\d{2}T\d{6}\.csv"$/);
    const bytes = Buffer.from(await csv.body.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('"AlertId","Title","Timestamp"');
    expect(lines).toHaveLength(total + 1);
    expect(await huntsSince(mark)).toHaveLength(1);
  });

  it('shows a syntax error at the line and column Microsoft names, with the query kept', async () => {
    const query = 'DeviceProcessEvents\n| where FileName = "x"';
    const page = await run(riley, query);
    expect(page.status).toBe(400);
    expect(page.$('#hunt-problem-title').text()).toBe('Microsoft could not run this query');
    expect(page.$('#hunt-problem-what').text()).toContain("Query could not be parsed at '=' on line [2,18]");
    expect(page.$('#hunt-position').text()).toContain('At line 2, column 18');
    expect(page.$('.error-listing code').text()).toBe('| where FileName = "x"\n                 ^');
    expect(page.$('#gutter li.error-line').text()).toBe('2');
    expect(page.$('#query').text()).toBe(query);
  });

  it('shows a semantic error as Microsoft words it, without a position it did not give', async () => {
    const page = await run(riley, 'DeviceProcessEvents | where Nope == 1');
    expect(page.status).toBe(400);
    expect(page.$('#hunt-problem-what').text()).toMatch(/Failed to resolve scalar expression named 'Nope'/);
    expect(page.$('#hunt-position')).toHaveLength(0);
    expect(page.$('#query').text()).toBe('DeviceProcessEvents | where Nope == 1');
  });

  it('says when a query returns more than the 100,000 rows Microsoft allows', async () => {
    const page = await run(riley, 'AlertInfo\n| extend k = 1\n| join kind=inner (AlertInfo | extend k = 1) on k', { range: 'P30D' });
    expect(page.status).toBe(400);
    expect(page.$('#hunt-problem-title').text()).toBe('The query returns too many rows');
    expect(page.$('#hunt-problem').text()).toContain('at most 100,000 rows');
  });

  it('refuses a bad range or an empty query before calling Microsoft, keeping what was typed', async () => {
    const mark = await stack.emu.control.stats.mark();
    const backwards = await run(riley, 'AlertInfo | take 1', { range: 'custom', from: '2026-11-02T10:00', to: '2026-11-01T10:00' });
    expect(backwards.status).toBe(400);
    expect(backwards.$('#range-error').text()).toBe('The range must end after it starts.');
    expect([backwards.$('#query').text(), backwards.$('#from').attr('value')]).toEqual(['AlertInfo | take 1', '2026-11-02T10:00']);
    const wide = await run(riley, 'AlertInfo | take 1', { range: 'custom', from: '2026-09-01T00:00', to: '2026-11-01T00:00' });
    expect(wide.$('#range-error').text()).toContain('30 days or less');
    expect((await run(riley, '  ')).$('#query-error').text()).toBe('Write a query first, or open one from the library.');
    expect(await huntsSince(mark)).toHaveLength(0);
  });

  it('keeps the query when the form has gone stale, sending nothing', async () => {
    const mark = await stack.emu.control.stats.mark();
    const page = await riley.get(`${stack.app.url}/hunting`);
    const stale = await riley.submit(page, '#run', { query: 'AlertInfo | take 3', _csrf: 'stale' });
    expect(stale.status).toBe(403);
    expect(stale.$('#query').text()).toBe('AlertInfo | take 3');
    expect(stale.$('#query-error').text()).toContain('Nothing was sent; your text is kept below: check it and run it again.');
    expect(await huntsSince(mark)).toHaveLength(0);
  });
});

describe('Microsoft’s limits and errors, each with its own message', () => {
  it('a 429 says when to run again, and holds the tenant’s hunting (not its incidents) until then', async () => {
    await stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: '429', retryAfter: 6 });
    const until = Date.now() + 6_000;
    const page = await run(riley, 'AlertInfo | take 1');
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('6');
    expect(page.$('#hunt-problem-title').text()).toBe('Your organisation’s hunting quota is used up for now');
    expect(page.$('#hunt-problem').text()).toMatch(/Run it again after \d{2}:\d{2}:\d{2} UTC \(in about 6 s\)/);
    // Another analyst's query waits without calling Microsoft; their incident pages do not.
    const mark = await stack.emu.control.stats.mark();
    const held = await run(alex, 'AlertInfo | take 1');
    expect(held.status).toBe(503);
    expect(held.$('#hunt-problem-title').text()).toBe('Microsoft asked ThreatDesk to wait');
    expect(held.$('#hunt-problem').text()).toContain('Nothing was sent');
    expect(held.$('#query').text()).toBe('AlertInfo | take 1');
    expect(await huntsSince(mark)).toHaveLength(0);
    expect((await stack.app.services.governor.status(CONTOSO_ID, 'graph')).pausedUntilMs).toBeNull();
    const status = await alex.get(`${stack.app.url}/admin/status`);
    expect(status.$('#hunting-paused').text()).toMatch(/Microsoft asked ThreatDesk to wait with hunting queries \(incidents go on\): none is sent until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(status.$('#paused').text()).toBe('Not paused.');
    expect((await alex.get(`${stack.app.url}/incidents`)).status).toBe(200);
    // After the Retry-After, queries run again.
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 200));
    expect((await run(alex, 'AlertInfo | take 1')).status).toBe(200);
  });

  it('a Microsoft failure, a non-JSON answer and an unreachable service each say what happened', async () => {
    await stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: '500' });
    const failed = await run(riley, 'AlertInfo | take 1');
    expect([failed.status, failed.$('#hunt-problem-title').text()]).toEqual([503, 'Microsoft Defender is having trouble']);
    await stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: 'non-json' });
    const garbled = await run(riley, 'AlertInfo | take 1');
    expect([garbled.status, garbled.$('#hunt-problem-title').text()]).toEqual([502, 'Microsoft sent an unreadable answer']);
    expect(garbled.$('#query').text()).toBe('AlertInfo | take 1');
  });

  it('tells an analyst without a security role that it is their role', async () => {
    const pat = await browserFor('pat@contoso.example');
    const page = await run(pat, 'AlertInfo | take 1');
    expect(page.status).toBe(403);
    expect(page.$('#hunt-problem-title').text()).toBe('Your role does not allow advanced hunting');
    expect(page.$('#query').text()).toBe('AlertInfo | take 1');
  });

  it('asks for the hunting permission the first time, and brings the query back after the consent', async () => {
    const hunting = `${GRAPH}/ThreatHunting.Read.All`;
    await stack.emu.control.consent.revokeAdmin(CONTOSO_ID, [hunting]);
    try {
      const sam = await browserFor('sam@contoso.example');
      const post = await run(sam, 'AlertInfo\n| take 2', { range: 'P30D' });
      expect(post.status).toBe(303);
      expect(post.location).toBe(`${stack.app.url}/auth/signin?scope=hunting&returnTo=${encodeURIComponent('/hunting')}`);
      const back = await signIn(sam, stack.app.url, 'sam@contoso.example', { start: post.location });
      expect(back.hops.some((h) => h.body.includes('ThreatHunting.Read.All'))).toBe(true);
      expect(back.final.url).toBe(`${stack.app.url}/hunting`);
      expect(back.final.$('#restored').length).toBe(1);
      expect(back.final.$('#query').text()).toBe('AlertInfo\n| take 2');
      const ran = await sam.submit(back.final, '#run');
      expect([ran.status, ran.$('#hunt-results tbody tr').length]).toEqual([200, 2]);
      // Once: the page opened again starts empty.
      expect((await sam.get(`${stack.app.url}/hunting`)).$('#query').text()).toBe('');
    } finally {
      await stack.emu.control.consent.grantAdmin(CONTOSO_ID, [hunting]);
    }
  });

  it('an analyst whose organisation has not consented sees why, with the query kept for later', async () => {
    await stack.emu.control.consent.grantAdmin(FABRIKAM_ID, [`${GRAPH}/SecurityIncident.Read.All`]);
    const jordan = await browserFor('jordan@fabrikam.example');
    const post = await run(jordan, 'AlertInfo | take 1');
    expect(post.location).toBe(`${stack.app.url}/auth/signin?scope=hunting&returnTo=${encodeURIComponent('/hunting')}`);
    const hops = await jordan.follow(post.location as string);
    const final = itemAt(hops, hops.length - 1, 'hops');
    expect(final.status).toBe(403);
    expect(final.body).toMatch(/administrator/i);
    expect(final.$('a[href="/admin/consent"]').length).toBeGreaterThan(0);
  });
});

describe('limits ThreatDesk keeps itself', () => {
  let app: AppInstance;
  let b: TestBrowser;
  beforeAll(async () => {
    app = await startApp(stack.emu, { HUNTING_TIMEOUT_MS: '1500', SYNC_INTERVAL_S: '3600' });
    b = await browserFor('riley@contoso.example', app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('stops waiting after HUNTING_TIMEOUT_MS and says the query ran out of time', async () => {
    await stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: 'delay', delayMs: 4000 });
    const page = await run(b, 'AlertInfo | take 1', {}, app);
    expect(page.status).toBe(504);
    expect(page.$('#hunt-problem-title').text()).toBe('The query ran out of time');
    expect(page.$('#hunt-problem').text()).toContain('no answer after 2 s');
  });

  it('aborts Microsoft’s call when the analyst cancels (the browser goes away)', async () => {
    await stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: 'delay', delayMs: 1000 });
    const page = await b.get(`${app.url}/hunting`);
    const abort = new AbortController();
    const sent = request(`${app.url}/hunting`, {
      method: 'POST',
      headers: { cookie: await b.jar.getCookieString(app.url), 'content-type': 'application/x-www-form-urlencoded', origin: app.url },
      body: new URLSearchParams({ _csrf: page.$('input[name="_csrf"]').first().attr('value') as string, query: 'AlertInfo | take 1', range: 'P1D' }).toString(),
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 300);
    await expect(sent).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(app.logs.filter((l) => l.includes('"audit":"hunting.run"') && l.includes('"outcome":"cancelled"'))).toHaveLength(1);
  });

  it('spends the tenant’s hunting budget: past it, the query waits and nothing is sent', async () => {
    const metered = await startApp(stack.emu, { QUOTA_HUNTING_PER_MIN: '4', SYNC_INTERVAL_S: '3600' });
    try {
      const mb = await browserFor('riley@contoso.example', metered);
      const mark = await stack.emu.control.stats.mark();
      // 4 a minute: one at once, then one every 20 s.
      const first = await run(mb, 'AlertInfo | take 1', { range: 'P30D' }, metered);
      const second = await run(mb, 'AlertInfo | take 1', {}, metered);
      expect([first.status, second.status]).toEqual([200, 503]);
      expect(second.$('#hunt-problem-title').text()).toBe('The tenant\u2019s API budget is in use');
      expect(second.$('#hunt-problem').text()).toMatch(/Nothing was sent\. Run it again after \d{2}:\d{2}:\d{2} UTC/);
      expect(second.$('#query').text()).toBe('AlertInfo | take 1');
      expect(await huntsSince(mark)).toHaveLength(1);
    } finally {
      await metered.close();
    }
  });
});

describe('saved queries', () => {
  it('saves an analyst’s own and shared queries: shared ones reach their organisation only, and only their author changes them', async () => {
    const page = await run(riley, 'AlertInfo\n| take 5');
    const saved = await riley.submit(page, '#save', { name: 'Five alerts', description: 'A quick look' });
    expect(saved.status).toBe(303);
    const opened = await riley.get(saved.location as string);
    expect(opened.$('.flash').text()).toBe('Saved “Five alerts” to your queries.');
    expect(opened.$('#query').text()).toBe('AlertInfo\n| take 5');
    expect(opened.$('#my-queries a').toArray().map((a) => opened.$(a).text())).toContain('Five alerts');
    // Private: alex does not see it, and its link says there is nothing for them there.
    expect((await alex.get(`${stack.app.url}/hunting`)).body).not.toContain('Five alerts');
    const notTheirs = await alex.get(saved.location as string);
    expect([notTheirs.status, notTheirs.$('#query').text()]).toEqual([404, '']);
    expect(notTheirs.$('.flash-error').text()).toContain('There is no saved query of yours, or shared in your organisation, at that link');

    const shared = await riley.submit(opened, '#save', { name: 'Shared hunt', shared: 'on' });
    const sharedUrl = shared.location as string;
    const alexPage = await alex.get(`${stack.app.url}/hunting`);
    expect(alexPage.$('#shared-queries li').text()).toContain('Shared hunt');
    expect(alexPage.$('#shared-queries li').text()).toContain('by riley@contoso.example');
    expect((await alex.get(sharedUrl)).$('#query').text()).toBe('AlertInfo\n| take 5');
    // Alex cannot delete riley's query.
    const id = new URL(sharedUrl).searchParams.get('saved') as string;
    const refused = await alex.post(`${stack.app.url}/hunting/queries/delete`, { _csrf: alexPage.$('input[name="_csrf"]').first().attr('value') as string, id });
    expect((await alex.get(refused.location as string)).$('.flash').text()).toContain('nothing was deleted');
    expect((await alex.get(sharedUrl)).$('#query').text()).toBe('AlertInfo\n| take 5');
    // Fabrikam sees none of it.
    await stack.emu.control.consent.grantAdmin(FABRIKAM_ID, [`${GRAPH}/SecurityIncident.Read.All`]);
    const jordan = await browserFor('jordan@fabrikam.example');
    const jordanPage = await jordan.get(`${stack.app.url}/hunting`);
    expect(jordanPage.body).not.toContain('Shared hunt');
    expect((await jordan.get(sharedUrl)).$('#query').text()).toBe('');

    // Saving under the same name replaces; deleting removes.
    const again = await riley.submit(await run(riley, 'AlertInfo | take 6'), '#save', { name: 'Five alerts' });
    const replaced = await riley.get(again.location as string);
    expect(replaced.$('#my-queries a').toArray().filter((a) => replaced.$(a).text() === 'Five alerts')).toHaveLength(1);
    expect(replaced.$('#query').text()).toBe('AlertInfo | take 6');
    const gone = await riley.submit(replaced, `#my-queries li:contains("Shared hunt") button`);
    expect((await riley.get(gone.location as string)).$('.flash').text()).toBe('The saved query is deleted.');
    expect((await alex.get(`${stack.app.url}/hunting`)).body).not.toContain('Shared hunt');
    expect(stack.app.logs.filter((l) => l.includes('"audit":"hunting.saved"'))).toHaveLength(3);
    expect(stack.app.logs.filter((l) => l.includes('"audit":"hunting.deleted"'))).toHaveLength(1);
  });

  it('refuses a save without a name, keeping the query and what was typed', async () => {
    const page = await run(riley, 'AlertInfo | take 7');
    const refused = await riley.submit(page, '#save', { name: '  ', description: 'kept' });
    expect(refused.status).toBe(400);
    expect(refused.$('#save-error').text()).toBe('A saved query needs a name of 1 to 80 characters on one line.');
    expect([refused.$('#query').text(), refused.$('#description').text()]).toEqual(['AlertInfo | take 7', 'kept']);
  });
});

describe('with the legacy Defender API', () => {
  it('explains that hunting needs the Graph API', async () => {
    const app = await startApp(stack.emu, { SECURITY_API: 'defender', SYNC_INTERVAL_S: '3600' });
    try {
      const b = await browserFor('riley@contoso.example', app);
      const page = await run(b, 'AlertInfo | take 1', {}, app);
      expect(page.status).toBe(501);
      expect(page.$('#hunt-problem-title').text()).toBe('Advanced hunting needs the Microsoft Graph security API');
    } finally {
      await app.close();
    }
  });
});
