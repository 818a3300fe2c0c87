import type { IndexEntry } from './generate';
import { defenderStatus, STATUSES } from './model';
import { parseDateTimeOffset } from './timestamps';

/**
 * The OData subset of `GET /api/incidents` (service-facts §1.2): `$filter` on lastUpdateTime and
 * createdTime (ge gt le lt) and on status and assignedTo (eq), joined with and/or and parentheses;
 * `$top` (1..100) and `$skip`. Everything else is refused with a message that names the problem, because
 * an emulator that quietly ignores what the real service would reject lets a broken client pass its tests.
 * The expression parser is shared with the Graph surface, which brings its own comparisons (a Dialect).
 */

export class ODataQueryError extends Error {}

export type DateOp = 'ge' | 'gt' | 'le' | 'lt';

export type FilterNode = { kind: 'and' | 'or'; left: FilterNode; right: FilterNode } | { kind: 'leaf'; test: (e: IndexEntry) => boolean };

export interface ListQuery {
  filter?: FilterNode;
  /** As sent, or undefined when $top was not sent (the server's page size applies). */
  top?: number;
  skip: number;
}

const DATE_FIELDS: readonly string[] = ['lastUpdateTime', 'createdTime'];
const EQ_FIELDS: readonly string[] = ['status', 'assignedTo'];
const SUPPORTED_FIELDS = [...DATE_FIELDS, ...EQ_FIELDS];
export const DATE_OPS: readonly string[] = ['ge', 'gt', 'le', 'lt'];
export const ODATA_OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'in', 'add', 'sub', 'mul', 'div', 'divby', 'mod'];
const SUPPORTED_OPTIONS = ['$filter', '$top', '$skip'];
export const MAX_TOP = 100;
const MAX_DEPTH = 32;

/** Validates the query options of a list request. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!key.startsWith('$')) continue; // custom query options are ignored, as OData allows
    if (seen.has(key)) throw new ODataQueryError(`The query option '${key}' was specified more than once.`);
    seen.add(key);
    if (!SUPPORTED_OPTIONS.includes(key)) {
      const hint = key === '$orderby' ? ' The API chooses the order of incidents.' : '';
      throw new ODataQueryError(
        `The query option '${key}' is not supported by GET /api/incidents; only $filter, $top and $skip are.${hint}`,
      );
    }
  }
  const top = params.has('$top') ? parseCount('$top', params.get('$top') as string, 1, MAX_TOP) : undefined;
  const skip = params.has('$skip') ? parseCount('$skip', params.get('$skip') as string, 0, Number.MAX_SAFE_INTEGER) : 0;
  const filterText = params.get('$filter');
  return { top, skip, filter: filterText === null ? undefined : parseFilter(filterText) };
}

function parseCount(option: string, raw: string, min: number, max: number): number {
  const range = max === MAX_TOP ? `from ${min} to ${max}` : `of at least ${min}`;
  if (!/^\d+$/.test(raw)) throw new ODataQueryError(`Invalid value '${raw}' for ${option}: it must be an integer ${range}.`);
  const n = Number(raw);
  if (option === '$top' && n > MAX_TOP) {
    throw new ODataQueryError(`Invalid value '${raw}' for $top: the maximum page size is ${MAX_TOP} incidents.`);
  }
  if (n < min || n > max) throw new ODataQueryError(`Invalid value '${raw}' for ${option}: it must be an integer ${range}.`);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// $filter

export interface Token {
  type: 'word' | 'string' | '(' | ')' | ',';
  text: string;
  pos: number;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, text: ch, pos: i });
      i++;
    } else if (ch === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataQueryError(`Unterminated string literal at position ${start} in $filter.`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ type: 'string', text: value, pos: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s(),']/.test(text.charAt(i))) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), pos: start });
    }
  }
  return tokens;
}

/** What a surface's $filter accepts: the comparison `property op literal`, turned into a test or refused. */
export interface Dialect {
  comparison(property: Token, op: Token | undefined, literal: Token | undefined): FilterNode;
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly dialect: Dialect,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw new ODataQueryError('The $filter query option is empty.');
    const node = this.or(0);
    const extra = this.tokens[this.i];
    if (extra) {
      const hint = /^(AND|OR|And|Or)$/.test(extra.text) ? " Logical operators are lower-case: 'and', 'or'." : '';
      throw new ODataQueryError(`Syntax error in $filter at position ${extra.pos}: unexpected '${extra.text}'.${hint}`);
    }
    return node;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.type === 'word' && t.text === word;
  }

  private or(depth: number): FilterNode {
    let left = this.and(depth);
    while (this.peekWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): FilterNode {
    let left = this.primary(depth);
    while (this.peekWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.primary(depth) };
    }
    return left;
  }

  private primary(depth: number): FilterNode {
    const t = this.tokens[this.i];
    if (!t) throw new ODataQueryError('Syntax error in $filter: the expression ends where a comparison was expected.');
    if (t.type === '(') {
      if (depth >= MAX_DEPTH) throw new ODataQueryError('The $filter expression is nested too deeply.');
      this.i++;
      const inner = this.or(depth + 1);
      if (this.tokens[this.i]?.type !== ')') {
        const at = this.tokens[this.i];
        throw new ODataQueryError(
          `Syntax error in $filter: missing ')'${at ? ` at position ${at.pos} (found '${at.text}')` : ' at the end'}.`,
        );
      }
      this.i++;
      return inner;
    }
    if (t.type !== 'word') throw new ODataQueryError(`Syntax error in $filter at position ${t.pos}: unexpected '${t.text}'.`);
    this.i++;
    if (this.tokens[this.i]?.type === '(') {
      throw new ODataQueryError(`The function '${t.text}' is not supported in $filter; only comparisons joined with 'and'/'or' are.`);
    }
    if (t.text === 'not') throw new ODataQueryError("The operator 'not' is not supported in $filter.");
    const op = this.tokens[this.i++];
    const literal = op ? this.tokens[this.i++] : undefined;
    return this.dialect.comparison(t, op, literal);
  }
}

