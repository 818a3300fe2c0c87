import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let alex: TestBrowser;
const browsers: TestBrowser[] = [];

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
  riley = await browserFor('riley@contoso.example');
  alex = await browserFor('alex@contoso.example');
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

const queue = (b: TestBrowser, query = '') => b.get(`${stack.app.url}/incidents${query ? `?${query}` : ''}`);
const chips = (p: Page) => p.$('#filter-chips a.chip').map((_, a) => ({ label: p.$(a).text().replace(/✕.*$/, '').trim(), href: p.$(a).attr('href') })).get() as { label: string; href: string }[];
const headers = (p: Page) => p.$('#incidents thead th').map((_, th) => p.$(th).text().trim()).get();
const follow = async (b: TestBrowser, post: Page) => {
  expect(post.status).toBe(303);
  return b.get(new URL(post.location ?? '', stack.app.url).toString());
};

describe('filter chips', () => {
  it('shows each filter in use in words, each removable on its own', async () => {
    const page = await queue(riley, 'status=resolved&severity=high&tag=vip&q=laptop&sla=overdue');
    expect(chips(page).map((c) => c.label)).toEqual(['Status: Resolved', 'Severity: High', 'Overdue', 'Tag: vip', 'Search: laptop']);
    const withoutTag = new URL(chips(page).find((c) => c.label === 'Tag: vip')?.href ?? '', stack.app.url);
    expect(withoutTag.searchParams.get('tag')).toBeNull();
    expect([withoutTag.searchParams.getAll('status'), withoutTag.searchParams.get('q'), withoutTag.searchParams.get('sla')]).toEqual([['resolved'], 'laptop', 'overdue']);
    expect(page.$('#clear-filters').attr('href')).toBe('/incidents');
    // The default view has no chips.
    expect((await queue(riley)).$('#filter-chips').length).toBe(0);
  });
});

describe('saved views', () => {
  it('saves a named view, marks it when in use, shares it as a link that applies to the other analyst’s own incidents, and deletes it', async () => {
    const page = await queue(riley, 'severity=high&assignee=unassigned&sort=created');
    // Without the form's token nothing is saved.
    expect((await riley.post(`${stack.app.url}/incidents/views`, { name: 'Forged', view: 'severity=low' })).status).toBe(403);
    const saved = await follow(riley, await riley.submit(page, '#save-view button', { name: 'High, nobody on it' }));
    expect(saved.$('.flash-success').text()).toContain('Saved “High, nobody on it” to your views');
    const mine = saved.$('.views a.mine');
    expect(mine.text()).toBe('High, nobody on it');
    expect(mine.attr('aria-current')).toBe('page');
    expect(saved.$('head > title').text()).toBe('Incidents: High, nobody on it · ThreatDesk');
    expect(saved.$('.views a[aria-current]').length).toBe(1);
    // Another view: not marked.
    expect((await queue(riley, 'severity=low')).$('.views a.mine').attr('aria-current')).toBeUndefined();

    const share = saved.$('#my-views input.share-link').attr('value') ?? '';
    const shared = new URL(share);
    expect(shared.searchParams.get('name')).toBe('High, nobody on it');
    expect([shared.searchParams.get('severity'), shared.searchParams.get('assignee')]).toEqual(['high', 'unassigned']);
    const alexPage = await alex.get(share);
    expect(alexPage.status).toBe(200);
    expect(alexPage.$('#shared-view').text()).toContain('High, nobody on it');
    expect(alexPage.$('#view-name').attr('value')).toBe('High, nobody on it');
    expect(alexPage.$('head > title').text()).toBe('Incidents: High, nobody on it · ThreatDesk');
    // Riley's views are Riley's: Alex's queue lists none of them.
    expect(alexPage.$('.views a.mine').length).toBe(0);

    const before = await queue(riley);
    const deleted = await follow(riley, await riley.submit(before, '#my-views form button'));
    expect(deleted.$('.views a.mine').length).toBe(0);
  });
});

describe('columns', () => {
  it('shows extra columns in the order chosen, reorders them without script, and keeps them as the analyst’s default', async () => {
    const page = await queue(riley, 'more=users&more=devices');
    expect(headers(page).slice(-4)).toEqual(['Users', 'Devices', 'Age', 'Updated']);
    const move = page.$('.column-moves a');
    expect(move.text()).toBe('Move “Devices” left');
    const moved = await riley.get(new URL(move.attr('href') ?? '', stack.app.url).toString());
    expect(headers(moved).slice(-4)).toEqual(['Devices', 'Users', 'Age', 'Updated']);
    const saved = await follow(riley, await riley.submit(moved, '#save-columns button'));
    expect(saved.$('.flash-success').text()).toBe('Your queue now shows Devices, Users by default.');
    // A plain link to the queue now shows them; a link naming its columns still wins; Alex's queue is unchanged.
    expect(headers(await queue(riley)).slice(-4)).toEqual(['Devices', 'Users', 'Age', 'Updated']);
    expect(headers(await queue(riley, 'more=firstActivity')).slice(-3)).toEqual(['First activity', 'Age', 'Updated']);
    expect(headers(await queue(alex)).slice(-3)).toEqual(['Tags', 'Age', 'Updated']);
    expect((await queue(riley)).$('#save-columns').length).toBe(0);
  });
});

describe('the preview pane', () => {
  it('shows an incident of the analyst’s beside the list, says so when it is not theirs, and refuses what is not an id', async () => {
    const list = await queue(riley);
    const id = list.$('#incidents tbody tr').first().attr('data-incident-id') as string;
    const page = await queue(riley, `preview=${id}`);
    expect(page.$('#preview-title').text()).toContain(`#${id}`);
    expect(page.$('#preview-form input[name="from"]').attr('value')).toBe('preview');
    expect(page.$('#incidents tbody tr').length).toBe(list.$('#incidents tbody tr').length);
    expect((await queue(riley, 'preview=999999')).$('#preview-missing').text()).toContain('#999999 is not among your incidents');
    expect((await queue(riley, 'preview=%3Cscript%3E')).status).toBe(404);
  });
});
