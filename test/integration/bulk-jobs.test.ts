import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { itemAt, TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { syncNow } from '../helpers/indexSync';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, startStack, type AppInstance } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
const browsers: TestBrowser[] = [];
let riley: TestBrowser;
let run = 0;
// Shared by the instance that replaces the first (the restart test): both read the same token cache.
const TOKEN_CACHE_KEYS = randomBytes(32).toString('base64');

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, { TOKEN_CACHE_KEYS });
  await stack.emu.control.users.add({ upn: 'quinn@contoso.example', name: 'Quinn Park', defender: { role: 'analyst', deviceGroups: '*', canUpdate: false }, entraRoles: ['Security Reader'] });
  riley = await browserFor('riley@contoso.example');
});

afterEach(async () => {
  await stack.emu.control.faults.clear();
  // Each test leaves no job under way for the next (one per analyst).
  await untilNone();
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

async function browserFor(upn: string, app: AppInstance = stack.app): Promise<TestBrowser> {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  await signIn(b, app.url, upn);
  return b;
}

/** `n` new active incidents carrying a tag of their own (and `keep`), in riley's index. */
async function tagged(n: number, keep = 'keep-me'): Promise<{ tag: string; ids: string[] }> {
  const tag = `bulk-${++run}-${Date.now()}`;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const added = await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: `Bulk test ${run}.${i}`, severity: 'Low', tags: [tag, keep], alerts: [{ title: 'x', deviceGroup: 'Workstations' }] });
    ids.push(String(added.incidentId));
  }
  await syncNow(stack.app, riley);
  return { tag, ids };
}

const current = async (id: string) => (await stack.emu.control.incidents.get(CONTOSO_ID, Number(id))) as Incident;
const jobUrl = (page: Page) => new URL(page.location ?? '', stack.app.url).toString();

/** The bulk form for a selection, submitted with `fields`; answers the POST. */
async function startJob(b: TestBrowser, selection: string, fields: Record<string, string>): Promise<Page> {
  const form = await b.get(`${stack.app.url}/bulk?${selection}`);
  expect(form.status).toBe(200);
  return b.submit(form, '#start-job', fields);
}

/** Reads the job's page until it is no longer running (the runner works in the background). */
async function untilEnded(b: TestBrowser, url: string, timeoutMs = 30_000): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await b.get(url);
    if (!/^Running/.test(page.$('#job-state').text())) return page;
    if (Date.now() > deadline) throw new Error(`job still running: ${page.$('#job-state').text()} ${page.$('#job-note').text()}`);
    await delay(100);
  }
}

/** Waits until no job of this app's runner is in hand, then cancels what is left under way. */
async function untilNone(): Promise<void> {
  for (const b of [riley]) {
    const list = await b.get(`${stack.app.url}/jobs`);
    for (const href of list.$('#job-list a').map((_, a) => list.$(a).attr('href')).get()) {
      const page = await b.get(`${stack.app.url}${href}`);
      if (page.$('#cancel-job').length) await b.submit(page, '#cancel-job');
    }
  }
}

const rowsOf = (page: Page) => page.$('#job-rows tbody tr').map((_, tr) => ({ id: page.$(tr).attr('data-incident-id'), state: page.$(tr).attr('data-state'), text: page.$(tr).find('td').last().text() })).get() as { id: string; state: string; text: string }[];

