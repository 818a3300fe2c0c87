import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { normalise } from './derive';
import type { IndexDatabase } from './schema';
import { MAX_PAGE_SIZE, SORT_COLUMNS, type IndexCounts, type IndexPage, type IndexQuery } from './types';
import { OPEN_STATUSES } from '../incidents/model';
import { SOON_SHARE } from '../incidents/sla';
import { COLUMN_OF, instant, isoOrNull, likeLiteral, type Db, type Partition } from './values';

/** One page of the partition's incidents matching the query, and how many match in all. */
export async function queryPartition(db: Db, part: Partition, q: IndexQuery): Promise<IndexPage> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  if (!Number.isInteger(page) || page < 1) throw new RangeError('page must be a whole number from 1');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  const sort = q.sort ?? { column: 'lastUpdateAt', direction: 'desc' };
  if (!(SORT_COLUMNS as readonly string[]).includes(sort.column)) throw new RangeError('unknown sort column');
  if (sort.direction !== 'asc' && sort.direction !== 'desc') throw new RangeError('sort direction must be asc or desc');
  const where = filters(part, q);

  // One snapshot for the page and its total, so they agree while a sync writes.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      // The page from the narrow rows, each with its queue row from incident_docs: PostgreSQL
      // computes that column after the LIMIT, for the page's rows only.
      let rows = trx
        .selectFrom('incidents')
        .select((eb) => ['id', 'unassigned_since', eb.selectFrom('incident_docs').select('incident_docs.queue_row').where(part.mine).whereRef('incident_docs.id', '=', 'incidents.id').as('queue_row')])
        .where(where);
      const dir = sort.direction;
      switch (sort.column) {
        case 'id':
          // Graph ids are numbers in strings: shorter first sorts them as numbers.
          rows = rows.orderBy(sql`length(id)`, dir).orderBy('id', dir);
          break;
        case 'severity':
          rows = rows.orderBy('severity_rank', dir).orderBy('last_update_at', 'desc');
          break;
        case 'createdAt':
          rows = rows.orderBy('created_at', (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
          break;
        default:
          rows = rows.orderBy(COLUMN_OF[sort.column], dir);
      }
      const offset = (page - 1) * pageSize;
      const found = await rows.orderBy('id', dir).limit(pageSize).offset(offset).execute();
      // The total on its own, not count(*) over() on the page's rows: a window made the page
      // visit every match in the sort's order, where a LIMIT stops at the page's last row and a
      // count takes the cheapest way through the partition. A page short of full is the last
      // one: its total needs no count.
      let total = offset + found.length;
      if (found.length === pageSize || (found.length === 0 && page > 1)) {
        const counted = await trx.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow();
        total = Number(counted.n);
      }
      return { rows: found.flatMap((r) => (r.queue_row ? [{ ...r.queue_row, unassignedSince: isoOrNull(r.unassigned_since) }] : [])), total, page, pageSize };
    });
}

/** Counts by severity (whatever the severity filter) and by status; merged incidents apart. */
export async function countPartition(db: Db, part: Partition, q: IndexQuery): Promise<IndexCounts> {
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => ['severity', 'status', eb.fn.countAll<number>().as('n')])
    .where(filters(part, { ...q, severity: undefined }))
    .groupBy(['severity', 'status'])
    .execute();
  const counts: IndexCounts = { bySeverity: {}, byStatus: {}, merged: 0 };
  const shown = new Set(q.severity !== undefined && q.severity.length > 0 ? q.severity : rows.map((r) => r.severity));
  for (const r of rows) {
    const n = Number(r.n);
    if (r.status === 'redirected') {
      if (shown.has(r.severity)) counts.merged += n;
      continue;
    }
    counts.bySeverity[r.severity] = (counts.bySeverity[r.severity] ?? 0) + n;
    if (shown.has(r.severity)) counts.byStatus[r.status] = (counts.byStatus[r.status] ?? 0) + n;
  }
  return counts;
}