/** The Defender API's comparisons: dates with ge/gt/le/lt, status and assignedTo with eq. */
const DEFENDER_DIALECT: Dialect = {
  comparison(property, opToken, literal) {
    const name = property.text;
    if (!SUPPORTED_FIELDS.includes(name)) {
      const near = SUPPORTED_FIELDS.find((f) => f.toLowerCase() === name.toLowerCase());
      const hint = near ? ` Property names are case-sensitive: did you mean '${near}'?` : '';
      throw new ODataQueryError(
        `The property '${name}' is not supported in $filter; only lastUpdateTime, createdTime, status and assignedTo are.${hint}`,
      );
    }
    if (!opToken || opToken.type !== 'word') {
      throw new ODataQueryError(`Syntax error in $filter: expected an operator after '${name}'.`);
    }
    const op = opToken.text;
    if (!ODATA_OPERATORS.includes(op)) throw new ODataQueryError(`Unknown operator '${op}' after '${name}' in $filter.`);
    if (!literal || (literal.type !== 'word' && literal.type !== 'string')) {
      throw new ODataQueryError(`Syntax error in $filter: expected a value after '${name} ${op}'.`);
    }
    if (DATE_FIELDS.includes(name)) {
      if (!DATE_OPS.includes(op)) {
        throw new ODataQueryError(`The operator '${op}' is not supported for '${name}' in $filter; use ge, gt, le or lt.`);
      }
      if (literal.type === 'string') {
        throw new ODataQueryError(
          `'${name}' must be compared with an unquoted DateTimeOffset literal such as 2026-06-03T18:04:29.4633333Z, not the string '${literal.text}'.`,
        );
      }
      const value = parseDateTimeOffset(literal.text);
      if (!value) {
        throw new ODataQueryError(
          `'${literal.text}' is not a valid DateTimeOffset literal for '${name}' in $filter (expected e.g. 2026-06-03T18:04:29.4633333Z).`,
        );
      }
      return dateLeaf(name as 'lastUpdateTime' | 'createdTime', op as DateOp, value);
    }
    if (op !== 'eq') throw new ODataQueryError(`The operator '${op}' is not supported for '${name}' in $filter; only eq is.`);
    if (name === 'assignedTo' && literal.type === 'word' && literal.text === 'null') return assignedLeaf(null);
    if (literal.type !== 'string') {
      throw new ODataQueryError(`'${name}' must be compared with a single-quoted string, e.g. ${name} eq '…'; found '${literal.text}'.`);
    }
    if (name === 'status' && !(STATUSES as readonly string[]).includes(literal.text)) {
      throw new ODataQueryError(`'${literal.text}' is not a valid value for 'status' in $filter; use ${STATUSES.join(', ')}.`);
    }
    if (name === 'status') {
      const status = literal.text;
      return { kind: 'leaf', test: (e) => defenderStatus(e.status) === status };
    }
    return assignedLeaf(literal.text);
  },
};

/** A comparison of an index date field; both sides are 7-digit UTC strings, so string order is time order. */
export function dateLeaf(field: 'lastUpdateTime' | 'createdTime', op: DateOp, value: string): FilterNode {
  const cmp: Record<DateOp, (v: string) => boolean> = {
    ge: (v) => v >= value,
    gt: (v) => v > value,
    le: (v) => v <= value,
    lt: (v) => v < value,
  };
  const test = cmp[op];
  return { kind: 'leaf', test: (e) => test(e[field]) };
}

/** assignedTo eq: UPNs compared case-insensitively (addresses that differ only in case name the same person); null = unassigned. */
export function assignedLeaf(value: string | null): FilterNode {
  if (value === null) return { kind: 'leaf', test: (e) => e.assignedTo === undefined };
  const lower = value.toLowerCase();
  return { kind: 'leaf', test: (e) => e.assignedTo !== undefined && e.assignedTo.toLowerCase() === lower };
}

export function parseFilter(text: string, dialect: Dialect = DEFENDER_DIALECT): FilterNode {
  return new Parser(tokenize(text), dialect).parse();
}

export function evaluate(node: FilterNode, e: IndexEntry): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, e) && evaluate(node.right, e);
    case 'or':
      return evaluate(node.left, e) || evaluate(node.right, e);
    case 'leaf':
      return node.test(e);
  }
}
