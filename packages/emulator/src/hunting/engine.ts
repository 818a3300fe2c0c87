import type { LocationRange } from 'peggy';
import { KqlError, parseKql, spanOf, type Assign, type Expr, type Operator, type Query, type SortKey } from './kql';

/**
 * Runs a query of the KQL subset over in-memory tables: each operator turns a typed table into
 * another, so that a column a query names but its input lacks is refused before any row is read
 * (Graph's "Failed to resolve scalar expression named …"). String comparisons follow KQL: `==`,
 * `!=` and `in` are case-sensitive; `=~`, `!~`, `has`, `contains` and `startswith` are not, and
 * `has` matches whole terms.
 */

export type ColumnType = 'string' | 'datetime' | 'long' | 'int' | 'real' | 'bool' | 'timespan' | 'dynamic';
export type Value = string | number | boolean | null | Value[];
export type Row = Record<string, Value>;

export interface Column {
  name: string;
  type: ColumnType;
}

export interface Table {
  columns: Column[];
  rows: Row[];
}

const AGGREGATES = new Set(['count', 'dcount', 'min', 'max', 'make_set']);
const ARITY: Record<string, [number, number]> = {
  ago: [1, 1], bin: [2, 2], strcat: [1, 64], tolower: [1, 1], toupper: [1, 1], not: [1, 1],
  count: [0, 0], dcount: [1, 1], min: [1, 1], max: [1, 1], make_set: [1, 1],
};

const semantic = (op: string, message: string, loc: LocationRange) => new KqlError(`'${op}' operator: ${message}`, 'semantic', spanOf(loc));

/** The words of a string, for `has`: runs of letters and digits. */
const terms = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);

function compare(a: Value, b: Value): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const key = (v: Value) => JSON.stringify(v);

class Scope {
  constructor(
    readonly op: string,
    readonly columns: Column[],
    readonly now: number,
  ) {}

  column(name: string, loc: LocationRange): Column {
    const c = this.columns.find((x) => x.name === name);
    if (!c) throw semantic(this.op, `Failed to resolve scalar expression named '${name}'`, loc);
    return c;
  }

  /** The type an expression yields; also checks every column and call in it. */
  typeOf(e: Expr, aggregateAllowed = false): ColumnType {
    switch (e.kind) {
      case 'lit':
        return e.type === 'number' ? (Number.isInteger(e.value) ? 'long' : 'real') : e.type;
      case 'col':
        return this.column(e.name, e.loc).type;
      case 'neg':
        return this.typeOf(e.expr);
      case 'between':
      case 'in':
        this.typeOf(e.left);
        for (const x of e.kind === 'in' ? e.list : [e.lo, e.hi]) this.typeOf(x);
        return 'bool';
      case 'binary': {
        const [l, r] = [this.typeOf(e.left), this.typeOf(e.right)];
        if (['+', '-', '*', '/'].includes(e.op)) {
          if (l === 'datetime' && r === 'datetime') return 'timespan';
          if (l === 'datetime' || r === 'datetime') return 'datetime';
          if (l === 'timespan' || r === 'timespan') return 'timespan';
          return l === 'real' || r === 'real' || e.op === '/' ? 'real' : 'long';
        }
        return 'bool';
      }
      case 'call': {
        const [min, max] = ARITY[e.name] ?? [0, 0];
        if (e.args.length < min || e.args.length > max) throw semantic(this.op, `Function '${e.name}' expects ${min === max ? min : `${min} to ${max}`} argument(s), not ${e.args.length}`, e.loc);
        if (AGGREGATES.has(e.name) && !aggregateAllowed) throw semantic(this.op, `Aggregate function '${e.name}' may only be used in 'summarize'`, e.loc);
        const args = e.args.map((a) => this.typeOf(a));
        switch (e.name) {
          case 'count':
          case 'dcount':
            return 'long';
          case 'min':
          case 'max':
          case 'bin':
            return args[0] as ColumnType;
          case 'make_set':
            return 'dynamic';
          case 'ago':
            if (args[0] !== 'timespan') throw semantic(this.op, "Function 'ago' expects a timespan (1d, 2h, 30m)", e.loc);
            return 'datetime';
          case 'not':
            return 'bool';
          default:
            return 'string';
        }
      }
    }
  }

  value(e: Expr, row: Row): Value {
    switch (e.kind) {
      case 'lit':
        return e.value;
      case 'col':
        return row[e.name] ?? null;
      case 'neg': {
        const v = this.value(e.expr, row);
        return typeof v === 'number' ? -v : null;
      }
      case 'between': {
        const v = this.value(e.left, row);
        return v !== null && compare(v, this.value(e.lo, row)) >= 0 && compare(v, this.value(e.hi, row)) <= 0;
      }
      case 'in': {
        const v = key(this.value(e.left, row));
        const found = e.list.some((x) => key(this.value(x, row)) === v);
        return e.negated ? !found : found;
      }
      case 'binary':
        return this.binary(e.op, e.left, e.right, row);
      case 'call':
        return this.call(e.name, e.args, row);
    }
  }

