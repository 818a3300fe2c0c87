import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRedirectUris, startEmulator, type Emulator } from '@threatdesk/emulator';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser, type Page, itemAt } from '@threatdesk/emulator/testing';
import { freePort, redisAppEnv, startAppProcess, startRedisServer, type AppProcess, type RedisServer } from '../helpers/processes';

/**
 * Redis going away under a running instance, on a `redis-server` this file starts on its own port
 * (the shared one at 6379 is never touched). The instance is a separate process, so "the process
 * survives" is observed from outside, as an orchestrator would.
 *
 * Two kinds of outage: a crash (SIGKILL; the restarted Redis keeps nothing, so sessions are gone
 * and the analyst is sent to sign in: the store's data loss, not the app's), and a freeze (SIGSTOP:
 * connections stay open but nothing answers, the case node-redis alone would hang on; Redis keeps
 * its data, so the analyst carries on with the same session afterwards).
 */

const FAST_MS = 1_000;

let emu: Emulator;
let redis: RedisServer;
let app: AppProcess | undefined;
let late: AppProcess | undefined;
let lateRedis: RedisServer | undefined;
let base: string;
const browsers: TestBrowser[] = [];
const figures: string[] = [];

function browser(): TestBrowser {
  const t = new TestBrowser(emu.caCertPem);
  browsers.push(t);
  return t;
}

/** Fails with a clear message, rather than the test's timeout, when a request hangs. */
async function timed(t: TestBrowser, url: string): Promise<{ page: Page; ms: number }> {
  const started = performance.now();
  const hang = sleep(5_000, undefined, { ref: false }).then(() => {
    throw new Error(`${url} did not answer within 5 s: the request hangs`);
  });
  const page = await Promise.race([t.get(url, { accept: 'text/html' }), hang]);
  return { page, ms: performance.now() - started };
}

function expectStoreUnavailable({ page, ms }: { page: Page; ms: number }): void {
  expect(page.status).toBe(503);
  expect(page.headers.get('retry-after')).toBe('5');
  expect(page.$('h1').text()).toBe('Session store unavailable');
  expect(ms).toBeLessThan(FAST_MS);
}

