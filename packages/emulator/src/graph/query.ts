import { assignedLeaf, DATE_OPS, dateLeaf, ODATA_OPERATORS, ODataQueryError, parseFilter, type DateOp, type Dialect, type FilterNode } from '../defender/odata';
import { parseDateTimeOffset } from '../defender/timestamps';
import {
  ALL_DETERMINATIONS,
  canonicalDetermination,
  CLASSIFICATIONS,
  graphDetermination,
  graphSeverity,
  graphStatus,
  INCIDENT_STATUSES,
  INCIDENT_STATUSES_LATER,
  lowerFirst,
  memberOf,
  SEVERITIES,
  type EnumOptions,
} from './enums';
import { GraphRequestError } from './errors';

/**
 * The OData of `GET /v1.0/security/incidents` (security-list-incidents.md): `$filter` on status, severity,
 * classification, determination and assignedTo (eq) and createdDateTime, lastUpdateDateTime (ge gt le lt),
 * joined with and/or and parentheses; `$top` (at most 50), `$skip`, `$count`, `$expand=alerts` and the
 * server's `$skiptoken`. Anything else is refused with a 400 naming it.
 */

export const GRAPH_MAX_TOP = 50;

export interface GraphListQuery {
  filter?: FilterNode;
  /** The options a continuation must repeat unchanged, as received (the nextLink carries them). */
  kept: Record<string, string>;
  /** As sent; undefined = the server's page size. */
  top?: number;
  skip: number;
  count: boolean;
  expandAlerts: boolean;
  skiptoken?: string;
}

const LIST_OPTIONS = ['$filter', '$top', '$skip', '$count', '$expand', '$skiptoken'];
const GET_OPTIONS = ['$expand'];
const ENUM_FIELDS = ['status', 'severity', 'classification', 'determination'];
const DATE_FIELDS: Record<string, 'createdTime' | 'lastUpdateTime'> = { createdDateTime: 'createdTime', lastUpdateDateTime: 'lastUpdateTime' };
const FIELDS = [...ENUM_FIELDS, 'assignedTo', ...Object.keys(DATE_FIELDS)];

const bad = (message: string) => new GraphRequestError(400, 'BadRequest', message);

function checkOptions(params: URLSearchParams, allowed: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!key.startsWith('$')) continue; // custom query options are ignored, as OData allows
    if (seen.has(key)) throw bad(`Query option '${key}' was specified more than once, but it must be specified at most once.`);
    seen.add(key);
    if (!allowed.includes(key)) throw bad(`The query option '${key}' is not supported by ${what}; supported: ${allowed.join(', ')}.`);
  }
}

function nonNegative(option: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw bad(`Invalid value '${raw}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`);
  return Number(raw);
}

function expandOf(params: URLSearchParams): boolean {
  const expand = params.get('$expand');
  if (expand === null) return false;
  if (expand.trim() !== 'alerts') {
    throw bad(`Could not expand '${expand}': the only navigation property of microsoft.graph.security.incident is 'alerts'.`);
  }
  return true;
}

/** `GET /security/incidents/{id}` accepts `$expand=alerts` only. */
export function parseGetQuery(params: URLSearchParams): { expandAlerts: boolean } {
  checkOptions(params, GET_OPTIONS, 'GET /security/incidents/{id}');
  return { expandAlerts: expandOf(params) };
}

/** Validates a list request's options. Throws GraphRequestError (400), with the observed body for $top > 50. */
export function parseListQuery(params: URLSearchParams, options: EnumOptions): GraphListQuery {
  checkOptions(params, LIST_OPTIONS, 'GET /security/incidents');
  const kept: Record<string, string> = {};
  for (const key of ['$filter', '$top', '$count', '$expand']) {
    const v = params.get(key);
    if (v !== null) kept[key] = v;
  }
  let top: number | undefined;
  const rawTop = params.get('$top');
  if (rawTop !== null) {
    top = nonNegative('$top', rawTop.trim());
    // As observed (wazuh/wazuh #28070): an empty code and this exact message.
    if (top > GRAPH_MAX_TOP) {
      throw new GraphRequestError(400, '', `The limit of '${GRAPH_MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${rawTop.trim()}'.`);
    }
  }
  const rawSkip = params.get('$skip');
  const skip = rawSkip === null ? 0 : nonNegative('$skip', rawSkip.trim());
  const rawCount = params.get('$count');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') throw bad(`Invalid value '${rawCount}' for $count; use true or false.`);
  const skiptoken = params.get('$skiptoken') ?? undefined;
  if (skiptoken !== undefined && rawSkip !== null) throw bad('$skip cannot be combined with $skiptoken; follow @odata.nextLink as it was given.');
  const filterText = params.get('$filter');
  let filter: FilterNode | undefined;
  if (filterText !== null) {
    try {
      filter = parseFilter(filterText, graphDialect(options));
    } catch (err) {
      if (err instanceof ODataQueryError) throw bad(err.message);
      throw err;
    }
  }
  return { filter, kept, top, skip, count: rawCount === 'true', expandAlerts: expandOf(params), skiptoken };
}

