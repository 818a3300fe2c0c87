import { CONTOSO_ID, FABRIKAM_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, type Page, lastItem } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
const browsers: TestBrowser[] = [];
let target: number;

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
  await stack.emu.control.users.add({ upn: 'quinn@contoso.example', name: 'Quinn Park', defender: { role: 'responder', deviceGroups: '*', canUpdate: true }, entraRoles: ['Security Operator'] });
  riley = await browserFor('riley@contoso.example');
  target = (await stack.emu.control.incidents.list(CONTOSO_ID)).find((s) => s.status === 'Active')!.incidentId;
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

async function browserFor(upn: string): Promise<TestBrowser> {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  await signIn(b, stack.app.url, upn);
  return b;
}

/** The incident as the emulator now holds it (in the legacy API's shape). */
const current = async (id = target, tenant = CONTOSO_ID) => (await stack.emu.control.incidents.get(tenant, id)) as Incident;
const patches = async () => (await stack.emu.control.stats.requests()).filter((r) => r.method === 'PATCH').length;
const GRAPH = 'https://graph.microsoft.com';
const open = (b: TestBrowser, id = target) => b.get(`${stack.app.url}/incidents/${id}`);

/** Submits a manage form and follows the redirect back to the incident page. */
async function act(b: TestBrowser, page: Page, button: string, fields: Record<string, string> = {}): Promise<{ post: Page; page: Page }> {
  const post = await b.submit(page, button, fields);
  const after = post.status === 303 && post.location ? await b.get(post.location) : post;
  return { post, page: after };
}

