import { t } from '../i18n/i18n';
import { SecurityApiError } from '../incidents/sources/errors';

/** One column as Graph's schema names it: its name and its type (String, DateTime, Int64, …). */
export interface HuntColumn {
  name: string;
  type: string;
}

export type Cell = string | number | boolean | null | object;

export interface HuntResult {
  columns: HuntColumn[];
  rows: Cell[][];
  /** Rows of the answer that were not objects: skipped and counted, never a failed page. */
  skipped: number;
}

/** The schema's type names in plain words, as the results table's headers say them (message keys; a Map, so no inherited name matches). */
const TYPE_WORDS = new Map<string, string>([
  ['String', 'hunting:type.text'],
  ['DateTime', 'hunting:type.dateTime'],
  ['Int64', 'hunting:type.number'],
  ['Int32', 'hunting:type.number'],
  ['Double', 'hunting:type.number'],
  ['Decimal', 'hunting:type.number'],
  ['Boolean', 'hunting:type.boolean'],
  ['TimeSpan', 'hunting:type.duration'],
  ['Object', 'hunting:type.structured'],
  ['Guid', 'hunting:type.identifier'],
]);

/** A type the table has no words for is shown by its own name, as Microsoft spells it (lower case). */
export const typeWords = (type: string): string => {
  const key = TYPE_WORDS.get(type);
  return key === undefined ? type.toLowerCase() : t(key);
};

const NUMERIC = new Set(['Int64', 'Int32', 'Double', 'Decimal']);
export const isNumeric = (type: string): boolean => NUMERIC.has(type);

/** Reads Graph's `huntingQueryResults`: `{ schema: [{ name, type }], results: [{ column: value, … }] }`. */
export function parseHuntingResults(body: unknown): HuntResult {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { schema?: unknown; results?: unknown };
  if (!Array.isArray(b.schema) || !Array.isArray(b.results)) {
    throw new SecurityApiError('graph', 'malformed', 200, { apiMessage: t('hunting:results.malformed') });
  }
  const columns: HuntColumn[] = b.schema
    .map((c: unknown) => (typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : {}))
    .map((c) => ({ name: typeof c.name === 'string' ? c.name : typeof c.Name === 'string' ? c.Name : '', type: typeof c.type === 'string' ? c.type : typeof c.Type === 'string' ? c.Type : 'String' }))
    .filter((c) => c.name !== '');
  const rows: Cell[][] = [];
  let skipped = 0;
  for (const r of b.results) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      skipped++;
      continue;
    }
    const row = r as Record<string, unknown>;
    rows.push(columns.map((c) => cellOf(row[c.name])));
  }
  return { columns, rows, skipped };
}

const cellOf = (v: unknown): Cell => (v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'object' ? v : null);

/** A cell as the table and the CSV show it: date-times to the second in UTC, structures as JSON. */
export function cellText(type: string, v: Cell): string {
  if (v === null) return '';
  if (type === 'DateTime' && typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** What the table sorts a cell by (the page's script compares these): numbers and times as numbers, the rest as text. */
export function sortKey(type: string, v: Cell): string {
  if (v === null) return '';
  if (isNumeric(type) && (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))))) return String(Number(v));
  if (type === 'DateTime' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return String(Date.parse(v));
  return cellText(type, v);
}
