import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { fillIndex } from '../helpers/indexSync';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';
import { englishSentences, sentencesIn } from '../helpers/englishLeft';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
const browsers: TestBrowser[] = [];
const browser = () => {
  const b = new TestBrowser(stack.emu.caCertPem);
  browsers.push(b);
  return b;
};

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

const signInLink = (page: Page) => page.$('.who a.button[href="/auth/signin"]').text();

describe('the reader\'s language', () => {
  it('follows the browser\'s Accept-Language, and says so in <html lang> and Content-Language', async () => {
    const fr = await browser().get(`${stack.app.url}/`, { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' });
    expect(fr.$('html').attr('lang')).toBe('fr');
    expect(fr.headers.get('content-language')).toBe('fr');
    expect(signInLink(fr)).toBe('Se connecter');
    const en = await browser().get(`${stack.app.url}/`, { 'accept-language': 'de-DE,de;q=0.9' });
    expect(en.$('html').attr('lang')).toBe('en');
    expect(signInLink(en)).toBe('Sign in');
  });

  it('?lang= on any page sets it, the choice outlasts the page, and the switch keeps the page\'s query', async () => {
    const b = browser();
    const fr = await b.get(`${stack.app.url}/admin/consent?tenant=contoso.example&lang=fr`, { 'accept-language': 'en' });
    expect(fr.$('html').attr('lang')).toBe('fr');
    expect(fr.$('.who a.lang').attr('href')).toBe('/admin/consent?tenant=contoso.example&lang=en');
    expect(fr.$('.who a.lang').text()).toBe('English');
    const later = await b.get(`${stack.app.url}/`, { 'accept-language': 'en' });
    expect(signInLink(later)).toBe('Se connecter');
    const back = await b.get(`${stack.app.url}/?lang=en`);
    expect(signInLink(back)).toBe('Sign in');
    expect(back.$('.who a.lang').text()).toBe('Français');
  });

  it('is remembered per analyst: chosen in one browser, it greets them in another after sign-in', async () => {
    const first = browser();
    await signIn(first, stack.app.url, 'alex@contoso.example');
    expect((await first.get(`${stack.app.url}/me/token?lang=fr`)).$('html').attr('lang')).toBe('fr');
    const second = browser();
    const r = await signIn(second, stack.app.url, 'alex@contoso.example', { returnTo: '/me/token' });
    expect(r.final.$('html').attr('lang')).toBe('fr');
    // Another analyst of the same tenant keeps their own (the browser's) language.
    const other = browser();
    const riley = await signIn(other, stack.app.url, 'riley@contoso.example', { returnTo: '/me/token' });
    expect(riley.final.$('html').attr('lang')).toBe('en');
    await first.get(`${stack.app.url}/?lang=en`);
  });
});

describe('preferences', () => {
  it('need sign-in', async () => {
    const page = await browser().get(`${stack.app.url}/me/preferences`);
    expect(page.status).toBe(303);
  });

  it('set the language and the time zone for every later page; the zone is checked, and the form needs its CSRF token', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'morgan@contoso.example');
    const form = await b.get(`${stack.app.url}/me/preferences`);
    expect(form.status).toBe(200);
    expect(form.$('#zone-help').text()).toMatch(/\d\d:\d\d UTC\./);

    const forged = await b.post(`${stack.app.url}/me/preferences`, { language: 'fr', timeZone: 'Europe/Paris' });
    expect(forged.status).toBe(403);

    const bad = await b.submit(form, 'form.prefs button', { language: 'fr', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.$('#prefs-error').text()).toBe('Choose a language and a time zone from the lists.');

    const saved = await b.submit(form, 'form.prefs button', { language: 'fr', timeZone: 'Asia/Tokyo' });
    expect(saved.status).toBe(303);
    const after = await b.get(`${stack.app.url}/me/preferences`);
    expect(after.$('html').attr('lang')).toBe('fr');
    expect(after.$('.flash').text()).toMatch(/^Vos préférences sont enregistrées/);
    expect(after.$('#timeZone option[selected]').text()).toBe('Asia/Tokyo');
    // Japan is UTC+9 all year: the page's times say so.
    expect(after.$('#zone-help').text()).toMatch(/\d\d:\d\d UTC\+9\.$/);

    const reset = await b.submit(after, 'form.prefs button', { language: '', timeZone: '' });
    expect(reset.status).toBe(303);
    const english = await b.get(`${stack.app.url}/me/preferences`, { 'accept-language': 'en-GB' });
    expect(english.$('html').attr('lang')).toBe('en');
    expect(english.$('#zone-help').text()).toMatch(/\d\d:\d\d UTC\.$/);
  });
});

const readable = (page: Page) => {
  const $ = page.$;
  $('script, style, textarea, code, pre').remove();
  const attrs = $('[title], [aria-label], [placeholder], [alt]').map((_, el) => ['title', 'aria-label', 'placeholder', 'alt'].map((a) => $(el).attr(a) ?? '').join(' ')).get().join(' ');
  return `${$('body').text()} ${attrs}`;
};

describe('in French', () => {
  it('every page an analyst reads has no English sentence left', async () => {
    const sentences = englishSentences('fr');
    expect(sentences.length).toBeGreaterThan(100);
    const found: Record<string, string[]> = {};
    const read = async (b: TestBrowser, p: string) => {
      const page = await b.get(`${stack.app.url}${p}`);
      expect({ p, lang: page.$('html').attr('lang') }).toEqual({ p, lang: 'fr' });
      const left = sentencesIn(readable(page), sentences);
      if (left.length) found[p] = left;
    };
    const visitor = browser();
    await visitor.get(`${stack.app.url}/?lang=fr`);
    for (const p of ['/', '/admin/consent', '/auth/signed-out', '/no-such-page']) await read(visitor, p);

    const b = browser();
    await signIn(b, stack.app.url, 'alex@contoso.example');
    await fillIndex(stack.app, b);
    const queue = await b.get(`${stack.app.url}/incidents?lang=fr`);
    const incident = queue.$('#incidents tbody a.name').first().attr('href')!;
    const paths = ['/incidents', '/incidents?preview=' + encodeURIComponent(incident.split('/')[2]!.split('?')[0]!), incident, '/bulk?ids=' + incident.split('/')[2]!.split('?')[0]!, '/jobs', '/handover', '/metrics', '/hunting', '/me/token', '/me/preferences', '/admin/consent', '/admin/status', '/no-such-page'];
    for (const p of paths) await read(b, p);
    expect(found).toEqual({});
    await b.get(`${stack.app.url}/?lang=en`);
  });
});
