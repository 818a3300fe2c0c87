import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the catalogues live: one folder per language, one JSON file per namespace (a concern of the app). */
export const LOCALES_DIR = path.resolve(__dirname, '../../locales');

/** Nested messages, as i18next reads them. */
export interface Messages {
  [key: string]: string | Messages;
}

/** Every catalogue, by language and namespace, read once at start: a language is added by adding its folder. */
export function readCatalogues(dir = LOCALES_DIR): Record<string, Record<string, Messages>> {
  const out: Record<string, Record<string, Messages>> = {};
  for (const lang of readdirSync(dir).sort()) {
    const files = readdirSync(path.join(dir, lang)).filter((f) => f.endsWith('.json'));
    out[lang] = Object.fromEntries(files.map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(path.join(dir, lang, f), 'utf8')) as Messages]));
  }
  return out;
}

/** "ns:a.b.c" for every message of a namespace's tree. */
export function keysOf(ns: string, messages: Messages, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([k, v]) => (typeof v === 'string' ? [`${ns}:${prefix}${k}`] : keysOf(ns, v, `${prefix}${k}.`)));
}
