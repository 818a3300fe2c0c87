import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { request } from 'undici';
import { CONTOSO_ID, startEmulator, type Emulator } from '@threatdesk/emulator';
import { GraphCaller, graphToken, TestBrowser, type Page } from '@threatdesk/emulator/testing';
import type { Incident } from '../src/incidents/model';
import { graphIncident } from '../src/incidents/sources/graph';
import { IncidentIndex } from '../src/index/incidentIndex';
import { signIn } from '../test/helpers/appSignIn';
import { generate } from './index';
import { cpuMs, describeRuntime, startCeiling, startThreatDesk, UNMETERED, type ServerProcess } from './proc';
import { monotonicUs, printProfile, summariseProfiles } from './profile';

/**
 * The queue page (GET /incidents) against its ceiling, and at scale. Figures, not pass/fail; the
 * targets are printed with whether this run met them. `npx tsx bench/queue.ts` runs it alone.
 *
 * 1. Ceiling vs ThreatDesk, interleaved: a bare Express + EJS app (bench/ceiling) rendering the same
 *    50-row table from memory (the very incidents ThreatDesk's page shows; the two tables are
 *    checked byte for byte), and ThreatDesk's signed-in queue from a warm index, on PGlite and on
 *    PostgreSQL, in rounds of autocannon taken in turn. Every server runs in a child process of its
 *    own, whose CPU time is read from /proc before and after each round (the PostgreSQL backends'
 *    too, apart). When a target is missed, a second app process runs the same load under
 *    --cpu-prof and its hot spots are printed (BENCH_QUEUE_PROFILE=0 skips that, =1 always does it).
 * 2. The queue page at scale: 20 analysts × 10,000 incidents in the app's own index, then the p50
 *    of sorted and searched pages end to end. The index is seeded through IncidentIndex (the app's
 *    PGlite DATA_DIR, or a PostgreSQL schema) before the app starts: filling it through the emulator
 *    would take 200 list pages and 10,000 incident reads per analyst within the tenant's budget.
 *
 * BENCH_QUEUE_ENGINES (pglite,postgres), BENCH_DATABASE_URL, BENCH_CONNECTIONS, BENCH_QUEUE_ROUNDS,
 * BENCH_QUEUE_ROUND_SECONDS, BENCH_QUEUE_ANALYSTS, BENCH_QUEUE_INCIDENTS and BENCH_QUEUE_RUNS change
 * the defaults; BENCH_APP=tsx runs ThreatDesk through tsx instead of compiling it (bench/proc.ts).
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 6);
const ROUND_SECONDS = Number(process.env.BENCH_QUEUE_ROUND_SECONDS ?? 5);
const SCALE_ANALYSTS = Number(process.env.BENCH_QUEUE_ANALYSTS ?? 20);
const SCALE_INCIDENTS = Number(process.env.BENCH_QUEUE_INCIDENTS ?? 10_000);
const SCALE_RUNS = Number(process.env.BENCH_QUEUE_RUNS ?? 60);
const ENGINES = (process.env.BENCH_QUEUE_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim());
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROFILE = process.env.BENCH_QUEUE_PROFILE;

/** Targets of the issue. */
const MIN_RATIO = 0.5;
const MAX_CPU_MS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] ?? NaN;
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The queue table of a page, from its opening tag to its end. */
function tableOf(html: string): string {
  const start = html.search(/<table [^>]*id="incidents"/);
  const end = html.indexOf('</table>', start);
  return start < 0 || end < 0 ? '' : html.slice(start, end + '</table>'.length);
}

const rowIds = (p: Page) => p.$('#incidents tbody tr').map((_, el) => p.$(el).attr('data-incident-id')).get();

/**
 * Syncs (Refresh, as an analyst would) until the default queue page shows 50 rows, each with its
 * alerts read (enrichment reads open incidents newest first, the default page's order), and no
 * sync is running. Returns that page.
 */
