import { keysOf, readCatalogues, type Messages } from '../../src/i18n/catalogues';

const valueAt = (m: Messages, key: string) => key.split('.').reduce<Messages | string>((at, p) => (at as Messages)[p]!, m) as string;

/**
 * The English sentences of the catalogues: each message's text between its placeholders, where it
 * has at least three words and the other language's catalogue never says it. A page in that language
 * that shows one has English left.
 */
export function englishSentences(lang: string): string[] {
  const cats = readCatalogues();
  const text = (l: string) => Object.entries(cats[l]!).flatMap(([ns, m]) => keysOf(ns, m).map((k) => valueAt(m, k.slice(ns.length + 1))));
  const other = text(lang).join('\n');
  const chunks = text('en').flatMap((s) => s.split(/\{\{[^}]*\}\}/)).map((s) => s.trim());
  return [...new Set(chunks)].filter((s) => s.split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w)).length >= 3 && !other.includes(s));
}

/** Which of the sentences a page's readable text holds. */
export const sentencesIn = (text: string, sentences: string[]): string[] => {
  const flat = text.replace(/\s+/g, ' ');
  return sentences.filter((s) => flat.includes(s));
};
