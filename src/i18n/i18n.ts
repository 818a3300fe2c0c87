import { AsyncLocalStorage } from 'node:async_hooks';
import i18next, { type TOptions } from 'i18next';
import { readCatalogues } from './catalogues';
import { formatter, type Formatter } from './format';

const CATALOGUES = readCatalogues();

/** The languages ThreatDesk speaks, English first: it is the default and what a missing message falls back to. */
export const LANGUAGES = ['en', ...Object.keys(CATALOGUES).filter((l) => l !== 'en')] as readonly string[];
export type Language = string;
export const DEFAULT_LANGUAGE = 'en';

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && LANGUAGES.includes(v);

const engine = i18next.createInstance();
void engine.init({
  resources: CATALOGUES,
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  ns: Object.keys(CATALOGUES.en ?? {}),
  defaultNS: 'common',
  // EJS escapes what a view prints; escaping here too would show "&amp;" to the analyst.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** The reader's language and time zone, for everything a request renders. */
export interface Locale {
  lang: Language;
  timeZone: string;
}

const current = new AsyncLocalStorage<Locale>();
const FALLBACK: Locale = { lang: DEFAULT_LANGUAGE, timeZone: 'UTC' };

/** Runs fn (and all it awaits) in the reader's locale: messages built deep in the app come out in their language. */
export const inLocale = <T>(locale: Locale, fn: () => T): T => current.run(locale, fn);
export const currentLocale = (): Locale => current.getStore() ?? FALLBACK;

export type Translate = (key: string, options?: TOptions) => string;

/**
 * A message in a language. i18next takes 10–40 µs a call and a queue page makes hundreds (labels
 * per row): a message without options never changes while the process runs, so it is kept.
 */
const plain = new Map<string, string>();
function message(lang: Language, key: string, options?: TOptions): string {
  if (options) return engine.t(key, { ...options, lng: options.lng ?? lang });
  const id = `${lang}\u0000${key}`;
  let text = plain.get(id);
  if (text === undefined) {
    text = engine.t(key, { lng: lang });
    // Catalogue keys are a few thousand; a key built from odd upstream data must not grow this for ever.
    if (plain.size > 20_000) plain.clear();
    plain.set(id, text);
  }
  return text;
}

/** A message in the current reader's language ("ns:key"); English outside a request. */
export const t: Translate = (key, options) => message(currentLocale().lang, key, options);

/** A message in a given language, for views and for what outlives the request (a job's log). */
export const translatorFor = (lang: Language): Translate => (key, options) => message(lang, key, options);

/** Dates, times and numbers for the current reader. */
export const intl = (): Formatter => formatter(currentLocale());
