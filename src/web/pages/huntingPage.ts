import type { SessionAccount } from '../../auth/tokenService';
import { currentLocale, t } from '../../i18n/i18n';
import { csvCell } from '../../incidents/csv';
import { DEFAULT_FORM, huntHref, MAX_QUERY, RANGES, type HuntForm } from '../../hunting/huntForm';
import type { HuntOutcome } from '../../hunting/hunter';
import type { HuntProblem } from '../../hunting/huntProblem';
import { BUILT_IN } from '../../hunting/library';
import { cellText, isNumeric, sortKey, typeWords, type Cell, type HuntResult } from '../../hunting/results';
import { MAX_DESCRIPTION, MAX_NAME, type QueryDraft, type SavedQueries } from '../../hunting/savedQueries';

/** Rows the page shows; the CSV has them all. A browser stays quick with this many. */
export const SHOWN_ROWS = 1_000;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The save form's fields, checked; `problem` says what to fix, with what was typed kept. */
export function parseDraft(body: Record<string, unknown>, form: HuntForm): { draft: QueryDraft; problem?: string } {
  // A from–to range belongs to one investigation: the saved query keeps a preset, else the default.
  const range = form.range === 'custom' ? DEFAULT_FORM.range : form.range;
  const draft: QueryDraft = { name: text(body.name).trim(), description: text(body.description).trim(), query: form.query, range, shared: body.shared === 'on' };
  if (draft.query.trim() === '') return { draft, problem: t('hunting:save.noQuery') };
  if (draft.name === '' || draft.name.length > MAX_NAME || /\p{Cc}/u.test(draft.name)) return { draft, problem: t('hunting:save.badName', { max: MAX_NAME }) };
  if (draft.description.length > MAX_DESCRIPTION) return { draft, problem: t('hunting:save.longDescription', { max: MAX_DESCRIPTION }) };
  return { draft };
}

/** The results as the table shows them: typed headers, each cell's text and sort key, the first SHOWN_ROWS rows. */
export function resultsTable(result: HuntResult) {
  return {
    columns: result.columns.map((c) => ({ name: c.name, words: typeWords(c.type), numeric: isNumeric(c.type) })),
    rows: result.rows.slice(0, SHOWN_ROWS).map((row) => row.map((v, i) => {
      const type = result.columns[i]?.type ?? 'String';
      return { text: cellText(type, v), key: sortKey(type, v) };
    })),
    total: result.rows.length,
    skipped: result.skipped,
  };
}

/** The whole result as CSV: a byte order mark, the column names, then every row as the table shows it. */
export function* huntCsv(result: HuntResult): Generator<string> {
  yield `\uFEFF${result.columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
  // A number is never a formula: written as is, so that a negative one stays a number in a spreadsheet.
  const cell = (v: Cell, type: string) => (typeof v === 'number' && Number.isFinite(v) && isNumeric(type) ? String(v) : csvCell(cellText(type, v)));
  for (const row of result.rows) yield `${row.map((v, i) => cell(v, result.columns[i]?.type ?? 'String')).join(',')}\r\n`;
}

export interface HuntingExtras {
  outcome?: HuntOutcome;
  problem?: HuntProblem;
  /** A problem with the form itself (too long, a bad range, a stale form), by field. */
  formProblem?: { field: 'query' | 'range' | 'save'; text: string };
  draft?: QueryDraft;
  /** The saved query the editor holds, when it was opened from the list. */
  openedId?: string;
  restored?: boolean;
}

/** How long the query took, in seconds to one decimal ("2.0 s"; "2,0 s" in French), without grouping as English always had. */
const seconds = (ms: number): string =>
  t('hunting:results.seconds', { seconds: new Intl.NumberFormat(currentLocale().lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(ms / 1000) });

/** Everything the Hunting page shows: the editor, the library, the analyst's and their tenant's saved queries, and a result or a problem. */
export async function loadHuntingView(queries: SavedQueries, account: SessionAccount, form: HuntForm, extras: HuntingExtras = {}) {
  const saved = await queries.forAnalyst(account).list();
  const lines = form.query.split('\n');
  const position = extras.problem?.position;
  return {
    title: t('hunting:title'),
    form,
    hunt: {
      ...extras,
      ranges: RANGES.map(([key, label]) => [key, t(label)] as const),
      maxQuery: MAX_QUERY,
      maxName: MAX_NAME,
      maxDescription: MAX_DESCRIPTION,
      lineCount: Math.max(lines.length, 1),
      // The line the service pointed at, for the listing under the error (the editor may hold other text later).
      errorLine: position && position.line >= 1 && position.line <= lines.length ? { ...position, text: lines[position.line - 1] ?? '' } : undefined,
      results: extras.outcome && resultsTable(extras.outcome.result),
      elapsed: extras.outcome && seconds(extras.outcome.elapsedMs),
      // The example's placeholder is words for the analyst to replace, so it is in their language; the KQL is not.
      library: BUILT_IN.map((q) => ({ name: t(q.nameKey), description: t(q.descriptionKey), href: huntHref({ ...DEFAULT_FORM, query: q.query(`<${t(q.valueKey)}>`) }) })),
      mine: saved.filter((q) => q.mine),
      shared: saved.filter((q) => !q.mine),
    },
  };
}