/** The query's conditions, every value a parameter. */
function filters(part: Partition, q: IndexQuery) {
  const from = q.from === undefined ? undefined : instant(q.from, 'from');
  const to = q.to === undefined ? undefined : instant(q.to, 'to');
  const assignee = q.assignee;
  let assignedTo: string | undefined;
  if (assignee?.kind === 'me') {
    if (part.username === undefined) throw new Error('assignee=me needs the analyst\u2019s username (forAnalyst({ username }))');
    assignedTo = normalise(part.username);
  } else if (assignee?.kind === 'unassigned') assignedTo = '';
  else if (assignee?.kind === 'address') assignedTo = normalise(assignee.address);
  const search = q.search?.trim() ?? '';
  const unassignedBefore = q.unassignedBefore === undefined ? undefined : instant(q.unassignedBefore, 'unassignedBefore');

  return (eb: ExpressionBuilder<IndexDatabase, 'incidents'>): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [part.mine];
    const anyOf = (column: 'status' | 'severity' | 'classification' | 'determination', values: string[] | undefined) => {
      if (values !== undefined && values.length > 0) all.push(eb(column, 'in', values));
    };
    anyOf('status', q.status);
    anyOf('severity', q.severity);
    anyOf('classification', q.classification);
    anyOf('determination', q.determination);
    if (assignedTo !== undefined) all.push(eb('assigned_to', '=', assignedTo));
    const contains = (column: 'custom_tags' | 'service_sources' | 'detection_sources' | 'categories' | 'device_groups', value: string | undefined) => {
      if (value !== undefined && value !== '') all.push(eb(column, '@>', sql<string[]>`array[${value}]::text[]`));
    };
    contains('custom_tags', q.tag);
    contains('service_sources', q.serviceSource);
    contains('detection_sources', q.detectionSource);
    contains('categories', q.category);
    contains('device_groups', q.deviceGroup);
    if (q.ids !== undefined) all.push(q.ids.length > 0 ? eb('id', 'in', q.ids) : sql<SqlBool>`false`);
    if (unassignedBefore !== undefined) all.push(eb.and([eb('assigned_to', '=', ''), eb('unassigned_since', '<=', unassignedBefore)]));
    if (q.sla !== undefined) all.push(slaCondition(eb, q.sla));
    if (from !== undefined) all.push(eb('last_update_at', '>=', from));
    if (to !== undefined) all.push(eb('last_update_at', '<=', to));
    if (search !== '') {
      const term = normalise(search);
      const like = likeLiteral(term);
      all.push(
        eb.or([
          eb('id', '=', search),
          // A part of the name can be anywhere, so every row of the partition is tried: against
          // the stored lower(display_name), not lower() of each name at each search.
          eb('display_name_lower', 'like', `%${like}%`),
          eb(
            'id',
            'in',
            eb
              .selectFrom('incident_entities')
              .select('incident_entities.incident_id')
              .where(part.mine)
              .where('incident_entities.value', 'like', `${like}%`),
          ),
        ]),
      );
    }
    return eb.and(all);
  };
}

/**
 * Open incidents whose SLA clock ran out by `at` (overdue), or is in its last quarter without any
 * having run out (soon): per severity, created before at − resolve target, or unassigned since
 * before at − assign target. Every bound is a parameter.
 */
function slaCondition(eb: ExpressionBuilder<IndexDatabase, 'incidents'>, sla: NonNullable<IndexQuery['sla']>): Expression<SqlBool> {
  const at = instant(sla.at, 'sla.at').getTime();
  const past = (share: number) =>
    eb.or(
      Object.entries(sla.targets).flatMap(([severity, t]) =>
        t === undefined
          ? []
          : [
              eb.and([
                eb('severity', '=', severity),
                eb.or([
                  eb('created_at', '<=', new Date(at - t.resolveMs * share)),
                  eb.and([eb('assigned_to', '=', ''), eb('unassigned_since', '<=', new Date(at - t.assignMs * share))]),
                ]),
              ]),
            ],
      ),
    );
  const open = eb('status', 'in', OPEN_STATUSES);
  return sla.state === 'overdue' ? eb.and([open, past(1)]) : eb.and([open, past(1 - SOON_SHARE), eb.not(past(1))]);
}
