import { CONTOSO_ID } from '@threatdesk/emulator';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

/**
 * State-changing requests are checked against BASE_URL's origin (`Origin`) as well as Fetch
 * Metadata, on top of the CSRF token: a valid token does not let another origin in.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let riley: TestBrowser;
let id: number;

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
  riley = new TestBrowser(stack.emu.caCertPem);
  await signIn(riley, stack.app.url, 'riley@contoso.example');
  id = (await stack.emu.control.incidents.list(CONTOSO_ID))[0]?.incidentId as number;
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await riley.close();
  await stack.close();
});

/** A comment sent with the manage form's version and a valid CSRF token. */
async function form(text: string): Promise<Record<string, string>> {
  const page: Page = await riley.get(`${stack.app.url}/incidents/${id}`);
  const f = page.$('#manage-form');
  return {
    _csrf: f.find('input[name="_csrf"]').attr('value') as string,
    base: f.find('input[name="base"]').attr('value') as string,
    comment: text,
  };
}
const comments = async () => ((await stack.emu.control.incidents.get(CONTOSO_ID, id))?.comments ?? []).map((c) => c.comment);
const manage = (fields: Record<string, string>, headers: Record<string, string>) => riley.post(`${stack.app.url}/incidents/${id}/manage`, fields, headers);

describe('control 23: cross-site requests refused by Origin and Fetch Metadata, even with a valid token', () => {
  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a sibling subdomain (same-site, not same-origin)', { origin: 'http://evil.localhost', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: same-site alone', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
    ['our origin, but labelled cross-site', { origin: 'ORIGIN', 'sec-fetch-site': 'cross-site' }],
    ['another port of the same host', { origin: 'http://localhost:1' }],
  ])('control 23: refuses %s', async (_name, raw) => {
    const headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === 'ORIGIN' ? stack.app.url : v]));
    const text = `refused ${JSON.stringify(headers)}`;
    const res = await manage(await form(text), headers);
    expect(res.status).toBe(403);
    expect(res.body).toBe('Cross-site request refused');
    expect(await comments()).not.toContain(text);
  });

  it('control 23: accepts the same form from our own origin, as browsers send it, and from a client that sends neither header', async () => {
    const ours = await manage(await form('from our origin'), { origin: stack.app.url, 'sec-fetch-site': 'same-origin' });
    expect(ours.status).toBe(303);
    const plain = await manage(await form('no browser headers'), {});
    expect(plain.status).toBe(303);
    expect(await comments()).toEqual(expect.arrayContaining(['from our origin', 'no browser headers']));
  });

  it('control 23: guards sign-out the same way', async () => {
    const page = await riley.get(`${stack.app.url}/incidents`);
    const csrf = page.$('form[action="/auth/signout"] input[name="_csrf"]').attr('value') as string;
    expect((await riley.post(`${stack.app.url}/auth/signout`, { _csrf: csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await riley.get(`${stack.app.url}/incidents`)).status).toBe(200);
    expect(stack.app.logs.some((l) => l.includes('"audit":"cross-site.refused"') && l.includes('https://evil.example'))).toBe(true);
  });
});
