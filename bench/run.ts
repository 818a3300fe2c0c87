import autocannon from 'autocannon';
import { benchBulk } from './bulk';
import { benchEmulatorScale } from './emulator';
import { benchIndex } from './index';
import { benchQueue } from './queue';
import { benchQuota } from './quota';
import { benchTokens } from './tokens';
import { signIn } from '../test/helpers/appSignIn';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { startStack } from '../test/helpers/stack';

/**
 * `npm run bench`: throughput and latency of the main pages against the local emulator, printed as a
 * table. Figures, not pass/fail: the load generator, app and emulator share this machine's cores.
 * SESSION_STORE=redis (with REDIS_URL) measures the shared store instead of the embedded one.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function benchPages(): Promise<void> {
  const redis = process.env.SESSION_STORE === 'redis';
  const stack = await startStack(
    { quotas: { list: 1e9, get: 1e9, update: 1e9, graph: 1e9 } },
    {
      LOG_LEVEL: 'silent',
      ...(redis
        ? { SESSION_STORE: 'redis', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', TOKEN_CACHE_KEYS: Buffer.alloc(32, 7).toString('base64') }
        : {}),
    },
  );
  const browser = new TestBrowser(stack.emu.caCertPem);
  try {
    await signIn(browser, stack.app.url, 'riley@contoso.example');
    // The first fill (open incidents) starts at sign-in: the pages below read the index it filled.
    await stack.app.services.sync.idle();
    const cookie = await browser.jar.getCookieString(stack.app.url);
    const id = (await stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status !== 'Redirected')?.incidentId;
    const cases: { name: string; path: string; signedIn: boolean; lang?: string }[] = [
      { name: 'GET /healthz (no session)', path: '/healthz', signedIn: false },
      { name: 'GET / (visitor landing page)', path: '/', signedIn: false },
      { name: 'GET /me/token (session + msal cache hit)', path: '/me/token', signedIn: true },
      // From the index: the API is read again only when the stored copy is older than the sync interval.
      { name: 'GET /incidents/:id (from the index)', path: `/incidents/${id}`, signedIn: true },
      // No API call: the analyst's index (bench/queue.ts measures it against its ceiling, and at scale).
      { name: 'GET /incidents (from the index, 50 rows)', path: '/incidents', signedIn: true },
      // The same page in French, side by side: what the catalogues and Intl cost a page.
      { name: 'GET /incidents in French (Accept-Language: fr)', path: '/incidents', signedIn: true, lang: 'fr' },
    ];
    console.log(`ThreatDesk benchmark: ${CONNECTIONS} connections, ${DURATION} s each, store=${redis ? 'redis' : 'memory'}, node ${process.version}`);
    console.log('| page | req/s | p50 ms | p99 ms | non-2xx |');
    console.log('|---|---:|---:|---:|---:|');
    for (const c of cases) {
      const result = await autocannon({
        url: `${stack.app.url}${c.path}`,
        connections: CONNECTIONS,
        duration: DURATION,
        headers: { accept: 'text/html', ...(c.signedIn ? { cookie } : {}), ...(c.lang ? { 'accept-language': c.lang } : {}) },
      });
      const non2xx = result.non2xx + result.errors;
      console.log(`| ${c.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${non2xx} |`);
    }
    console.log(`Refresh grants during the run: ${(await stack.emu.control.stats.grants()).refresh_token} (tokens came from the per-account cache).`);
  } finally {
    await browser.close();
    await stack.close();
  }
}

async function main(): Promise<void> {
  await benchPages();
  await benchQueue();
  await benchQuota();
  await benchBulk();
  await benchTokens();
  await benchEmulatorScale();
  await benchIndex();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
