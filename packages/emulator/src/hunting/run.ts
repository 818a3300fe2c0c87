import type { Incident } from '../defender/model';
import { formatTicks } from '../defender/timestamps';
import { GraphRequestError } from '../graph/errors';
import { runQuery, type ColumnType, type Table, type Value } from './engine';
import { KqlError } from './kql';
import { huntingTables } from './tables';

/**
 * POST /v1.0/security/runHuntingQuery's body and answer (graph-security-api.md; Microsoft's
 * runHuntingQuery reference): `Query` (or `query`), an optional ISO 8601 `Timespan` (default the last
 * 30 days, never more: hunting keeps 30 days), and `{ schema: [{ name, type }], results: [rows] }`
 * back, with Graph's `#Int64` annotation beside long values. A query Graph would refuse is a 400
 * BadRequest in the engine's words, then "Fix syntax (semantic) errors in your query.", with no
 * line or position: Graph gives none.
 */

const DAY = 86_400_000;
const RETENTION_MS = 30 * DAY;
export const ROW_LIMIT = 100_000;
const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults';

const TYPE_NAMES: Record<ColumnType, string> = { string: 'String', datetime: 'DateTime', long: 'Int64', int: 'Int32', real: 'Double', bool: 'Boolean', timespan: 'TimeSpan', dynamic: 'Object' };

/** An ISO 8601 duration of days, hours, minutes and seconds (P30D, PT12H, P1DT6H), in ms; NaN otherwise. */
function duration(raw: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(raw);
  if (!m || raw === 'P' || raw.endsWith('T')) return NaN;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  return ((d * 24 + h) * 60 + min) * 60_000 + s * 1000;
}

const instant = (raw: string) => (/^\d{4}-\d\d-\d\dT/.test(raw) ? Date.parse(raw) : NaN);

/** The five forms Microsoft documents: start/end, duration/end, start/duration, duration (back from now), start (to now). */
export function timespanOf(raw: unknown, now: number): { from: number; to: number } {
  if (raw === undefined || raw === null) return { from: now - RETENTION_MS, to: now };
  const bad = () => new GraphRequestError(400, 'BadRequest', `The Timespan ${JSON.stringify(raw).slice(0, 80)} is not an ISO 8601 interval or duration (for example P7D, or 2024-02-01T08:00:00Z/2024-02-15T08:00:00Z).`);
  if (typeof raw !== 'string') throw bad();
  const [a = '', b] = raw.split('/');
  let from: number;
  let to: number;
  if (b === undefined) {
    const span = duration(a);
    [from, to] = Number.isNaN(span) ? [instant(a), now] : [now - span, now];
  } else if (a.startsWith('P')) {
    to = instant(b);
    from = to - duration(a);
  } else {
    from = instant(a);
    to = b.startsWith('P') ? from + duration(b) : instant(b);
  }
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) throw bad();
  // Hunting keeps 30 days: a wider span finds nothing older.
  return { from: Math.max(from, now - RETENTION_MS), to: Math.min(to, now) };
}

function cell(type: ColumnType, v: Value): Value {
  if (v === null) return null;
  if (type === 'datetime' && typeof v === 'number') return formatTicks(v);
  if (type === 'timespan' && typeof v === 'number') {
    const sign = v < 0 ? '-' : '';
    const ms = Math.abs(v);
    const days = Math.floor(ms / DAY);
    const clock = new Date(ms % DAY).toISOString().slice(11, 23);
    return `${sign}${days ? `${days}.` : ''}${clock}0000`;
  }
  return v;
}

/** The answer's JSON: the schema, then each row with Graph's `@odata.type` beside its long values. */
export function huntingResults(t: Table): string {
  const schema = t.columns.map((c) => ({ name: c.name, type: TYPE_NAMES[c.type] }));
  const results = t.rows.map((r) => {
    const out: Record<string, Value> = {};
    for (const c of t.columns) {
      const v = cell(c.type, r[c.name] ?? null);
      if (c.type === 'long' && v !== null) out[`${c.name}@odata.type`] = '#Int64';
      out[c.name] = v;
    }
    return out;
  });
  return JSON.stringify({ '@odata.context': CONTEXT, schema, results });
}

/** Reads the request body: Query (required), Timespan (optional). */
export function huntingRequest(body: Buffer, contentType: string | undefined): { query: string; timespan: unknown } {
  if (!/^application\/json\b/i.test(contentType ?? '')) throw new GraphRequestError(415, 'UnsupportedMediaType', 'The request body must be application/json.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GraphRequestError(400, 'BadRequest', 'The request body is not valid JSON.');
  }
  const b = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const query = b.Query ?? b.query;
  if (typeof query !== 'string' || query.trim() === '') throw new GraphRequestError(400, 'BadRequest', "The 'Query' property is required: the KQL query to run.");
  return { query, timespan: b.Timespan ?? b.timespan };
}

/** Runs the query over the caller's incidents' tables; a refused query is Graph's 400. */
export function runHunting(query: string, timespan: unknown, incidents: Incident[], domain: string, now: number): string {
  const { from, to } = timespanOf(timespan, now);
  let result: Table;
  try {
    result = runQuery(query, huntingTables(incidents, domain, from, to), now);
  } catch (err) {
    if (!(err instanceof KqlError)) throw err;
    const message = err.message.endsWith('.') ? err.message : `${err.message}.`;
    // Kusto names a syntax error's place as "on line [line,column]"; its semantic errors name none.
    const place = err.kind === 'syntax' ? `Query could not be parsed at '${query.slice(err.span.offset, err.span.endOffset) || query.charAt(err.span.offset)}' on line [${err.span.line},${err.span.column}]: ` : '';
    throw new GraphRequestError(400, 'BadRequest', `${place}${message} Fix ${err.kind} errors in your query.`);
  }
  if (result.rows.length > ROW_LIMIT) {
    throw new GraphRequestError(400, 'BadRequest', 'Query execution has exceeded the allowed result size. Optimize your query by limiting the amount of results and try again.');
  }
  return huntingResults(result);
}
