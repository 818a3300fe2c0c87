import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { Incident } from '../src/incidents/model';
import { IncidentIndex, type AnalystIndex, type IndexQuery } from '../src/index/incidentIndex';
import { incident } from '../test/helpers/incidents';
import { alert, evidence } from '../test/index/contract';

/**
 * The incident index under a realistic load: 20 analysts × 10,000 incidents each (four entities
 * per incident), on the embedded PGlite and on PostgreSQL, then the median time of what an analyst
 * waits for on each queue view: its page (query()), its counts (counts()), and the two together as
 * the queue page runs them (in parallel). Views: the default one, pages sorted by a column other
 * than the default, searches, and both at once.
 * Not a test: it prints figures. `npx tsx bench/index.ts` runs it alone.
 */
const ANALYSTS = Number(process.env.BENCH_INDEX_ANALYSTS ?? 20);
const INCIDENTS = Number(process.env.BENCH_INDEX_INCIDENTS ?? 10_000);
const RUNS = 50;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const STATUSES = ['active', 'active', 'inProgress', 'awaitingAction', 'resolved', 'resolved', 'resolved', 'redirected'];
const SEVERITIES = ['high', 'medium', 'medium', 'low', 'low', 'informational'];
const WORDS = ['Ransomware', 'Phishing', 'Suspicious sign-in', 'Credential theft', 'Malware', 'Lateral movement', 'Exfiltration', 'Impossible travel'];

/** A deterministic pseudo-random sequence, so both engines hold the same data. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
}

export function generate(analyst: number, count: number): Incident[] {
  const rnd = prng(analyst + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const start = Date.parse('2026-05-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const n = analyst * 1_000_000 + i;
    const updated = new Date(start + rnd() * 183 * 86_400_000);
    const user = `user${Math.floor(rnd() * 2_000)}@contoso.example`;
    return incident(n, updated.toISOString(), {
      displayName: `${pick(WORDS)} on ws-${Math.floor(rnd() * 5_000)} involving ${user}`,
      status: pick(STATUSES),
      severity: pick(SEVERITIES),
      assignedTo: rnd() < 0.3 ? '' : `analyst${Math.floor(rnd() * 12)}@contoso.example`,
      createdAt: new Date(updated.getTime() - rnd() * 7 * 86_400_000).toISOString(),
      customTags: rnd() < 0.2 ? ['vip'] : [],
      alerts: [
        alert(`a${n}`, {
          serviceSource: rnd() < 0.5 ? 'microsoftDefenderForEndpoint' : 'microsoftDefenderForOffice365',
          category: pick(['Malware', 'InitialAccess', 'CredentialAccess']),
          evidence: [
            evidence('device', `ws-${Math.floor(rnd() * 5_000)}.contoso.example`, [['Device group', pick(['Finance', 'Servers', 'Workstations'])]]),
            evidence('user', user),
            evidence('ip', `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`),
            evidence('file', `tool${Math.floor(rnd() * 10_000)}.exe`, [['SHA-256', randomBytes(32).toString('hex')]]),
          ],
        }),
      ],
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The median time of `call` over RUNS runs, each on the next analyst's partition. */
async function p50(index: IncidentIndex, call: (analyst: AnalystIndex, run: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const analyst = index.forAnalyst({ tenantId: 'bench-tenant', oid: `analyst-${run % ANALYSTS}` });
    const started = performance.now();
    await call(analyst, run);
    times.push(performance.now() - started);
  }
  return median(times);
}

const open: IndexQuery = { status: ['active', 'inProgress', 'awaitingAction'], pageSize: 50 };
const user = (run: number) => `user${(run * 37) % 2_000}@contoso.example`;
const VIEWS: [string, (run: number) => IndexQuery][] = [
  ['default view, page 1', () => ({ pageSize: 50 })],
  ['sorted by severity, open, page 3', () => ({ ...open, sort: { column: 'severity', direction: 'desc' }, page: 3 })],
  ['sorted by name, all, page 1', () => ({ sort: { column: 'displayName', direction: 'asc' }, pageSize: 50 })],
  ['searched: a user (entity)', (run) => ({ search: user(run), pageSize: 50 })],
  ['searched: words of a name, open', () => ({ ...open, search: 'credential theft' })],
  ['sorted by severity + searched: words of a name, open', () => ({ ...open, search: 'credential theft', sort: { column: 'severity', direction: 'desc' } })],
  ['sorted by assignee + searched: a user (entity)', (run) => ({ search: user(run), sort: { column: 'assignedTo', direction: 'asc' }, pageSize: 50 })],
];

/**
 * One line per view: the p50 of its query, of its counts, and of both as the queue page runs them
 * (in parallel: on PostgreSQL two connections, on PGlite, which has one, one after the other).
 */
async function queueFigures(name: string, index: IncidentIndex): Promise<string[]> {
  const lines: string[] = [];
  for (const [what, view] of VIEWS) {
    let total = 0;
    const query = await p50(index, async (a, run) => (total += (await a.query(view(run))).total));
    const counts = await p50(index, (a, run) => a.counts(view(run)));
    const page = await p50(index, (a, run) => Promise.all([a.query(view(run)), a.counts(view(run))]));
    lines.push(`| ${name} | ${what} | ${query.toFixed(1)} ms | ${counts.toFixed(1)} ms | ${page.toFixed(1)} ms | ~${Math.round(total / RUNS)} |`);
  }
  return lines;
}

async function measure(name: string, index: IncidentIndex): Promise<string[]> {
  const filled = performance.now();
  for (let a = 0; a < ANALYSTS; a++) {
    const rows = generate(a, INCIDENTS);
    const mine = index.forAnalyst({ tenantId: 'bench-tenant', oid: `analyst-${a}` });
    for (let i = 0; i < rows.length; i += 1_000) await mine.upsert(rows.slice(i, i + 1_000), '2026-11-01T00:00:00Z');
  }
  const fillSeconds = (performance.now() - filled) / 1000;
  await index.analyze();
  return [`| ${name} | fill: ${fillSeconds.toFixed(1)} s, ${Math.round((ANALYSTS * INCIDENTS) / fillSeconds)} incidents/s | | | | |`, ...(await queueFigures(name, index))];
}

/** Fills each engine and prints the p50 of each queue view's queries. */
export async function benchIndex(): Promise<void> {
  console.log(`Incident index: ${ANALYSTS} analysts × ${INCIDENTS} incidents, p50 of ${RUNS} runs each, node ${process.version}`);
  console.log('| engine | view | query() | counts() | page: both in parallel | matches |');
  console.log('|---|---|---:|---:|---:|---:|');
  const embedded = await IncidentIndex.open({});
  try {
    for (const line of await measure('PGlite (memory)', embedded)) console.log(line);
  } finally {
    await embedded.close();
  }

  const schema = `threatdesk_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
    const server = await IncidentIndex.open({ databaseUrl: DATABASE_URL, schema });
    try {
      for (const line of await measure('PostgreSQL', server)) console.log(line);
    } finally {
      await server.close();
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

if (require.main === module) {
  benchIndex().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
