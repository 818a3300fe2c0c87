import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { keysOf, readCatalogues, type Messages } from '../../src/i18n/catalogues';
import { formatter, validTimeZone } from '../../src/i18n/format';
import { inLocale, LANGUAGES, t } from '../../src/i18n/i18n';
import { languageHref } from '../../src/web/locale';

const ROOT = path.resolve(__dirname, '../..');
const catalogues = readCatalogues();
const namespaces = Object.keys(catalogues.en ?? {});
const PLURAL = /_(zero|one|two|few|many|other)$/;

const messagesOf = (lang: string) => new Map(Object.entries(catalogues[lang] ?? {}).flatMap(([ns, m]) => keysOf(ns, m).map((k) => [k, valueAt(m, k.slice(ns.length + 1))] as const)));
const valueAt = (m: Messages, key: string): string => key.split('.').reduce<Messages | string>((at, part) => (at as Messages)[part]!, m) as string;
const baseKeys = (lang: string) => new Set([...messagesOf(lang).keys()].map((k) => k.replace(PLURAL, '')));
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true }).map(String).filter((f) => f.endsWith(ext)).map((f) => path.join(ROOT, dir, f));
}

/** Every message key the code and views name: whole keys, and the prefixes of keys built from a value (`labels:status.${v}`). */
function keysInCode(): { whole: Set<string>; prefixes: Set<string> } {
  const whole = new Set<string>();
  const prefixes = new Set<string>();
  const ns = namespaces.join('|');
  for (const file of [...filesUnder('src', '.ts'), ...filesUnder('views', '.ejs')]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(new RegExp(`['"\`]((?:${ns}):[A-Za-z0-9_.-]+)(['"\`]|\\$\\{)`, 'g'))) (m[2] === '${' ? prefixes : whole).add(m[1]!);
  }
  return { whole, prefixes };
}

describe('message catalogues', () => {
  it('speaks English and French', () => {
    expect(LANGUAGES).toEqual(['en', 'fr']);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every English message, and nothing English lacks', (lang) => {
    expect([...baseKeys(lang)].filter((k) => !baseKeys('en').has(k))).toEqual([]);
    expect([...baseKeys('en')].filter((k) => !baseKeys(lang).has(k))).toEqual([]);
  });

  it.each(LANGUAGES)('%s has every plural form its language needs, and no empty message', (lang) => {
    const messages = messagesOf(lang);
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    const plurals = new Set([...messages.keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
    const missing = [...plurals].flatMap((base) => needed.filter((c) => !messages.has(`${base}_${c}`)).map((c) => `${base}_${c}`));
    expect(missing).toEqual([]);
    expect([...messages].filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s fills in the same values as English', (lang) => {
    const en = messagesOf('en');
    const other = messagesOf(lang);
    const differ = [...other].filter(([k, v]) => {
      const base = k.replace(PLURAL, '');
      const english = en.get(k) ?? en.get(`${base}_other`) ?? en.get(base) ?? '';
      return JSON.stringify(placeholders(v).filter((p) => p !== 'count')) !== JSON.stringify(placeholders(english).filter((p) => p !== 'count'));
    });
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('has a message for every key the code and views name', () => {
    const known = baseKeys('en');
    expect([...keysInCode().whole].filter((k) => !known.has(k.replace(PLURAL, ''))).sort()).toEqual([]);
  });

  it('has no message that nothing uses', () => {
    const { whole, prefixes } = keysInCode();
    const unused = [...baseKeys('en')].filter((k) => !whole.has(k) && ![...prefixes].some((p) => k.startsWith(p)));
    expect(unused.sort()).toEqual([]);
  });
});

/** What a view shows that is not from the catalogue: text between tags and readable attributes, once EJS code is cut out. */
function literalText(template: string): string[] {
  const html = template
    .replace(/<%[\s\S]*?%>/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ');
  const attributes = [...html.matchAll(/\s(?:title|aria-label|placeholder|alt|aria-description)="([^"]*)"/gi)].map((m) => m[1]!);
  const text = html.replace(/<[^>]*>/g, ' ');
  return [...attributes, text]
    .flatMap((s) => s.replace(/&[a-z]+;|&#\d+;/gi, ' ').split(/\s{2,}|\n/))
    .map((s) => s.trim())
    .filter((s) => /\p{L}{2,}/u.test(s.replace(/\bThreatDesk\b/g, '')));
}

describe('views', () => {
  const views = filesUnder('views', '.ejs');
  it.each(views.map((f) => path.relative(ROOT, f)))('%s shows no text that bypasses the catalogues', (file) => {
    expect(literalText(readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('the check finds text between tags and in attributes a reader sees', () => {
    expect(literalText('<p class="x"><%= t(\'common:signIn\') %> Sign in</p><abbr title="Active alerts">A</abbr><% if (a) { %>  <% } %>')).toEqual(['Active alerts', 'Sign in']);
  });
});

describe('locale', () => {
  it('messages deep in the app come out in the language of the request that asked', () => {
    expect(t('common:signIn')).toBe('Sign in');
    expect(inLocale({ lang: 'fr', timeZone: 'UTC' }, () => t('common:signIn'))).toBe('Se connecter');
  });

  it('writes times in the reader\'s zone, English in ISO order and French in its own', () => {
    const at = '2026-11-30T10:42:13Z';
    expect(formatter({ lang: 'en', timeZone: 'UTC' }).dateTime(at)).toBe('2026-11-30 10:42 UTC');
    expect(formatter({ lang: 'en', timeZone: 'UTC' }).time(at)).toBe('10:42:13 UTC');
    expect(formatter({ lang: 'fr', timeZone: 'Europe/Paris' }).dateTime(at, true)).toBe('30/11/2026 11:42:13 UTC+1');
    expect(formatter({ lang: 'fr', timeZone: 'UTC' }).number(12345.5)).toMatch(/^12\s345,5$/);
    expect(formatter({ lang: 'fr', timeZone: 'UTC' }).ago(Date.parse(at) - 3 * 3_600_000, Date.parse(at))).toBe('il y a 3 heures');
  });

  it('shows an unreadable time as it came instead of failing the page', () => {
    const f = formatter({ lang: 'fr', timeZone: 'Europe/Paris' });
    expect([f.dateTime('not a date'), f.date('2026-13-45'), f.time('x'), f.ago('?'), f.span(Number.NaN)]).toEqual(['not a date', '2026-13-45', 'x', '?', '']);
  });

  it('takes only time zones the runtime knows', () => {
    expect(validTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(validTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(validTimeZone('Mars/Olympus')).toBeUndefined();
    expect(validTimeZone('<script>')).toBeUndefined();
  });

  it('the language switch keeps the page and its query, and stays on this site', () => {
    expect(languageHref('/incidents?severity=high&lang=en', 'fr')).toBe('/incidents?severity=high&lang=fr');
    expect(languageHref('//evil.example/x', 'fr')).toBe('/x?lang=fr');
    expect(languageHref('/auth/redirect?code=secret&state=s', 'fr')).toBe('/?lang=fr');
  });
});
