import { sql, type RawBuilder } from 'kysely';
import type { SlaTargets } from '../incidents/sla';
import { AGE_BUCKETS, DAY_MS, METRIC_SEVERITIES, previousOf, trendOf, type Durations, type Metrics, type OutcomeCounts, type Period } from '../metrics/metrics';
import type { Db, Partition } from './values';

/**
 * The metrics of one period and of the one before it, computed by the database over the
 * partition: a handful of grouped statements instead of every incident's row (the embedded
 * engine spent most of a page returning 10,000 of them). The definitions are metrics.ts's.
 */

const ts = (ms: number) => new Date(ms);
/** Milliseconds between two timestamptz, never negative. */
const spanMs = (from: RawBuilder<unknown>, to: RawBuilder<unknown>) => sql`greatest(0, extract(epoch from (${to} - ${from})) * 1000)::float8`;

/** The severity's target for this clock, or null: a CASE over the configured targets (numbers, as parameters). */
function targetOf(targets: SlaTargets, clock: 'assignMs' | 'resolveMs'): RawBuilder<number | null> {
  const known = METRIC_SEVERITIES.filter((s) => targets[s] !== undefined);
  if (known.length === 0) return sql<null>`null::float8`;
  return sql<number | null>`(case severity ${sql.join(known.map((s) => sql`when ${s} then ${targets[s]?.[clock]}::float8`), sql` `)} end)`;
}

/** Open at instant t: created before it, not resolved by it (metrics.ts: openAt). */
const openAt = (t: Date) => sql`created_at < ${t} and (status <> 'resolved' or coalesce(resolved_at, created_at) > ${t})`;

type Num = number | string | null;
type Times = Pick<Metrics, 'acknowledge' | 'resolve'>;
type Closing = Pick<Metrics['outcomes'], 'resolved' | 'unclassified' | 'noDetermination' | 'noComment'>;
const num = (v: Num) => (v === null ? null : Number(v));

/** Times to acknowledge and to resolve, this period's and the previous one's. */
async function durations(db: Db, part: Partition, cur: Period, targets: SlaTargets): Promise<[Times, Times]> {
  const prev = previousOf(cur);
  const [from, start, to] = [ts(prev.from), ts(cur.from), ts(cur.to)];
  const { rows } = await sql<{ kind: string; cur: boolean; severity: string | null; n: Num; est: Num; med: Num; p90: Num; met: Num }>`
    with spans as (
      select 'acknowledge' as kind, acknowledged_at >= ${start} as cur, severity, ${spanMs(sql`created_at`, sql`acknowledged_at`)} as ms, ack_estimated as est, ${targetOf(targets, 'assignMs')} as target
        from incidents where ${part.mine} and status <> 'redirected' and created_at is not null and acknowledged_at >= ${from} and acknowledged_at < ${to}
      union all
      select 'resolve', resolved_at >= ${start}, severity, ${spanMs(sql`created_at`, sql`resolved_at`)}, resolved_estimated, ${targetOf(targets, 'resolveMs')}
        from incidents where ${part.mine} and status = 'resolved' and created_at is not null and resolved_at >= ${from} and resolved_at < ${to}
    )
    select kind, cur, severity, count(*) as n, count(*) filter (where est) as est,
           percentile_cont(0.5) within group (order by ms) as med, percentile_cont(0.9) within group (order by ms) as p90,
           count(*) filter (where ms <= target) as met
      from spans group by grouping sets ((kind, cur, severity), (kind, cur))`.execute(db);
  const empty = (target: number | null): Durations => ({ n: 0, estimated: 0, median: null, p90: null, target, met: 0 });
  const of = (isCur: boolean): Times => {
    const out: Times = { acknowledge: {}, resolve: {} };
    for (const kind of ['acknowledge', 'resolve'] as const) {
      const clock = kind === 'acknowledge' ? 'assignMs' : 'resolveMs';
      for (const s of [...METRIC_SEVERITIES, 'all']) {
        const target = s === 'all' ? null : (targets[s]?.[clock] ?? null);
        const r = rows.find((x) => x.kind === kind && x.cur === isCur && (s === 'all' ? x.severity === null : x.severity === s));
        out[kind][s] = r === undefined ? empty(target) : { n: Number(r.n), estimated: Number(r.est), median: num(r.med), p90: num(r.p90), target, met: target === null ? 0 : Number(r.met) };
      }
    }
    return out;
  };
  return [of(true), of(false)];
}

