import { windowBounds, type QueueFilter } from '../queueFilter';
import type { ListContext } from './source';

/** An OData string literal: single quotes doubled, as OData v4 escapes them. */
export const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The `$filter` both APIs understand, from validated values only: the statuses given (in the API's
 * spelling; none means "all"), the assignee, and the time window on the API's last-update field.
 */
export function odataFilter(f: QueueFilter, ctx: ListContext, api: { statuses?: readonly string[]; updatedField: string }): string | undefined {
  const clauses: string[] = [];
  const statuses = (api.statuses ?? []).map((s) => `status eq ${odataString(s)}`);
  if (statuses.length) clauses.push(statuses.length > 1 ? `(${statuses.join(' or ')})` : `${statuses.join('')}`);
  if (f.assignee.kind === 'me') clauses.push(`assignedTo eq ${odataString(ctx.upn)}`);
  if (f.assignee.kind === 'address') clauses.push(`assignedTo eq ${odataString(f.assignee.address)}`);
  const { from, to } = windowBounds(f, ctx.now);
  if (from) clauses.push(`${api.updatedField} ge ${from}`);
  if (to) clauses.push(`${api.updatedField} le ${to}`);
  return clauses.length ? clauses.join(' and ') : undefined;
}
