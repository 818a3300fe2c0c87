import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { load } from 'cheerio';
import { createClient } from 'redis';
import { Agent, request } from 'undici';
import type { User, Emulator } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, itemAt } from '@threatdesk/emulator/testing';
import { unindexedIncidentId } from '../helpers/indexSync';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startReplicas, stopReplicas, type AppProcess, type Replicas } from '../helpers/processes';

/**
 * Where shared token caches leak and refreshes race: many analysts at once across two replicas, and
 * one analyst's many parallel requests at the moment a token dies. Same set-up as
 * instances.test.ts (two `src/server.ts` processes with one BASE_URL, the test balancer's),
 * except that page requests go straight to the replica the test picks: the balancer would only add
 * CPU to this process, which also runs the emulator, on a two-core CI machine.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `threatdesk-test:concurrency:${randomBytes(6).toString('hex')}:`;
const USERS = 20;
const REQUESTS = 5_000;
const GROUPS = ['Servers', 'Workstations', 'Lab', 'Executives', 'Kiosks', 'DomainControllers', 'Finance', 'Developers', 'Ungrouped devices (default)'];
// A mix of queue views, so responses differ in size and in the Defender calls behind them.
const QUERIES = [
  '',
  '?status=Active&status=InProgress&status=Resolved&severity=High&severity=Medium&severity=Low&severity=Informational&window=6m',
  '?severity=High&severity=Medium&window=30d',
  '?status=Resolved&window=6m',
  '?window=7d&sort=severity',
];
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./;
/** Every 25th page is also parsed as a DOM, to prove the fast extraction below misses nothing. */
const DOM_CHECK_EVERY = 25;

let emu: Emulator;
let lb: Replicas['lb'];
let schema: string | undefined;
let a: AppProcess | undefined;
let b: AppProcess | undefined;
const raw = createClient({ url: REDIS_URL });
const browsers: TestBrowser[] = [];
// Load requests bypass TestBrowser, which keeps every response for leak scans: 5,000 pages would be hundreds of MB.
const http = new Agent({ connections: 64, pipelining: 1 });

interface Analyst {
  user: User;
  visible: Set<number>;
  cookie: string;
}

async function signedIn(upn: string): Promise<string> {
  const t = new TestBrowser(emu.caCertPem);
  browsers.push(t);
  const r = await signIn(t, lb.url, upn, { returnTo: '/incidents' });
  expect(r.final.status).toBe(200);
  return t.jar.getCookieString(lb.url);
}