async function backlog(db: Db, part: Partition, p: Period): Promise<Pick<Metrics, 'backlog' | 'backlogTotal'>> {
  const to = ts(p.to);
  const age = sql`${to}::timestamptz - created_at`;
  const bucket = sql`case ${sql.join(
    AGE_BUCKETS.filter((b) => b.upTo !== Infinity).map((b) => sql`when ${age} < make_interval(secs => ${b.upTo / 1000}) then ${b.key}`),
    sql` `,
  )} else ${AGE_BUCKETS.at(-1)?.key} end`;
  const { rows } = await sql<{ bucket: string; severity: string; n: Num }>`
    select ${bucket} as bucket, severity, count(*) as n from incidents
     where ${part.mine} and status <> 'redirected' and ${openAt(to)} group by 1, 2`.execute(db);
  const count = (bucket: string, severity?: string) => rows.filter((r) => r.bucket === bucket && (severity === undefined || r.severity === severity)).reduce((n, r) => n + Number(r.n), 0);
  const list = AGE_BUCKETS.map((b) => ({ bucket: b.key, bySeverity: Object.fromEntries(METRIC_SEVERITIES.map((s) => [s, count(b.key, s)])), total: count(b.key) }));
  return { backlog: list, backlogTotal: rows.reduce((n, r) => n + Number(r.n), 0) };
}

/** Open at the period's start, and incidents created and resolved on each of its days: the trend, summed in metrics.ts. */
async function trend(db: Db, part: Partition, p: Period): Promise<{ openAtStart: number; trend: Metrics['trend'] }> {
  const [from, to] = [ts(p.from), ts(p.to)];
  const day = (col: string) => sql`extract(epoch from (${sql.ref(col)} - ${from}::timestamptz)) / ${DAY_MS / 1000}`;
  const { rows } = await sql<{ kind: string; k: Num; n: Num }>`
    select 'start' as kind, 0 as k, count(*) as n from incidents where ${part.mine} and status <> 'redirected' and ${openAt(from)}
    union all
    select 'created', floor(${day('created_at')}), count(*) from incidents
     where ${part.mine} and status <> 'redirected' and created_at >= ${from} and created_at < ${to} group by 2
    union all
    select 'resolved', ceil(${day('resolved_at')}) - 1, count(*) from incidents
     where ${part.mine} and status = 'resolved' and created_at is not null and coalesce(resolved_at, created_at) > ${from} and coalesce(resolved_at, created_at) <= ${to} group by 2`.execute(db);
  const per = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [Number(r.k), Number(r.n)]));
  const openAtStart = Number(rows.find((r) => r.kind === 'start')?.n ?? 0);
  return { openAtStart, trend: trendOf(p, openAtStart, per('created'), per('resolved')) };
}

async function workload(db: Db, part: Partition, p: Period): Promise<Metrics['workload']> {
  const [from, to] = [ts(p.from), ts(p.to)];
  const resolvedIn = sql`status = 'resolved' and created_at is not null and resolved_at >= ${from} and resolved_at < ${to}`;
  const { rows } = await sql<{ assignee: string; open: Num; resolved: Num }>`
    select assigned_to as assignee, count(*) filter (where ${openAt(to)}) as open, count(*) filter (where ${resolvedIn}) as resolved
      from incidents where ${part.mine} and status <> 'redirected' and ((${openAt(to)}) or (${resolvedIn})) group by 1`.execute(db);
  return rows
    .map((r) => ({ assignee: r.assignee, open: Number(r.open), resolved: Number(r.resolved) }))
    .sort((a, b) => b.open - a.open || b.resolved - a.resolved || a.assignee.localeCompare(b.assignee));
}