describe('bulk changes', () => {
  it('changes the ticked incidents in the background: assigned to me, in progress, a tag added and the others kept', async () => {
    const { ids } = await tagged(3);
    const jobsBefore = (await riley.get(`${stack.app.url}/jobs`)).$('#job-list tbody tr').length;
    const queue = await riley.get(`${stack.app.url}/incidents`);
    // Every row of the queue can be ticked into the bulk form.
    expect(queue.$(`#incidents tbody tr[data-incident-id="${itemAt(ids, 0)}"] input[name="ids"]`).attr('form')).toBe('bulk-select');
    const form = await riley.get(`${stack.app.url}/bulk?${ids.map((id) => `ids=${id}`).join('&')}`);
    expect(form.$('h1').text()).toBe('Change 3 incidents');
    // Without the form's token nothing starts (control 23).
    const forged = await riley.post(`${stack.app.url}/jobs`, { ids, assign: 'me' });
    expect(forged.status).toBe(403);
    expect((await riley.get(`${stack.app.url}/jobs`)).$('#job-list tbody tr').length).toBe(jobsBefore);
    const post = await riley.submit(form, '#start-job', { assign: 'me', status: 'inProgress', addTags: 'triaged, keep-me' });
    expect(post.status).toBe(303);
    expect(new URL(jobUrl(post)).pathname).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    const page = await untilEnded(riley, jobUrl(post));
    expect(page.$('#job-state').text()).toMatch(/^Finished: 3 of 3 handled/);
    expect(page.$('#job-what').text()).toContain('Assign to me; set status to In progress; add tags: triaged, keep-me.');
    expect(rowsOf(page).map((r) => [r.id, r.state]).sort()).toEqual(ids.map((id) => [id, 'done']).sort());
    const first = itemAt(rowsOf(page), 0);
    expect(first.text).toBe(`Assigned to riley@contoso.example; status set to In progress; tags set to ${(await current(first.id)).tags.join(', ')}.`);
    for (const id of ids) {
      const now = await current(id);
      expect(now.assignedTo).toBe('riley@contoso.example');
      expect(now.status).toBe('InProgress');
      expect([...now.tags].sort()).toEqual(['keep-me', 'triaged', ...now.tags.filter((t) => t.startsWith('bulk-'))].sort());
    }
    // The queue shows the change at once, from the index the job wrote to.
    const after = await riley.get(`${stack.app.url}/incidents?assignee=me`);
    for (const id of ids) expect(after.$(`#incidents tbody tr[data-incident-id="${id}"]`).length).toBe(1);
  });

  it('changes every incident a view matches, removing one tag and keeping the rest', async () => {
    const { tag, ids } = await tagged(4);
    const post = await startJob(riley, `all=1&view=${encodeURIComponent(`tag=${tag}`)}`, { removeTags: 'keep-me' });
    const page = await untilEnded(riley, jobUrl(post));
    expect(page.$('#job-counts [data-state="done"]').text()).toBe('Changed 4');
    for (const id of ids) expect((await current(id)).tags).toEqual([tag]);
  });

  it('skips, and says why, an incident changed in Microsoft since the analyst selected it', async () => {
    const { tag, ids } = await tagged(2);
    // Someone else resolves one in the portal; riley's index has not seen it yet.
    await stack.emu.control.incidents.change(CONTOSO_ID, Number(itemAt(ids, 0)), { assignedTo: 'sam@contoso.example' });
    const post = await startJob(riley, `all=1&view=${encodeURIComponent(`tag=${tag}`)}`, { assign: 'me' });
    const page = await untilEnded(riley, jobUrl(post));
    const rows = rowsOf(page);
    expect(rows.find((r) => r.id === itemAt(ids, 0))).toEqual({ id: itemAt(ids, 0), state: 'skipped', text: 'Changed in Microsoft since you selected it (Assigned to: Unassigned → sam@contoso.example): not changed.' });
    expect(rows.find((r) => r.id === itemAt(ids, 1))?.state).toBe('done');
    expect((await current(itemAt(ids, 0))).assignedTo).toBe('sam@contoso.example');
    expect((await current(itemAt(ids, 1))).assignedTo).toBe('riley@contoso.example');
  });

  it('waits out Microsoft’s 429 as it asks, then finishes with every row accounted for', async () => {
    const { tag, ids } = await tagged(5);
    await stack.emu.control.faults.add([{ endpoint: 'incidents.update', kind: '429', retryAfter: 1, count: 2 }]);
    const started = Date.now();
    const post = await startJob(riley, `all=1&view=${encodeURIComponent(`tag=${tag}`)}`, { status: 'inProgress', comment: 'Bulk: looked at by the night shift.' });
    const page = await untilEnded(riley, jobUrl(post));
    expect(page.$('#job-state').text()).toMatch(/^Finished: 5 of 5/);
    expect(page.$('#job-pacing').text()).toContain('Microsoft answered “too many requests” 2 times');
    // Two waits of the Retry-After each (1 s), never a call before it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    for (const id of ids) {
      const now = await current(id);
      expect(now.status).toBe('InProgress');
      expect(now.comments.map((c) => c.comment)).toEqual(['Bulk: looked at by the night shift.']);
    }
  });

  it('keeps the form’s text and refuses a second job while one is under way; cancel leaves the rest as they were', async () => {
    const { tag, ids } = await tagged(6);
    // Slow answers, so that the job is still running while the analyst acts.
    await stack.emu.control.faults.add([{ endpoint: 'incidents.update', kind: 'delay', delayMs: 400, count: 6 }]);
    const post = await startJob(riley, `all=1&view=${encodeURIComponent(`tag=${tag}`)}`, { addTags: 'slow' });
    const second = await startJob(riley, `ids=${itemAt(ids, 0)}`, { comment: 'Typed while the other ran' });
    expect(second.status).toBe(409);
    expect(second.$('#manage-error').text()).toContain('You already have a bulk change under way');
    expect(second.$('#bulk-comment').text()).toBe('Typed while the other ran');
    expect(second.$('#under-way a').attr('href')).toBe(new URL(jobUrl(post)).pathname);

    const running = await riley.get(jobUrl(post));
    const cancelled = await riley.submit(running, '#cancel-job');
    expect(cancelled.status).toBe(303);
    expect((await untilEnded(riley, jobUrl(post))).$('#job-state').text()).toMatch(/^Cancelled/);
    // The write in flight when it was cancelled ends; nothing more is sent for the job.
    await delay(1_000);
    const waiting = rowsOf(await riley.get(jobUrl(post))).filter((r) => r.state === 'pending');
    expect(waiting.length).toBeGreaterThan(2);
    await delay(1_500);
    expect(rowsOf(await riley.get(jobUrl(post))).filter((r) => r.state === 'pending')).toEqual(waiting);
    for (const r of waiting) expect((await current(r.id)).tags).not.toContain('slow');
  });

  it('checks the resolve policy: a note for all at the form, a classification per incident', async () => {
    const { tag, ids } = await tagged(2);
    await stack.emu.control.incidents.change(CONTOSO_ID, Number(itemAt(ids, 0)), { classification: 'FalsePositive', determination: 'Other' });
    await syncNow(stack.app, riley);
    const selection = `all=1&view=${encodeURIComponent(`tag=${tag}`)}`;
    const refused = await startJob(riley, selection, { status: 'resolved' });
    expect(refused.status).toBe(400);
    expect(refused.$('#bulk-comment-error').text()).toBe('Add a note on how these incidents were resolved');
    expect(refused.$('[autofocus]').attr('id')).toBe('bulk-comment');
    const post = await startJob(riley, selection, { status: 'resolved', comment: 'Closed in bulk: test data.' });
    const rows = rowsOf(await untilEnded(riley, jobUrl(post)));
    expect(rows.find((r) => r.id === itemAt(ids, 0))?.state).toBe('done');
    expect(rows.find((r) => r.id === itemAt(ids, 1))).toEqual({ id: itemAt(ids, 1), state: 'skipped', text: 'Choose a classification to resolve this incident: not changed.' });
    expect((await current(itemAt(ids, 0))).status).toBe('Resolved');
    expect((await current(itemAt(ids, 1))).status).toBe('Active');
  });

  it('pauses, saying why, when Microsoft refuses the analyst changes; another analyst never sees the job', async () => {
    const quinn = await browserFor('quinn@contoso.example');
    await syncNow(stack.app, quinn);
    const queue = await quinn.get(`${stack.app.url}/incidents`);
    const id = queue.$('#incidents tbody tr').filter((_, tr) => queue.$(tr).find('.c-status').text().startsWith('Active')).first().attr('data-incident-id') as string;
    const post = await startJob(quinn, `ids=${id}`, { status: 'inProgress' });
    const page = await untilEnded(quinn, jobUrl(post));
    expect(page.$('#job-state').text()).toMatch(/^Paused/);
    expect(page.$('#job-note').text()).toMatch(/^Paused: (ThreatDesk can no longer act for you|.*refused)/);
    expect(page.$('#resume-job').length).toBe(1);
    // Riley cannot read, cancel or continue Quinn's job: it is not among riley's.
    expect((await riley.get(jobUrl(post))).status).toBe(404);
    expect((await riley.post(`${jobUrl(post)}/cancel`, { _csrf: (await riley.get(`${stack.app.url}/jobs`)).$('input[name="_csrf"]').first().attr('value') ?? '' })).status).toBe(404);
    const stillPaused = await quinn.get(jobUrl(post));
    expect(stillPaused.$('#job-state').text()).toMatch(/^Paused/);
    await quinn.submit(stillPaused, '#cancel-job');
  });

  it('resumes after a restart: a job the first instance left is finished by the next on the same database and store', async () => {
    const { tag, ids } = await tagged(4);
    await stack.emu.control.faults.add([{ endpoint: 'incidents.update', kind: 'delay', delayMs: 500, count: 2 }]);
    const post = await startJob(riley, `all=1&view=${encodeURIComponent(`tag=${tag}`)}`, { addTags: 'after-restart' });
    // The first incident is under way when the instance shuts down: it stops after it.
    await delay(200);
    const { config, store } = stack.app.services;
    // The same store (sessions, token cache), left open when the second instance closes.
    const shared = new Proxy(store, { get: (target, key) => (key === 'close' ? () => Promise.resolve() : Reflect.get(target, key, target)) as unknown });
    const next = await startApp(stack.emu, { DATABASE_URL: config.databaseUrl, DATABASE_SCHEMA: config.databaseSchema, TOKEN_CACHE_KEYS }, { store: shared });
    try {
      await stack.app.services.runner.stop();
      const left = rowsOf(await riley.get(jobUrl(post))).filter((r) => r.state === 'pending');
      expect(left.length).toBeGreaterThan(0);
      const page = await untilEnded(riley, jobUrl(post));
      expect(page.$('#job-state').text()).toMatch(/^Finished: 4 of 4/);
      for (const id of ids) expect((await current(id)).tags).toContain('after-restart');
    } finally {
      await next.close();
    }
  });
});