  private binary(op: string, le: Expr, re: Expr, row: Row): Value {
    if (op === 'and') return this.value(le, row) === true && this.value(re, row) === true;
    if (op === 'or') return this.value(le, row) === true || this.value(re, row) === true;
    const [l, r] = [this.value(le, row), this.value(re, row)];
    const text = (v: Value) => (v === null ? '' : String(v)).toLowerCase();
    switch (op) {
      case '==':
        return key(l) === key(r);
      case '!=':
        return key(l) !== key(r);
      case '=~':
        return text(l) === text(r);
      case '!~':
        return text(l) !== text(r);
      case 'has':
      case '!has': {
        const wanted = terms(String(r ?? ''));
        const found = new Set(terms(String(l ?? '')));
        // A term of several words ("a.b") matches when they appear in order; one word, when it is a whole term.
        const hit = wanted.length > 0 && (wanted.length === 1 ? found.has(wanted[0] as string) : text(l).includes(text(r)));
        return op === 'has' ? hit : !hit;
      }
      case 'contains':
        return text(l).includes(text(r));
      case '!contains':
        return !text(l).includes(text(r));
      case 'startswith':
        return text(l).startsWith(text(r));
      case '!startswith':
        return !text(l).startsWith(text(r));
      case '<':
        return l !== null && r !== null && compare(l, r) < 0;
      case '<=':
        return l !== null && r !== null && compare(l, r) <= 0;
      case '>':
        return l !== null && r !== null && compare(l, r) > 0;
      case '>=':
        return l !== null && r !== null && compare(l, r) >= 0;
      default: {
        if (typeof l !== 'number' || typeof r !== 'number') return null;
        if (op === '+') return l + r;
        if (op === '-') return l - r;
        if (op === '*') return l * r;
        return r === 0 ? null : l / r;
      }
    }
  }

  private call(name: string, args: Expr[], row: Row): Value {
    const v = args.map((a) => this.value(a, row));
    switch (name) {
      case 'ago':
        return typeof v[0] === 'number' ? this.now - v[0] : null;
      case 'bin':
        return typeof v[0] === 'number' && typeof v[1] === 'number' && v[1] > 0 ? Math.floor(v[0] / v[1]) * v[1] : null;
      case 'strcat':
        return v.map((x) => (x === null ? '' : String(x))).join('');
      case 'tolower':
        return v[0] === null ? null : String(v[0]).toLowerCase();
      case 'toupper':
        return v[0] === null ? null : String(v[0]).toUpperCase();
      case 'not':
        return v[0] !== true;
      default:
        return null;
    }
  }
}

/** The name KQL gives an unnamed column: the column itself, bin()'s column, an aggregate's `<fn>_<column>`, else ColumnN. */
function nameOf(a: Assign, n: number): string {
  if (a.name !== null) return a.name;
  const e = a.expr;
  if (e.kind === 'col') return e.name;
  if (e.kind === 'call') {
    const arg = e.args[0];
    if (e.name === 'bin' && arg?.kind === 'col') return arg.name;
    if (e.name === 'count') return 'count_';
    if (AGGREGATES.has(e.name) && arg?.kind === 'col') return `${e.name === 'make_set' ? 'set' : e.name}_${arg.name}`;
  }
  return `Column${n}`;
}

function aggregate(name: string, arg: Expr | undefined, rows: Row[], scope: Scope): Value {
  const values = arg === undefined ? [] : rows.map((r) => scope.value(arg, r)).filter((v) => v !== null);
  switch (name) {
    case 'count':
      return rows.length;
    case 'dcount':
      return new Set(values.map(key)).size;
    case 'min':
      return values.length ? values.reduce((a, b) => (compare(a, b) <= 0 ? a : b)) : null;
    case 'max':
      return values.length ? values.reduce((a, b) => (compare(a, b) >= 0 ? a : b)) : null;
    default:
      return [...new Map(values.map((v) => [key(v), v])).values()];
  }
}

function sortRows(rows: Row[], keys: SortKey[], scope: Scope): Row[] {
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const c = compare(scope.value(k.expr, a), scope.value(k.expr, b));
      if (c !== 0) return k.dir === 'asc' ? c : -c;
    }
    return 0;
  });
}