describe('the manage form', () => {
  it('assigns to me, to an address, and unassigns, saying so in words', async () => {
    let r = await act(riley, await open(riley), '#assign-me');
    expect(r.post.status).toBe(303);
    expect(r.page.$('.flash-success').text()).toBe('Assigned to riley@contoso.example.');
    expect(r.page.$('#assigned-to').text()).toBe('riley@contoso.example');
    expect((await current()).assignedTo).toBe('riley@contoso.example');

    r = await act(riley, r.page, '#save', { assignTo: 'sam@contoso.example' });
    expect((await current()).assignedTo).toBe('sam@contoso.example');

    r = await act(riley, r.page, '#save', { assignTo: '' });
    expect(r.page.$('.flash-success').text()).toBe('Unassigned.');
    expect(r.page.$('#assigned-to').text()).toBe('Unassigned');
    expect((await current()).assignedTo ?? null).toBeNull();
  });

  it('saves status, classification, tags and a comment at once; resolving asks, at its field, for what the policy requires', async () => {
    let r = await act(riley, await open(riley), '#save', { status: 'inProgress' });
    expect(r.page.$('.flash-success').text()).toBe('Status set to In progress.');
    expect((await current()).status).toBe('InProgress');

    const note = 'Contained: host isolated and reimaged.';
    r = await act(riley, r.page, '#save', { status: 'resolved', verdict: '', comment: note });
    expect(r.post.status).toBe(400);
    expect(r.page.$('#manage-error').text()).toContain('Choose a classification to resolve this incident');
    // The message sits at its field, which says so and takes the focus.
    expect(r.page.$('#manage-verdict-error').text()).toBe('Choose a classification to resolve this incident');
    expect(r.page.$('#manage-verdict').attr('aria-invalid')).toBe('true');
    expect(r.page.$('#manage-verdict').attr('aria-describedby')).toBe('manage-verdict-error');
    expect(r.page.$('[autofocus]').attr('id')).toBe('manage-verdict');
    expect(r.page.$('#manage-error a').attr('href')).toBe('#manage-verdict');
    // What the analyst typed and chose is still there.
    expect(r.page.$('#comment-input').text()).toBe(note);
    expect(r.page.$('#status-select option[selected]').attr('value')).toBe('resolved');
    expect((await current()).status).toBe('InProgress');

    const before = await patches();
    r = await act(riley, r.page, '#save', { verdict: 'truePositive:malware', tags: 'Contained' });
    expect(r.post.status).toBe(303);
    expect(r.page.$('.flash-success').text()).toBe('Status set to Resolved; classified as True positive — Malware; tags set to Contained; comment added.');
    // One update for every field; the comment is the API's own call.
    expect(await patches()).toBe(before + 1);
    const now = await current();
    expect([now.status, now.classification, now.determination, now.tags]).toEqual(['Resolved', 'TruePositive', 'Malware', ['Contained']]);
    expect(now.comments?.at(-1)).toMatchObject({ comment: note, createdBy: 'riley@contoso.example' });
  });

  it('offers only valid classification/determination pairs in words, and refuses a forged invalid one before calling the API', async () => {
    const page = await open(riley);
    const options = page.$('#manage-verdict option').map((_, el) => page.$(el).attr('value')).get();
    expect(options).toContain('falsePositive:notMalicious');
    expect(options).toContain('truePositive:phishing');
    expect(options).not.toContain('falsePositive:malware');
    expect(page.$('#manage-verdict option[value="falsePositive:notMalicious"]').text()).toBe('False positive — Not malicious');
    const before = await patches();
    const r = await act(riley, page, '#save', { verdict: 'falsePositive:malware' });
    expect(r.post.status).toBe(400);
    expect(r.page.$('#manage-verdict-error').text()).toBe('“malware” is not a determination for this classification');
    expect(await patches()).toBe(before);

    const ok = await act(riley, r.page, '#save', { verdict: 'informationalExpectedActivity:securityTesting' });
    expect(ok.post.status).toBe(303);
    expect([(await current()).classification, (await current()).determination]).toEqual(['InformationalExpectedActivity', 'SecurityTesting']);

    // Sent in Graph's metadata spelling, stored as the emulator documents it.
    const fp = await act(riley, ok.page, '#save', { verdict: 'falsePositive:notMalicious' });
    expect(fp.post.status).toBe(303);
    expect((await current()).determination).toBe('NotMalicious');
    const sent = (await stack.emu.control.stats.requests()).filter((q) => q.method === 'PATCH').at(-1);
    expect(sent?.api).toBe('graph');

    // "Not set" clears the classification.
    const cleared = await act(riley, fp.page, '#save', { verdict: '' });
    expect(cleared.post.status).toBe(303);
    expect(cleared.page.$('.flash-success').text()).toBe('Classification cleared.');
    expect(cleared.page.$('#classification').text()).toBe('Not set');
  });

  it('replaces tags and adds comments up to 30,000 characters', async () => {
    let r = await act(riley, await open(riley), '#save', { tags: 'Phishing campaign, VIP\n<b>markup</b>' });
    expect((await current()).tags).toEqual(['Phishing campaign', 'VIP', '<b>markup</b>']);
    expect(r.page.$('#tags .tag:not(.system)').map((_, el) => r.page.$(el).text()).get()).toEqual(['Phishing campaign', 'VIP', '<b>markup</b>']);

    const long = `${'x'.repeat(29_990)} <i>end</i>`;
    expect(long.length).toBe(30_001);
    r = await act(riley, r.page, '#save', { comment: long });
    expect(r.post.status).toBe(400);
    expect(r.page.$('#comment-input-error').text()).toBe('Comments may be up to 30,000 characters (this one has 30,001)');
    expect(r.page.$('#comment-input').text()).toBe(long);

    r = await act(riley, r.page, '#save', { comment: long.slice(1) });
    expect(r.post.status).toBe(303);
    expect((await current()).comments?.at(-1)?.comment).toBe(long.slice(1));
    expect(r.page.$('.comment-text').first().text()).toBe(long.slice(1));
  });

  it('sends nothing when nothing changed', async () => {
    const page = await open(riley);
    const before = await patches();
    const r = await act(riley, page, '#save');
    expect(r.page.$('.flash-success').text()).toBe('Nothing to change: the incident already had those values.');
    expect(await patches()).toBe(before);
  });

  it('reports a change answered without a body (204) as saved, since it was stored', async () => {
    await stack.emu.control.faults.add({ endpoint: 'incidents.update', kind: 'no-content', count: 1 });
    try {
      const r = await act(riley, await open(riley), '#save', { tags: 'Answered without a body' });
      expect(r.post.status).toBe(303);
      expect(r.page.$('.flash-success').text()).toBe('Tags set to Answered without a body.');
      expect((await current()).tags).toEqual(['Answered without a body']);
    } finally {
      await stack.emu.control.faults.clear();
    }
  });

  it('keeps the text and offers to send it again when Microsoft fails the update (500)', async () => {
    const text = 'Handled by the night shift.';
    await stack.emu.control.faults.add({ endpoint: 'incidents.update', kind: '500', count: 5 });
    let r;
    try {
      r = await act(riley, await open(riley), '#save', { status: 'inProgress', comment: text });
    } finally {
      await stack.emu.control.faults.clear();
    }
    expect(r.post.status).toBe(503);
    expect(r.post.headers.get('retry-after')).toBe('30');
    expect(r.page.$('#manage-error').text()).toContain('Microsoft answered with a server error');
    expect(r.page.$('#comment-input').text()).toBe(text);
    expect(r.page.$('#status-select option[selected]').attr('value')).toBe('inProgress');
    // Sent again as it stands: saved, or (if the first try was stored) the conflict panel says so.
    const again = await act(riley, r.page, '#save');
    expect([303, 409]).toContain(again.post.status);
  });

  it('refuses a form without its CSRF token, or from another site', async () => {
    const page = await open(riley);
    const base = page.$('#manage-form input[name="base"]').attr('value') as string;
    const url = `${stack.app.url}/incidents/${target}/manage`;
    expect((await riley.post(url, { base, comment: 'no token' })).status).toBe(403);
    const csrf = page.$('#manage-form input[name="_csrf"]').attr('value') as string;
    expect((await riley.post(url, { base, comment: 'cross site', _csrf: csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await current()).comments?.some((c) => ['no token', 'cross site'].includes(c.comment))).toBe(false);
  });

  it('keeps the text of a form whose security token went stale, and saves it from the page it comes back on', async () => {
    const page = await open(riley);
    const text = 'Typed before the token went stale.';
    const base = page.$('#manage-form input[name="base"]').attr('value') as string;
    const seen = page.$('#manage-form input[name="seen"]').attr('value') as string;
    const stale = await riley.post(`${stack.app.url}/incidents/${target}/manage`, { _csrf: 'stale', base, seen, comment: text, status: 'inProgress' });
    expect(stale.status).toBe(403);
    expect(stale.$('#manage-error').text()).toContain('Nothing was sent; your text is kept below');
    expect(stale.$('#comment-input').text()).toBe(text);
    expect((await current()).comments?.some((c) => c.comment === text)).toBe(false);
    const saved = await act(riley, stale, '#save');
    expect(saved.post.status).toBe(303);
    expect((await current()).comments?.at(-1)?.comment).toBe(text);
  });

  it('keeps what was typed when the session ended before Save: through sign-in and back, filled in, for that analyst', async () => {
    const page = await open(riley);
    const text = 'Typed while my session ran out.';
    // The session ends (idle timeout, restart): the browser no longer has one.
    for (const c of await riley.jar.getCookies(stack.app.url)) await riley.jar.setCookie(`${c.key}=; Max-Age=0; Path=/`, stack.app.url);
    const post = await riley.submit(page, '#save', { comment: text, status: 'inProgress' });
    expect(post.status).toBe(303);
    expect(post.location).toBe(`${stack.app.url}/auth/signin?returnTo=${encodeURIComponent(`/incidents/${target}`)}`);
    // Sign-in (riley picks her account on the emulator's page) leads back to the incident, filled in.
    let back = lastItem(await riley.follow(post.location as string), 'redirect hops');
    if (back.$('button[value="riley@contoso.example"]').length) {
      const picked = await riley.submit(back, 'button[value="riley@contoso.example"]');
      back = lastItem(await riley.follow(picked.location as string), 'redirect hops');
    }
    expect(back.url).toBe(`${stack.app.url}/incidents/${target}`);
    expect(back.$('#pending-change').length).toBe(1);
    expect(back.$('#comment-input').text()).toBe(text);
    expect(back.$('#status-select option[selected]').attr('value')).toBe('inProgress');
    expect((await current()).comments?.some((c) => c.comment === text)).toBe(false);
    const saved = await act(riley, back, '#save');
    expect(saved.post.status).toBe(303);
    expect((await current()).comments?.at(-1)?.comment).toBe(text);
    expect(saved.page.$('#pending-change').length).toBe(0);
  });

  it('never overwrites another analyst\'s change: it shows what changed and keeps the form', async () => {
    const quinn = await browserFor('quinn@contoso.example');
    const mine = await open(riley);
    // Quinn changes the status while Riley's page is open.
    await act(quinn, await open(quinn), '#save', { status: 'active', assignTo: 'quinn@contoso.example' });

    const before = await patches();
    const r = await act(riley, mine, '#save', { assignTo: 'sam@contoso.example' });
    expect(r.post.status).toBe(409);
    expect(await patches()).toBe(before);
    expect((await current()).assignedTo).toBe('quinn@contoso.example');
    const conflict = r.page.$('#conflict').text();
    expect(conflict).toContain('Someone else changed this incident since you opened it');
    expect(conflict).toContain('Assigned to:');
    expect(conflict).toContain('→ quinn@contoso.example');
    expect(r.page.$('#assign-to').attr('value')).toBe('sam@contoso.example');

    // Re-applying from the conflict page works, on top of the new version.
    const again = await act(riley, r.page, '#save');
    expect(again.post.status).toBe(303);
    expect((await current()).assignedTo).toBe('sam@contoso.example');
  });

  it('tells a read-only analyst it is their role (not consent), keeps what they typed, then folds the controls away', async () => {
    const alex = await browserFor('alex@contoso.example');
    const visible = (await stack.emu.control.incidents.visibleIds('alex@contoso.example'))[0];
    expect(visible).toBeDefined();
    const page = await open(alex, visible);
    const r = await act(alex, page, '#save', { comment: 'Looks like a false positive to me.' });
    expect(r.post.status).toBe(403);
    expect(r.page.$('#forbidden').text()).toContain('Your role does not allow this');
    expect(r.page.$('#forbidden').text()).toContain('Security Operator');
    expect(r.page.$('#forbidden').text()).not.toContain('lacks the');
    expect(r.page.$('#comment-input').text()).toBe('Looks like a false positive to me.');
    // From then on the incident pages show the values and why, the controls folded away.
    const next = await open(alex, visible);
    expect(next.$('#read-only').text()).toContain('Microsoft refused you changes');
    expect(next.$('#read-only').text()).toContain('Security Operator');
    expect(next.$('#manage-anyway:not([open]) #manage-form')).toHaveLength(1);
    expect(next.$('#assigned-to').length).toBe(1);
    // Riley, whose role allows changes, sees the form open.
    const hers = await open(riley);
    expect(hers.$('#read-only')).toHaveLength(0);
    expect(hers.$('#manage-anyway')).toHaveLength(0);
    expect(hers.$('#manage > #manage-form')).toHaveLength(1);
  });

  it('asks for the write permission the first time, where users may consent, and returns to the same action', async () => {
    const write = `${GRAPH}/SecurityIncident.ReadWrite.All`;
    const before = await stack.emu.control.consent.tenantScopes(CONTOSO_ID);
    expect(before).toContain(write);
    await stack.emu.control.consent.revokeAdmin(CONTOSO_ID, [write]);
    try {
      await stack.emu.control.users.add({ upn: 'robin@contoso.example', name: 'Robin Lee', defender: { role: 'responder', deviceGroups: '*', canUpdate: true }, entraRoles: ['Security Operator'] });
      const robin = await browserFor('robin@contoso.example');
      const page = await open(robin);
      const text = 'Escalating to tier 3.';
      const post = await robin.submit(page, '#save', { comment: text });
      expect(post.status).toBe(303);
      expect(post.location).toBe(`${stack.app.url}/auth/signin?scope=write&returnTo=${encodeURIComponent(`/incidents/${target}`)}`);
      const signin = await robin.get(post.location as string);
      expect(new URL(signin.location as string).searchParams.get('scope')).toContain(write);
      // The emulator shows its consent page; accept it and follow the way back.
      let hop = await robin.get(signin.location as string);
      if (hop.$('button[value="robin@contoso.example"]').length) hop = await robin.submit(hop, 'button[value="robin@contoso.example"]');
      expect(hop.$('button[value="accept"]').length).toBe(1);
      hop = await robin.submit(hop, 'button[value="accept"]');
      const hops = await robin.follow(hop.location as string);
      const back = lastItem(hops, 'redirect hops');
      expect(back.url).toBe(`${stack.app.url}/incidents/${target}`);
      expect(back.$('#pending-change').length).toBe(1);
      expect(back.$('#comment-input').text()).toBe(text);
      const done = await act(robin, back, '#save');
      expect(done.post.status).toBe(303);
      expect((await current()).comments?.at(-1)).toMatchObject({ comment: text, createdBy: 'robin@contoso.example' });
      expect(done.page.$('#pending-change').length).toBe(0);
    } finally {
      await stack.emu.control.consent.grantAdmin(CONTOSO_ID, [write]);
      expect(await stack.emu.control.consent.tenantScopes(CONTOSO_ID)).toEqual(before);
    }
  });

  it('tells an analyst whose tenant has not consented to write that it is consent, and keeps the text', async () => {
    expect(await stack.emu.control.consent.grantAdmin(FABRIKAM_ID, [`${GRAPH}/SecurityIncident.Read.All`])).toEqual([`${GRAPH}/SecurityIncident.Read.All`]);
    const jordan = await browserFor('jordan@fabrikam.example');
    const id = (await stack.emu.control.incidents.visibleIds('jordan@fabrikam.example'))[0];
    expect(id).toBeDefined();
    const page = await open(jordan, id);
    expect(page.status).toBe(200);
    const text = 'Needs a second look.';
    const post = await jordan.submit(page, '#save', { comment: text });
    const hops = await jordan.follow(post.location as string);
    const final = lastItem(hops, 'redirect hops');
    expect(final.status).toBe(403);
    expect(final.$('.problem h1').text()).toBe('ThreatDesk has not been approved for your organization');
    expect(final.$('a[href="/admin/consent"]').length).toBeGreaterThan(0);
    const again = await open(jordan, id);
    expect(again.$('#pending-change').length).toBe(1);
    expect(again.$('#comment-input').text()).toBe(text);
    expect((await current(id, FABRIKAM_ID)).comments?.some((c) => c.comment === text)).toBe(false);
  });
});