async function get(path: string, cookie: string, backend: 'a' | 'b'): Promise<{ status: number; body: string; retryAfter?: string }> {
  const base = (backend === 'a' ? a : b)?.url as string;
  const res = await request(`${base}${path}`, { headers: { cookie, accept: 'text/html' }, dispatcher: http });
  const retryAfter = res.headers['retry-after'];
  return { status: res.statusCode, body: await res.body.text(), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
}

/** The queue rows and the header's name, as a DOM sees them. */
function domView(body: string): { ids: number[]; user: string } {
  const $ = load(body);
  return {
    ids: $('#incidents tbody tr').map((_, el) => Number($(el).attr('data-incident-id'))).get(),
    user: $('.user').text().trim(),
  };
}

/**
 * The same, far cheaper: every incident id anywhere in the page (a superset of the rows, so
 * stricter) and the header's name. Parsing 5,000 pages as DOMs would make this process the bottleneck.
 */
function fastView(body: string): { ids: number[]; user: string } {
  return {
    ids: [...body.matchAll(/data-incident-id="(\d+)"/g)].map((m) => Number(m[1])),
    user: (/class="user"[^>]*>([^<]*)</.exec(body)?.[1] ?? '').trim(),
  };
}

beforeAll(async () => {
  await raw.connect();
  // 100 incidents rather than 300: smaller API pages keep the in-process emulator from dominating the run.
  // Logs at info (redisAppEnv), so the check below for invalid_grant would see msal's "token acquisition failed" lines.
  // Deadlines from configuration: a loaded CI machine may answer Redis slower than a production one.
  ({ emu, lb, a, b, schema } = await startReplicas({ incidents: 100, quotas: { list: 1_000_000, get: 1_000_000, update: 1_000_000, graph: 1_000_000 } }, { url: REDIS_URL, keyPrefix: PREFIX }, { REDIS_COMMAND_TIMEOUT_MS: '2000', LOCK_WAIT_MS: '20000' }));
}, 45_000);

afterAll(async () => {
  try {
    if (a && b) await assertNoSecretsLeaked({ url: lb.url, logs: [...a.logs, ...b.logs] }, emu);
  } finally {
    await cleanUp();
  }
});

async function cleanUp(): Promise<void> {
  await Promise.all(browsers.map((t) => t.close()));
  await http.destroy();
  await stopReplicas({ emu, lb, a, b, schema }, raw, PREFIX);
}

describe('isolation under load, across two instances', () => {
  it(`${USERS} analysts with different device groups make ${REQUESTS} interleaved requests; each sees only their own`, async () => {
    // Distinct device-group sets, kept only if they make a distinct set of visible incidents,
    // so a response served with another analyst's token could not pass by coincidence.
    const analysts: Analyst[] = [];
    const seenSets = new Set<string>();
    const candidates = [...GROUPS.map((g) => [g]), ...GROUPS.flatMap((g, i) => GROUPS.slice(i + 1).map((h) => [g, h]))];
    for (const groups of candidates) {
      if (analysts.length === USERS) break;
      const n = String(analysts.length + 1).padStart(2, '0');
      const user = await emu.control.users.add({ upn: `load${n}@contoso.example`, name: `Load Analyst ${n}`, defender: { role: 'analyst', deviceGroups: groups, canUpdate: false }, entraRoles: ['Security Reader'] });
      const visible = new Set(await emu.control.incidents.visibleIds(user.upn));
      const signature = [...visible].sort((x, y) => x - y).join(',');
      if (!visible.size || seenSets.has(signature)) {
        const parked = await emu.control.users.update(user.upn, { defender: { role: 'none', deviceGroups: [], canUpdate: false } });
        expect(parked.defender.role).toBe('none');
        continue;
      }
      seenSets.add(signature);
      analysts.push({ user, visible, cookie: '' });
    }
    expect(analysts).toHaveLength(USERS);
    for (const batch of [analysts.slice(0, 10), analysts.slice(10)]) {
      await Promise.all(batch.map(async (x) => (x.cookie = await signedIn(x.user.upn))));
    }

    const perUser = REQUESTS / USERS;
    const failures: string[] = [];
    // Overload may answer "try again" (503 with Retry-After): an analyst notices that, but it is
    // honest. What must never happen is another analyst's data, a wrong name, a token, or a 5xx
    // without a retry time.
    let overloaded = 0;
    const served = { a: 0, b: 0 };
    let domChecked = 0;
    const seen = analysts.map(() => new Set<number>());
    let done = 0;
    await Promise.all(
      analysts.map(async (x, u) => {
        for (let i = 0; i < perUser; i++) {
          // Alternate replicas per request, offset per analyst, so both serve every analyst all the time.
          const backend = (i + u) % 2 ? 'b' : 'a';
          const res = await get(`/incidents${QUERIES[(i + u) % QUERIES.length]}`, x.cookie, backend);
          done++;
          served[backend]++;
          if (res.status === 503 && Number(res.retryAfter) > 0) {
            overloaded++;
            continue;
          }
          if (res.status !== 200) {
            failures.push(`${x.user.upn} #${i} via ${backend}: HTTP ${res.status}`);
            continue;
          }
          const page = fastView(res.body);
          if (done % DOM_CHECK_EVERY === 0) {
            domChecked++;
            const dom = domView(res.body);
            if (dom.user !== page.user || dom.ids.some((id) => !page.ids.includes(id))) {
              failures.push(`${x.user.upn} #${i}: fast extraction disagrees with the DOM`);
            }
          }
          if (page.user !== x.user.name) failures.push(`${x.user.upn} #${i} via ${backend}: header shows “${page.user}”`);
          for (const id of page.ids) {
            if (!x.visible.has(id)) failures.push(`${x.user.upn} #${i} via ${backend}: incident ${id} is not theirs`);
            itemAt(seen, u, 'seen ids per analyst').add(id);
          }
          if (JWT.test(res.body)) failures.push(`${x.user.upn} #${i} via ${backend}: a JWT in the page`);
        }
      }),
    );

    expect(failures.slice(0, 20)).toEqual([]);
    expect(failures).toHaveLength(0);
    // "Try again" stays rare: at most 1 % of pages.
    expect(overloaded).toBeLessThanOrEqual(REQUESTS / 100);
    expect(domChecked).toBeGreaterThanOrEqual(REQUESTS / DOM_CHECK_EVERY - overloaded);
    expect(done).toBe(REQUESTS);
    expect(served.a).toBe(REQUESTS / 2);
    expect(served.b).toBe(REQUESTS / 2);
    // Every analyst actually saw incidents, and the pages differed between analysts.
    for (const s of seen) expect(s.size).toBeGreaterThan(0);
    expect(new Set(seen.map((s) => [...s].sort((x, y) => x - y).join(','))).size).toBe(USERS);
  }, 150_000); // about 30 s on an idle two-core machine; room for a busy CI runner
});

/** Waits until the emulator has had no API request for a second (background syncs are bounded runs). */
async function untilQuiet(): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const mark = await emu.control.stats.mark();
    await sleep(1_000);
    if ((await emu.control.stats.requests(mark)).length === 0) return;
  }
  throw new Error('the emulator kept receiving API requests for a minute');
}

describe('concurrent refresh across instances', () => {
  // The queue reads the index; the page of an incident it does not hold yet calls the API, which
  // rejects the revoked token, so each of these requests needs a new one.
  it('50 parallel requests of one session right after the token is revoked cause one refresh grant', async () => {
    const cookie = await signedIn('alex@contoso.example');
    const refreshGrants = async () => (await emu.control.stats.grants()).refresh_token;
    // The app works before, with the token from sign-in.
    expect((await get('/me/token', cookie, 'a')).status).toBe(200);
    const page = `/incidents/${await unindexedIncidentId(emu)}`;

    // The grants are counted for the whole emulator: the load test's analysts' syncs (each a bounded
    // run) must have finished first, or their own refreshes after the revocation would be counted too.
    await untilQuiet();
    const before = await refreshGrants();
    await emu.control.tokens.expireAll();
    const logsFrom = { a: a?.logs.length ?? 0, b: b?.logs.length ?? 0 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => get(page, cookie, i % 2 ? 'b' : 'a')));

    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    for (const r of results) expect(domView(r.body).user).toBe('Alex Wilber');
    expect(await refreshGrants()).toBe(before + 1);
    const newLogs = [...(a?.logs.slice(logsFrom.a) ?? []), ...(b?.logs.slice(logsFrom.b) ?? [])].join('\n');
    expect(newLogs).not.toContain('invalid_grant');
    // And the next request still works without another refresh: nothing overwrote the new tokens.
    expect((await get('/me/token', cookie, 'b')).status).toBe(200);
    expect((await get(page, cookie, 'a')).status).toBe(200);
    expect(await refreshGrants()).toBe(before + 1);
  });
});