function apply(op: Operator, input: Table, tables: Record<string, Table>, now: number): Table {
  const name = op.kind === 'order' ? 'order by' : op.kind;
  const scope = new Scope(name, input.columns, now);
  switch (op.kind) {
    case 'where': {
      scope.typeOf(op.pred);
      return { columns: input.columns, rows: input.rows.filter((r) => scope.value(op.pred, r) === true) };
    }
    case 'project':
    case 'extend': {
      const made = op.items.map((a, i) => ({ a, column: { name: nameOf(a, i + 1), type: scope.typeOf(a.expr) } }));
      const columns = op.kind === 'project' ? made.map((m) => m.column) : [...input.columns.filter((c) => !made.some((m) => m.column.name === c.name)), ...made.map((m) => m.column)];
      const rows = input.rows.map((r) => {
        const out: Row = op.kind === 'project' ? {} : { ...r };
        for (const m of made) out[m.column.name] = scope.value(m.a.expr, r);
        return op.kind === 'project' ? out : Object.fromEntries(columns.map((c) => [c.name, out[c.name] ?? null]));
      });
      return { columns, rows };
    }
    case 'project-away': {
      for (const c of op.cols) scope.column(c, op.loc);
      const columns = input.columns.filter((c) => !op.cols.includes(c.name));
      return { columns, rows: input.rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, r[c.name] ?? null]))) };
    }
    case 'summarize': {
      for (const a of op.aggs) {
        if (a.expr.kind !== 'call' || !AGGREGATES.has(a.expr.name)) throw semantic('summarize', 'each aggregate must be count(), dcount(), min(), max() or make_set()', op.loc);
      }
      const by = op.by.map((a, i) => ({ a, column: { name: nameOf(a, i + 1), type: scope.typeOf(a.expr) } }));
      const aggs = op.aggs.map((a, i) => ({ a, column: { name: nameOf(a, by.length + i + 1), type: scope.typeOf(a.expr, true) } }));
      const groups = new Map<string, { keys: Value[]; rows: Row[] }>();
      for (const r of input.rows) {
        const keys = by.map((b) => scope.value(b.a.expr, r));
        const k = key(keys);
        const g = groups.get(k) ?? groups.set(k, { keys, rows: [] }).get(k);
        g?.rows.push(r);
      }
      // A summarize without `by` has one row, even over no rows.
      if (by.length === 0 && groups.size === 0) groups.set('[]', { keys: [], rows: [] });
      const rows = [...groups.values()].map((g) => {
        const out: Row = {};
        by.forEach((b, i) => (out[b.column.name] = g.keys[i] ?? null));
        for (const ag of aggs) {
          const call = ag.a.expr as Extract<Expr, { kind: 'call' }>;
          out[ag.column.name] = aggregate(call.name, call.args[0], g.rows, scope);
        }
        return out;
      });
      return { columns: [...by.map((b) => b.column), ...aggs.map((a) => a.column)], rows };
    }
    case 'order':
      for (const k of op.keys) scope.typeOf(k.expr);
      return { columns: input.columns, rows: sortRows(input.rows, op.keys, scope) };
    case 'take':
      return { columns: input.columns, rows: input.rows.slice(0, op.n) };
    case 'top':
      scope.typeOf(op.key.expr);
      return { columns: input.columns, rows: sortRows(input.rows, [op.key], scope).slice(0, op.n) };
    case 'distinct': {
      const columns = op.cols.map((c) => scope.column(c, op.loc));
      const seen = new Map<string, Row>();
      for (const r of input.rows) {
        const out = Object.fromEntries(columns.map((c) => [c.name, r[c.name] ?? null]));
        seen.set(key(Object.values(out)), out);
      }
      return { columns, rows: [...seen.values()] };
    }
    case 'join': {
      const right = run(op.right, tables, now);
      const leftKey = scope.column(op.key, op.loc);
      if (!right.columns.some((c) => c.name === op.key)) throw semantic('join', `Failed to resolve scalar expression named '${op.key}' on its right side`, op.loc);
      // The right side's other columns; a name the left side has too gets a 1.
      const extra = right.columns.filter((c) => c.name !== op.key).map((c) => ({ from: c.name, column: { ...c, name: input.columns.some((l) => l.name === c.name) ? `${c.name}1` : c.name } }));
      const byKey = new Map<string, Row[]>();
      for (const r of right.rows) byKey.set(key(r[op.key] ?? null), [...(byKey.get(key(r[op.key] ?? null)) ?? []), r]);
      const rows = input.rows.flatMap((l) => (byKey.get(key(l[leftKey.name] ?? null)) ?? []).map((r) => ({ ...l, ...Object.fromEntries(extra.map((x) => [x.column.name, r[x.from] ?? null])) })));
      return { columns: [...input.columns, ...extra.map((x) => x.column)], rows };
    }
  }
}

function run(q: Query, tables: Record<string, Table>, now: number): Table {
  const source = tables[q.source.name];
  if (!source) throw new KqlError(`'${q.ops[0]?.kind ?? 'query'}' operator: Failed to resolve table or column expression named '${q.source.name}'`, 'semantic', spanOf(q.source.loc));
  return q.ops.reduce((t, op) => apply(op, t, tables, now), source);
}

/** Parses and runs a query; throws KqlError for a query Graph would refuse. */
export function runQuery(text: string, tables: Record<string, Table>, now: number): Table {
  return run(parseKql(text), tables, now);
}