async function warmQueue(url: string, browser: TestBrowser): Promise<Page> {
  for (let i = 0; i < 120; i++) {
    const page = await browser.get(`${url}/incidents`);
    if (page.status !== 200) throw new Error(`GET /incidents answered ${page.status}`);
    const asOf = page.$('#as-of').text();
    const syncing = asOf.includes('; refreshing') || (asOf.includes('for the first time') && !asOf.includes('not started'));
    const rows = page.$('#incidents tbody tr').length;
    const withoutAlerts = page.$('#incidents tbody td.c-alerts').filter((_, td) => page.$(td).text() === '–').length;
    if (!syncing && asOf.includes(' as of ') && rows >= 50 && withoutAlerts === 0) return page;
    if (!syncing) {
      const done = await browser.submit(page, 'form[action="/incidents/refresh"] button');
      if (done.status !== 303) throw new Error(`Refresh answered ${done.status}`);
    }
    await sleep(250);
  }
  throw new Error('the queue did not get 50 rows with their alerts after 120 tries');
}

interface Round {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  cpuMs: number;
  /** CPU of the PostgreSQL backends serving the app's connections, when its index is there. */
  dbCpuMs: number;
  non2xx: number;
}

interface Target {
  name: string;
  server: ServerProcess;
  headers: Record<string, string>;
  /** The pids of the database backends serving this server, read before each round. */
  backends?: () => Promise<number[]>;
  rounds: Round[];
}

/** CPU of each pid still alive, by pid. */
function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, cpuMs(pid));
    } catch {
      // Gone meanwhile (a pool connection closed).
    }
  }
  return out;
}

async function round(t: Target, seconds: number): Promise<Round> {
  const backends = (await t.backends?.()) ?? [];
  const dbBefore = cpuOf(backends);
  const before = cpuMs(t.server.pid);
  const r = await autocannon({ url: `${t.server.url}/incidents`, connections: CONNECTIONS, duration: seconds, headers: t.headers });
  const cpu = cpuMs(t.server.pid) - before;
  let dbCpu = 0;
  for (const [pid, ms] of cpuOf(backends)) dbCpu += ms - (dbBefore.get(pid) ?? ms);
  return { requests: r.requests.total, seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99, cpuMs: cpu, dbCpuMs: dbCpu, non2xx: r.non2xx + r.errors + r.timeouts };
}

function summary(t: Target) {
  const sum = (f: (r: Round) => number) => t.rounds.reduce((n, r) => n + f(r), 0);
  const requests = sum((r) => r.requests);
  return {
    rps: requests / sum((r) => r.seconds),
    p50: median(t.rounds.map((r) => r.p50)),
    p99: median(t.rounds.map((r) => r.p99)),
    cpuPerRequest: sum((r) => r.cpuMs) / requests,
    dbCpuPerRequest: t.backends ? sum((r) => r.dbCpuMs) / requests : undefined,
    non2xx: sum((r) => r.non2xx),
    perRound: t.rounds.map((r) => Math.round(r.requests / r.seconds)),
  };
}

