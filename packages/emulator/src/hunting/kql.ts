import type { LocationRange } from 'peggy';
import { kqlParser } from './grammar';

/** The syntax tree the grammar builds (grammar.ts): one interface per node kind. */

export type Expr =
  | { kind: 'lit'; type: 'string' | 'number' | 'bool' | 'datetime' | 'timespan'; value: string | number | boolean; loc: LocationRange }
  | { kind: 'col'; name: string; loc: LocationRange }
  | { kind: 'call'; name: string; args: Expr[]; loc: LocationRange }
  | { kind: 'neg'; expr: Expr; loc: LocationRange }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; loc: LocationRange }
  | { kind: 'between'; left: Expr; lo: Expr; hi: Expr; loc: LocationRange }
  | { kind: 'in'; negated: boolean; left: Expr; list: Expr[]; loc: LocationRange };

export interface Assign {
  name: string | null;
  expr: Expr;
}

export interface SortKey {
  expr: Expr;
  dir: 'asc' | 'desc';
}

export type Operator =
  | { kind: 'where'; pred: Expr; loc: LocationRange }
  | { kind: 'project'; items: Assign[]; loc: LocationRange }
  | { kind: 'project-away'; cols: string[]; loc: LocationRange }
  | { kind: 'extend'; items: Assign[]; loc: LocationRange }
  | { kind: 'summarize'; aggs: Assign[]; by: Assign[]; loc: LocationRange }
  | { kind: 'order'; keys: SortKey[]; loc: LocationRange }
  | { kind: 'take'; n: number; loc: LocationRange }
  | { kind: 'top'; n: number; key: SortKey; loc: LocationRange }
  | { kind: 'distinct'; cols: string[]; loc: LocationRange }
  | { kind: 'join'; right: Query; key: string; loc: LocationRange };

export interface Query {
  kind: 'query';
  source: { kind: 'table'; name: string; loc: LocationRange };
  ops: Operator[];
}

/** Where in the query a problem is: 1-based line and column, 0-based offsets (UTF-16 units). */
export interface Span {
  line: number;
  column: number;
  offset: number;
  endOffset: number;
}

/** A query Graph would refuse: `syntax` (it cannot be read) or `semantic` (it reads, but names what is not there). */
export class KqlError extends Error {
  constructor(
    message: string,
    readonly kind: 'syntax' | 'semantic',
    readonly span: Span,
  ) {
    super(message);
    this.name = 'KqlError';
  }
}

export const spanOf = (loc: LocationRange): Span => ({ line: loc.start.line, column: loc.start.column, offset: loc.start.offset, endOffset: loc.end.offset });

export function parseKql(text: string): Query {
  const parser = kqlParser();
  try {
    return parser.parse(text, { grammarSource: 'query' }) as Query;
  } catch (err) {
    if (!(err instanceof parser.SyntaxError)) throw err;
    throw new KqlError(err.message, 'syntax', spanOf(err.location));
  }
}