/** Graph's $filter comparisons over the store's index. */
function graphDialect(options: EnumOptions): Dialect {
  return {
    comparison(property, opToken, literal) {
      const name = property.text;
      if (!FIELDS.includes(name)) {
        const near = FIELDS.find((f) => f.toLowerCase() === name.toLowerCase());
        const hint = near ? ` Property names are case-sensitive: did you mean '${near}'?` : '';
        throw new ODataQueryError(`Invalid filter clause: the property '${name}' cannot be filtered on; supported are ${FIELDS.join(', ')}.${hint}`);
      }
      if (!opToken || opToken.type !== 'word') throw new ODataQueryError(`Syntax error in $filter: expected an operator after '${name}'.`);
      const op = opToken.text;
      if (!ODATA_OPERATORS.includes(op)) throw new ODataQueryError(`Unknown operator '${op}' after '${name}' in $filter.`);
      if (!literal || (literal.type !== 'word' && literal.type !== 'string')) {
        throw new ODataQueryError(`Syntax error in $filter: expected a value after '${name} ${op}'.`);
      }
      const dateField = DATE_FIELDS[name];
      if (dateField) {
        if (!DATE_OPS.includes(op)) throw new ODataQueryError(`The operator '${op}' is not supported for '${name}' in $filter; use ge, gt, le or lt.`);
        const value = literal.type === 'word' ? parseDateTimeOffset(literal.text) : undefined;
        if (!value) {
          throw new ODataQueryError(
            `'${literal.text}' is not a DateTimeOffset literal for '${name}' (write it unquoted, e.g. ${name} ge 2026-06-03T18:04:29Z).`,
          );
        }
        return dateLeaf(dateField, op as DateOp, value);
      }
      if (op !== 'eq') throw new ODataQueryError(`The operator '${op}' is not supported for '${name}' in $filter; only eq is.`);
      if (name === 'assignedTo') {
        if (literal.type === 'word' && literal.text === 'null') return assignedLeaf(null);
        if (literal.type !== 'string') throw new ODataQueryError(`'assignedTo' must be compared with a single-quoted string or null; found '${literal.text}'.`);
        return assignedLeaf(literal.text);
      }
      if (literal.type !== 'string') throw new ODataQueryError(`'${name}' must be compared with a single-quoted member name, e.g. ${name} eq '…'; found '${literal.text}'.`);
      return enumLeaf(name, literal.text, options);
    },
  };
}

function enumLeaf(field: string, value: string, options: EnumOptions): FilterNode {
  const invalid = (members: readonly string[]) =>
    new ODataQueryError(`'${value}' is not a member of the enum of '${field}'; members are ${members.join(', ')}.`);
  switch (field) {
    case 'status': {
      const members = [...INCIDENT_STATUSES, ...INCIDENT_STATUSES_LATER];
      const member = memberOf(members, value);
      if (!member) throw invalid(members);
      if ((INCIDENT_STATUSES_LATER as readonly string[]).includes(member) && !options.includeUnknownMembers) {
        throw new ODataQueryError(
          `The enum member '${member}' of 'status' was added after unknownFutureValue; send the header 'Prefer: include-unknown-enum-members' to use it.`,
        );
      }
      // Without the header, awaitingAction incidents read (and so match) as unknownFutureValue.
      return { kind: 'leaf', test: (e) => graphStatus(e.status, options) === member };
    }
    case 'severity': {
      const member = memberOf(SEVERITIES, value);
      if (!member) throw invalid(SEVERITIES);
      return { kind: 'leaf', test: (e) => graphSeverity(e.severity) === member };
    }
    case 'classification': {
      const member = memberOf(CLASSIFICATIONS, value);
      if (!member) throw invalid(CLASSIFICATIONS);
      return { kind: 'leaf', test: (e) => lowerFirst(e.classification) === member };
    }
    default: {
      const member = memberOf(ALL_DETERMINATIONS, value);
      if (!member) throw invalid(ALL_DETERMINATIONS);
      // Either spelling matches incidents of either spelling: they name one member.
      const wanted = canonicalDetermination(member);
      return { kind: 'leaf', test: (e) => canonicalDetermination(graphDetermination(e.determination) ?? 'unknown') === wanted };
    }
  }
}