/** Polls until `url` answers `status`; returns how long that took. */
async function until(t: TestBrowser, url: string, status: number, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const page = await t.get(url, { accept: 'text/html' });
    if (page.status === status) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${url} still ${page.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

beforeAll(async () => {
  emu = await startEmulator();
  redis = await startRedisServer();
  const port = await freePort();
  base = `http://localhost:${port}`;
  await emu.control.app.addRedirectUris(defaultRedirectUris(base));
  app = await startAppProcess('outage', { ...(await redisAppEnv(emu, { baseUrl: base, redisUrl: redis.url, keyPrefix: 'threatdesk-test:outage:' })), PORT: String(port) });
}, 30_000);

afterAll(async () => {
  if (figures.length) console.log(`redis outage: ${figures.join('; ')}`);
  await Promise.all([app?.stop(), late?.stop()]);
  await Promise.all(browsers.map((t) => t.close()));
  await Promise.all([redis?.close(), lateRedis?.close()]);
  await emu?.close();
});

describe('Redis crashes and comes back', () => {
  it('answers 503 "Session store unavailable" fast, fails readiness, stays alive, and recovers without a restart', async () => {
    const alex = browser();
    expect((await signIn(alex, base, 'alex@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    const pid = app?.child.pid;

    await redis.kill();
    const visitor = browser();
    const latencies: number[] = [];
    // A second and more of outage: the first requests race the disconnect, later ones meet reconnect attempts.
    for (let i = 0; i < 8; i++) {
      const page = await timed(alex, `${base}/incidents`);
      expectStoreUnavailable(page);
      latencies.push(page.ms);
      // Someone starting to sign in needs the store too, and is told so instead of waiting.
      const start = await timed(visitor, `${base}/auth/signin`);
      expectStoreUnavailable(start);
      latencies.push(start.ms);
      await sleep(150);
    }
    expect((await alex.get(`${base}/readyz`)).status).toBe(503);
    expect((await alex.get(`${base}/healthz`)).status).toBe(200);
    expect(app?.alive()).toBe(true);
    figures.push(`crash: ${latencies.length} requests answered 503 in at most ${Math.max(...latencies).toFixed(0)} ms`);

    const restarted = performance.now();
    await redis.start();
    const readyAfter = await until(alex, `${base}/readyz`, 200);
    figures.push(`ready ${readyAfter.toFixed(0)} ms after Redis restarted (${(performance.now() - restarted).toFixed(0)} ms including its start)`);

    // The restarted Redis is empty: the session is unknown, which means sign in (not an error page).
    const after = await alex.get(`${base}/incidents`, { accept: 'text/html' });
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${base}/auth/signin?returnTo=%2Fincidents`);
    const again = await signIn(alex, base, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(again.final.status).toBe(200);
    expect(again.final.$('#incidents tbody tr').length).toBeGreaterThan(0);
    // Same process throughout, and the errors it survived were reported, not thrown.
    expect(app?.alive()).toBe(true);
    expect(app?.child.pid).toBe(pid);
    expect(app?.logs.some((l) => l.includes('"msg":"redis error"'))).toBe(true);
  });
});

describe('Redis freezes (accepts connections, answers nothing) and thaws', () => {
  it('answers 503 within a second instead of hanging, and keeps the session once Redis answers again', async () => {
    const alex = itemAt(browsers, 0, 'browsers');
    expect((await alex.get(`${base}/incidents`)).status).toBe(200);

    redis.pause();
    try {
      const latencies: number[] = [];
      // Longer than the 3 s idle limit after which the store drops the dead connection and redials.
      const until4s = performance.now() + 4_000;
      while (performance.now() < until4s) {
        const page = await timed(alex, `${base}/incidents`);
        expectStoreUnavailable(page);
        latencies.push(page.ms);
        const ready = await timed(alex, `${base}/readyz`);
        expect(ready.page.status).toBe(503);
        expect(ready.ms).toBeLessThan(FAST_MS);
        expect((await alex.get(`${base}/healthz`)).status).toBe(200);
        await sleep(100);
      }
      figures.push(`freeze: ${latencies.length} requests answered 503 in at most ${Math.max(...latencies).toFixed(0)} ms (first ${itemAt(latencies, 0, 'latencies').toFixed(0)} ms)`);
    } finally {
      redis.resume();
    }

    // Redis kept its data, so the same session works again: nobody was signed out by the outage.
    const back = await until(alex, `${base}/incidents`, 200);
    figures.push(`pages work ${back.toFixed(0)} ms after Redis thawed`);
    const page = await alex.get(`${base}/incidents`);
    expect(page.$('.user').text()).toContain('Alex Wilber');
    expect(app?.alive()).toBe(true);
  });
});

describe('Redis down when an instance starts', () => {
  it('starts anyway: alive, not ready, 503 pages; ready once Redis appears', async () => {
    const port = await freePort();
    const lateBase = `http://localhost:${port}`;
    const redisPort = await freePort();
    late = await startAppProcess(
      'late',
      {
        ...(await redisAppEnv(emu, { baseUrl: lateBase, redisUrl: `redis://127.0.0.1:${redisPort}`, keyPrefix: `threatdesk-test:late:${randomBytes(4).toString('hex')}:` })),
        PORT: String(port),
      },
      { readyPath: '/healthz' },
    );
    const t = browser();
    expect((await t.get(`${lateBase}/readyz`)).status).toBe(503);
    expectStoreUnavailable(await timed(t, `${lateBase}/auth/signin`));

    lateRedis = await startRedisServer({ port: redisPort });
    await until(t, `${lateBase}/readyz`, 200);
    await emu.control.app.addRedirectUris(defaultRedirectUris(lateBase));
    expect((await signIn(t, lateBase, 'sam@contoso.example', { returnTo: '/incidents' })).final.status).toBe(200);
    expect(late.alive()).toBe(true);
  });
});