/** A PostgreSQL schema of the benchmark's own, dropped at the end; undefined when the server is unreachable. */
async function benchSchema(prefix: string): Promise<{ admin: Client; schema: string; drop(): Promise<void> } | undefined> {
  const admin = new Client({ connectionString: DATABASE_URL });
  try {
    await admin.connect();
  } catch {
    await admin.end().catch(() => undefined);
    return undefined;
  }
  const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create schema ${schema}`);
  return {
    admin,
    schema,
    async drop() {
      await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

interface Desk {
  engine: string;
  app: Awaited<ReturnType<typeof startThreatDesk>>;
  cookie: string;
  warm: Page;
  backends?: () => Promise<number[]>;
}

/** A ThreatDesk process with riley signed in and the default queue page warm. */
async function warmDesk(emu: Emulator, engine: 'pglite' | 'postgres', db: Awaited<ReturnType<typeof benchSchema>>, nodeArgs: string[] = []): Promise<Desk> {
  // No sync while measuring (a long interval; the warm-up syncs by Refresh), and a budget that does
  // not slow the warm-up: the queue page itself makes no API call.
  const appName = `threatdesk-bench-${process.pid}-${engine}-${Date.now().toString(36)}`;
  const env: Record<string, string> = { ...UNMETERED, SYNC_INTERVAL_S: '3600' };
  if (engine === 'postgres' && db) Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: db.schema, PGAPPNAME: appName });
  const app = await startThreatDesk(emu, env, { nodeArgs });
  try {
    const browser = new TestBrowser(emu.caCertPem);
    try {
      await signIn(browser, app.url, 'riley@contoso.example');
      const cookie = await browser.jar.getCookieString(app.url);
      const warm = await warmQueue(app.url, browser);
      const backends =
        engine === 'postgres' && db
          ? async () => (await db.admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName])).rows.map((r) => r.pid)
          : undefined;
      return { engine, app, cookie, warm, backends };
    } finally {
      await browser.close();
    }
  } catch (err) {
    await app.stop();
    throw err;
  }
}

const ENGINE_NAME: Record<string, string> = { pglite: 'index on PGlite (embedded, in the app process)', postgres: 'index on PostgreSQL (DATABASE_URL)' };

/** 1. ThreatDesk's queue page from a warm index against the ceiling, in alternating rounds. */
export async function benchQueueCeiling(): Promise<void> {
  const emu = await startEmulator({ incidents: 1000, quotas: { list: 1e9, get: 1e9, update: 1e9, graph: 1e9 } });
  const tmp = mkdtempSync(path.join(tmpdir(), 'threatdesk-bench-queue-'));
  const graph = new GraphCaller(emu);
  const stop: (() => Promise<unknown>)[] = [];
  const db = ENGINES.includes('postgres') ? await benchSchema('threatdesk_bench_q') : undefined;
  if (db) stop.push(db.drop);
  try {
    const desks: Desk[] = [];
    for (const engine of ENGINES) {
      if (engine === 'postgres' && !db) continue;
      const desk = await warmDesk(emu, engine as 'pglite' | 'postgres', db);
      stop.push(desk.app.stop);
      desks.push(desk);
    }
    const first = desks[0];
    if (!first) throw new Error('no engine to measure (BENCH_QUEUE_ENGINES)');

    // The ceiling renders the very incidents the warm page shows, read from the same API as the app reads them.
    const token = await graphToken(emu, 'riley@contoso.example');
    const rows = await Promise.all(
      rowIds(first.warm).map(async (id) => {
        const res = await graph.incident(token, id, '?$expand=alerts', { prefer: 'include-unknown-enum-members' });
        const incident = graphIncident(res.json);
        if (res.status !== 200 || !incident) throw new Error(`incident ${id}: ${res.status}`);
        return incident;
      }),
    );
    const rowsFile = path.join(tmp, 'rows.json');
    writeFileSync(rowsFile, JSON.stringify(rows satisfies Incident[]));
    const ceiling = await startCeiling(rowsFile);
    stop.push(ceiling.stop);

    const ceilingPage = await request(`${ceiling.url}/incidents`).then((r) => r.body.text());
    const pages = await Promise.all(desks.map((d) => request(`${d.app.url}/incidents`, { headers: { cookie: d.cookie, accept: 'text/html' } }).then((r) => r.body.text())));
    // Relative times ("5 min") may turn over between two renders: compared without them.
    const comparable = (html: string) => tableOf(html).replace(/>(now|\d+ (min|h|d))<\/time>/g, '></time>');
    const same = pages.every((p) => tableOf(p) !== '' && comparable(p) === comparable(ceilingPage));

    const ceil: Target = { name: 'ceiling: bare Express + EJS, the same 50-row table from memory', server: ceiling, headers: { accept: 'text/html' }, rounds: [] };
    const targets: Target[] = [
      ceil,
      ...desks.map((d) => ({ name: `ThreatDesk: signed-in GET /incidents, ${ENGINE_NAME[d.engine]}`, server: d.app, headers: { cookie: d.cookie, accept: 'text/html' }, backends: d.backends, rounds: [] })),
    ];
    // Warm-up (JIT, caches), not counted; then rounds in turn, the order rotated every round.
    for (const t of targets) await round(t, 3);
    for (let i = 0; i < ROUNDS; i++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(i + k) % targets.length] as Target;
        t.rounds.push(await round(t, ROUND_SECONDS));
      }
    }
    const c = summary(ceil);
    const runtime = first.app.runtime;

    console.log(`\nQueue page vs. its ceiling: ${ROUNDS} interleaved rounds of ${ROUND_SECONDS} s per server, ${CONNECTIONS} connections (autocannon), node ${process.version}, ${os.cpus().length} cores`);
    console.log(`ThreatDesk ${describeRuntime(runtime)}, NODE_ENV=production, LOG_LEVEL=warn, warm index (riley, 1,000 incidents in the tenant, no sync during the rounds;`);
    console.log('the same view every time, so after the first load it comes from the view cache: the index is read once per change of it); views compiled without `with` (src/web/viewLocals.ts);');
    console.log('ceiling through tsx, NODE_ENV=production, EJS defaults; view cache on in both. CPU is the server process\'s own (utime+stime from /proc); the load generator and the emulator run in the benchmark\'s process.');
    console.log(`Pages: ceiling ${Buffer.byteLength(ceilingPage)} B, ThreatDesk ${pages.map((p) => `${Buffer.byteLength(p)} B`).join(' / ')}; queue table byte-identical to the ceiling's: ${same ? 'yes' : 'NO'} (${rows.length} rows).`);
    if (!same) {
      const [a, b] = [comparable(ceilingPage), comparable(pages.find((p) => comparable(p) !== comparable(ceilingPage)) ?? '')];
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      console.log(`First difference at ${at}: ceiling …${a.slice(Math.max(0, at - 80), at + 80)}… ThreatDesk …${b.slice(Math.max(0, at - 80), at + 80)}…`);
    }
    console.log('| server | req/s | p50 ms | p99 ms | CPU ms/request (server process) | PostgreSQL backends CPU ms/request | non-2xx | req/s by round |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---|');
    const rowOf = (t: Target) => {
      const s = summary(t);
      console.log(`| ${t.name} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${s.cpuPerRequest.toFixed(2)} | ${s.dbCpuPerRequest === undefined ? '' : s.dbCpuPerRequest.toFixed(2)} | ${s.non2xx} | ${s.perRound.join(', ')} |`);
      return s;
    };
    rowOf(ceil);
    const verdicts: string[] = [];
    let missed = false;
    for (const t of targets.slice(1)) {
      const d = rowOf(t);
      const ratio = d.rps / c.rps;
      const engine = t.name.replace(/^ThreatDesk: signed-in GET \/incidents, /, '');
      verdicts.push(
        `ThreatDesk (${engine}) / ceiling: req/s ${(100 * ratio).toFixed(0)} % (target ≥ ${MIN_RATIO * 100} %: ${met(ratio >= MIN_RATIO)}); ` +
          `CPU ${d.cpuPerRequest.toFixed(2)} ms per queue page (target ≤ ${MAX_CPU_MS} ms: ${met(d.cpuPerRequest <= MAX_CPU_MS)}), ${(d.cpuPerRequest / c.cpuPerRequest).toFixed(1)}× the ceiling's; ` +
          `p50 ${(d.p50 / c.p50).toFixed(1)}×, p99 ${(d.p99 / c.p99).toFixed(1)}×.`,
      );
      missed ||= ratio < MIN_RATIO || d.cpuPerRequest > MAX_CPU_MS;
    }
    for (const v of verdicts) console.log(v);
    for (const d of desks) if (d.app.logs.length) console.log(`ThreatDesk (${d.engine}) wrote ${d.app.logs.length} warning/error log lines; the last: ${d.app.logs.at(-1)}`);

    if (PROFILE === '1' || (missed && PROFILE !== '0')) {
      for (const d of desks) await profileQueue(emu, d.engine as 'pglite' | 'postgres', tmp);
    }
  } finally {
    for (const s of stop.reverse()) await s();
    await graph.close();
    await emu.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A second ThreatDesk process under --cpu-prof, warmed the same way and loaded; prints its hot spots. */
async function profileQueue(emu: Emulator, engine: 'pglite' | 'postgres', tmp: string): Promise<void> {
  const dir = path.join(tmp, `profile-${engine}`);
  const loaded = { fromUs: 0, toUs: 0 };
  const db = engine === 'postgres' ? await benchSchema('threatdesk_bench_p') : undefined;
  const desk = await warmDesk(emu, engine, db, ['--cpu-prof', '--cpu-prof-dir', dir]).catch(async (err: unknown) => {
    await db?.drop();
    throw err;
  });
  try {
    const t: Target = { name: 'profiled', server: desk.app, headers: { cookie: desk.cookie, accept: 'text/html' }, rounds: [] };
    await round(t, 3);
    loaded.fromUs = monotonicUs();
    t.rounds.push(await round(t, 2 * ROUND_SECONDS));
    loaded.toUs = monotonicUs();
    const s = summary(t);
    console.log(`\nProfile of ThreatDesk, ${ENGINE_NAME[engine]}, under the same load (--cpu-prof slows it): ${Math.round(s.rps)} req/s, ${s.cpuPerRequest.toFixed(2)} ms CPU/request, ${t.rounds[0]?.requests} requests profiled.`);
  } finally {
    // The profile is written when the process exits (SIGTERM: a graceful shutdown).
    await desk.app.stop();
    await db?.drop();
  }
  printProfile(summariseProfiles(dir, loaded));
}

/** Seeds one engine with every analyst's incidents, their sync state saying "complete, just now". */
async function seed(index: IncidentIndex, analysts: { oid: string; upn: string }[]): Promise<number> {
  const started = performance.now();
  for (const [a, who] of analysts.entries()) {
    const rows = generate(a, SCALE_INCIDENTS);
    const mine = index.forAnalyst({ tenantId: CONTOSO_ID, oid: who.oid, username: who.upn });
    for (let i = 0; i < rows.length; i += 1_000) await mine.upsert(rows.slice(i, i + 1_000), '2026-11-01T00:00:00Z');
  }
  await index.analyze();
  const now = new Date().toISOString();
  for (const who of analysts) {
    await index.forAnalyst({ tenantId: CONTOSO_ID, oid: who.oid, username: who.upn }).saveSyncState({
      watermark: now,
      lastDeltaAt: now,
      lastReconcileAt: now,
      lastBackfillAt: now,
      backfillPhase: 'done',
      backfillDone: true,
      backfillCount: SCALE_INCIDENTS,
      lastSeenAt: now,
    });
  }
  return (performance.now() - started) / 1000;
}

interface ScaleCase {
  what: string;
  path: (run: number) => string;
}

const SCALE_CASES: ScaleCase[] = [
  { what: 'default view (open, newest update first), page 1', path: () => '/incidents' },
  { what: 'sorted by severity, searched: a user (entity)', path: (run) => `/incidents?sort=severity&q=${encodeURIComponent(`user${(run * 37) % 2_000}@contoso.example`)}` },
  { what: 'sorted by name (A→Z), searched: words of a name', path: () => `/incidents?sort=name&dir=asc&q=${encodeURIComponent('credential theft')}` },
  { what: 'sorted by severity, searched: a word of names, page 3', path: () => `/incidents?sort=severity&q=ransomware&page=3` },
  { what: 'sorted by created (oldest first), all statuses, page 5', path: () => '/incidents?sort=created&dir=asc&status=active&status=inProgress&status=awaitingAction&status=resolved&status=redirected&page=5' },
  // Every figure over the whole partition, for the period and the one before it (target: 200 ms).
  { what: 'metrics, last 90 days (every figure, with the previous period)', path: () => '/metrics?days=90' },
  { what: 'shift handover, last 72 hours', path: () => '/handover?hours=72' },
];

/** 2. The queue page end to end at 20 analysts × 10,000 incidents, on each engine. */
export async function benchQueueScale(): Promise<void> {
  console.log(`\nThe queue page at scale: ${SCALE_ANALYSTS} analysts × ${SCALE_INCIDENTS.toLocaleString('en')} incidents in ThreatDesk's own index, seeded through IncidentIndex before the app starts;`);
  console.log(`p50/p95 of ${SCALE_RUNS} sequential signed-in page loads per case, analysts in turn (end to end: HTTP, session, index queries, render), no view cached (INDEX_CACHE_ROWS=0).`);
  console.log('| engine | page | p50 ms | p95 ms | CPU ms/page (app process) | PostgreSQL backends CPU ms/page | matches (metrics: incidents covered) |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const engine of ENGINES) {
    if (engine !== 'pglite' && engine !== 'postgres') throw new Error(`BENCH_QUEUE_ENGINES: unknown engine ${engine}`);
    for (const line of await scaleOn(engine)) console.log(line);
  }
}

async function scaleOn(engine: 'pglite' | 'postgres'): Promise<string[]> {
  // The emulator signs the analysts in; their incidents are the seeded ones. Its own few incidents
  // are older than the seeded watermark, so the sync each sign-in starts finds nothing to add.
  const emu = await startEmulator({ incidents: 10 });
  const tmp = mkdtempSync(path.join(tmpdir(), 'threatdesk-bench-scale-'));
  let db: Awaited<ReturnType<typeof benchSchema>> = undefined;
  const browsers: TestBrowser[] = [];
  let app: Awaited<ReturnType<typeof startThreatDesk>> | undefined;
  try {
    const analysts: { oid: string; upn: string }[] = [];
    for (let i = 0; i < SCALE_ANALYSTS; i++) {
      const user = await emu.control.users.add({ upn: `queue${i}@contoso.example`, entraRoles: ['Security Reader'], defender: { role: 'analyst', deviceGroups: '*' } });
      analysts.push({ oid: user.oid, upn: user.upn });
    }
    let env: Record<string, string>;
    let index: IncidentIndex;
    const appName = `threatdesk-bench-${process.pid}-scale-${Date.now().toString(36)}`;
    if (engine === 'pglite') {
      const dataDir = path.join(tmp, 'data');
      index = await IncidentIndex.open({ dataDir });
      env = { DATA_DIR: dataDir };
    } else {
      db = await benchSchema('threatdesk_bench_s');
      if (!db) return [`| PostgreSQL | not measured: ${DATABASE_URL} unreachable | | | | | |`];
      index = await IncidentIndex.open({ databaseUrl: DATABASE_URL, schema: db.schema });
      env = { DATABASE_URL, DATABASE_SCHEMA: db.schema, PGAPPNAME: appName };
    }
    let fillSeconds: number;
    try {
      fillSeconds = await seed(index, analysts);
    } finally {
      await index.close();
    }
    // The reconcile would drop every seeded incident the emulator does not list: none runs here.
    // No view kept between loads (INDEX_CACHE_ROWS=0): each page is read from the engine, as a view
    // asked for the first time is.
    app = await startThreatDesk(emu, { ...env, SYNC_RECONCILE_S: '86400', SIGN_IN_RATE_LIMIT: '1000', INDEX_CACHE_ROWS: '0' });
    const cookies: string[] = [];
    for (const who of analysts) {
      const b = new TestBrowser(emu.caCertPem);
      browsers.push(b);
      const r = await signIn(b, app.url, who.upn, { returnTo: '/incidents' });
      if (r.final.status !== 200) throw new Error(`${who.upn} signed in to a ${r.final.status}`);
      cookies.push(await b.jar.getCookieString(app.url));
    }
    const name = engine === 'pglite' ? 'PGlite (DATA_DIR)' : 'PostgreSQL';
    const lines = [`| ${name} | (seeding ${SCALE_ANALYSTS}×${SCALE_INCIDENTS.toLocaleString('en')} took ${fillSeconds.toFixed(0)} s) | | | | | |`];
    const backends = async () => (db ? (await db.admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName])).rows.map((r) => r.pid) : []);
    const get = async (p: string, run: number) => {
      const res = await request(`${app?.url}${p}`, { headers: { cookie: cookies[run % cookies.length] as string, accept: 'text/html' } });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${p} answered ${res.statusCode}`);
      return body;
    };
    // Each analyst's first pages warm their part of the engine's caches (as their first minutes would).
    for (const c of SCALE_CASES) for (let run = 0; run < analysts.length; run++) await get(c.path(run), run);
    for (const c of SCALE_CASES) {
      const times: number[] = [];
      let matches = 0;
      const pids = await backends();
      const dbBefore = cpuOf(pids);
      const before = cpuMs(app.pid);
      for (let run = 0; run < SCALE_RUNS; run++) {
        const started = performance.now();
        const body = await get(c.path(run), run);
        times.push(performance.now() - started);
        matches += Number(/id="total"><strong>(\d+)</.exec(body)?.[1] ?? /over the (\d+) incidents your index holds/.exec(body)?.[1] ?? NaN);
      }
      const cpu = (cpuMs(app.pid) - before) / SCALE_RUNS;
      let dbCpu = 0;
      for (const [pid, ms] of cpuOf(pids)) dbCpu += ms - (dbBefore.get(pid) ?? ms);
      lines.push(`| ${name} | ${c.what} | ${median(times).toFixed(1)} | ${quantile(times, 0.95).toFixed(1)} | ${cpu.toFixed(1)} | ${db ? (dbCpu / SCALE_RUNS).toFixed(1) : ''} | ${Number.isNaN(matches) ? '—' : `~${Math.round(matches / SCALE_RUNS)}`} |`);
    }
    return lines;
  } finally {
    await app?.stop();
    for (const b of browsers) await b.close();
    await emu.close();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function benchQueue(): Promise<void> {
  await benchQueueCeiling();
  await benchQueueScale();
}

if (require.main === module) {
  benchQueue().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