/** How the period's resolved incidents were closed, by source (each of an incident's sources; '' when its alerts were never read). */
async function outcomes(db: Db, part: Partition, p: Period): Promise<Pick<Metrics['outcomes'], 'byDetectionSource' | 'byServiceSource'>> {
  const [from, to] = [ts(p.from), ts(p.to)];
  const { rows } = await sql<{ kind: string; source: string; n: Num; tp: Num; fp: Num; info: Num }>`
    with resolved as (
      select classification, detection_sources, service_sources from incidents
       where ${part.mine} and status = 'resolved' and created_at is not null and resolved_at >= ${from} and resolved_at < ${to}
    ), by_source as (
      select 'detection' as kind, unnest(case when cardinality(detection_sources) = 0 then array[''] else detection_sources end) as source, classification from resolved
      union all
      select 'service', unnest(case when cardinality(service_sources) = 0 then array[''] else service_sources end), classification from resolved
    )
    select kind, source, count(*) as n, count(*) filter (where classification = 'truePositive') as tp,
           count(*) filter (where classification = 'falsePositive') as fp, count(*) filter (where classification = 'informationalExpectedActivity') as info
      from by_source group by 1, 2`.execute(db);
  const list = (kind: string): OutcomeCounts[] =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => {
        const [n, tp, fp, info] = [r.n, r.tp, r.fp, r.info].map(Number) as [number, number, number, number];
        return { source: r.source, n, truePositive: tp, falsePositive: fp, informational: info, unclassified: n - tp - fp - info };
      })
      .sort((a, b) => b.n - a.n || a.source.localeCompare(b.source));
  return { byDetectionSource: list('detection'), byServiceSource: list('service') };
}

/** Resolved incidents of the period and of the one before: how many, and how many closed without a classification, determination or comment. */
async function closing(db: Db, part: Partition, cur: Period): Promise<[Closing, Closing]> {
  const [from, start, to] = [ts(previousOf(cur).from), ts(cur.from), ts(cur.to)];
  const { rows } = await sql<{ cur: boolean; n: Num; unclassified: Num; nodet: Num; nocomment: Num }>`
    select resolved_at >= ${start} as cur, count(*) as n,
           count(*) filter (where lower(classification) in ('', 'unknown')) as unclassified,
           count(*) filter (where lower(determination) in ('', 'unknown', 'notavailable')) as nodet,
           count(*) filter (where not exists (select 1 from incident_comments c where c.tenant_id = i.tenant_id and c.analyst_oid = i.analyst_oid and c.incident_id = i.id)) as nocomment
      from incidents i where ${part.mine} and status = 'resolved' and created_at is not null and resolved_at >= ${from} and resolved_at < ${to} group by 1`.execute(db);
  const of = (isCur: boolean): Closing => {
    const r = rows.find((x) => x.cur === isCur);
    return { resolved: Number(r?.n ?? 0), unclassified: Number(r?.unclassified ?? 0), noDetermination: Number(r?.nodet ?? 0), noComment: Number(r?.nocomment ?? 0) };
  };
  return [of(true), of(false)];
}

/** The figures of `period` and of the period of equal length before it, from one snapshot of the partition. */
export function partitionMetrics(db: Db, part: Partition, period: Period, targets: SlaTargets): Promise<{ current: Metrics; previous: Metrics; covered: number }> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const prev = previousOf(period);
      const [curDurations, prevDurations] = await durations(trx, part, period, targets);
      const [curClosing, prevClosing] = await closing(trx, part, period);
      const { openAtStart, trend: days } = await trend(trx, part, period);
      const { n } = await trx.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where(part.mine).where('status', '<>', 'redirected').executeTakeFirstOrThrow();
      const current: Metrics = {
        period,
        ...curDurations,
        ...(await backlog(trx, part, period)),
        trend: days,
        workload: await workload(trx, part, period),
        outcomes: { ...curClosing, ...(await outcomes(trx, part, period)) },
      };
      // The previous period shows its durations, its closing and its backlog's size (open at this period's start).
      const previous: Metrics = {
        period: prev,
        ...prevDurations,
        backlog: [],
        backlogTotal: openAtStart,
        trend: [],
        workload: [],
        outcomes: { ...prevClosing, byDetectionSource: [], byServiceSource: [] },
      };
      return { current, previous, covered: Number(n) };
    });
}
