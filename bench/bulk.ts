import { setTimeout as sleep } from 'node:timers/promises';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { signIn } from '../test/helpers/appSignIn';
import { syncNow } from '../test/helpers/indexSync';
import { startStack } from '../test/helpers/stack';

/**
 * A bulk job at the default budget: one analyst changes N incidents (status and a tag) while the
 * same analyst keeps opening incidents their index does not hold (each page calls Microsoft at the
 * analyst's own priority). ThreatDesk runs at its defaults (QUOTA_GRAPH_PER_MIN=120, one analyst
 * at most half of it) against the emulator at Microsoft's (150 calls/min per app and tenant).
 * Prints how long the job took, the upstream calls per minute, 429s, and how the analyst's pages
 * fared meanwhile. `npx tsx -e "require('./bench/bulk').benchBulk()"`; BENCH_BULK_INCIDENTS (60).
 */
const INCIDENTS = Number(process.env.BENCH_BULK_INCIDENTS ?? 60);
const PAGE_EVERY_MS = 5_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : NaN;
};

export async function benchBulk(): Promise<void> {
  const stack = await startStack({}, { LOG_LEVEL: 'silent', QUOTA_GRAPH_PER_MIN: '120', QUOTA_ANALYST_SHARE: '0.5' }, { index: 'pglite' });
  const riley = new TestBrowser(stack.emu.caCertPem);
  try {
    const tag = `bench-bulk-${Date.now()}`;
    for (let i = 0; i < INCIDENTS; i++) await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: `Bench ${i}`, severity: 'Low', tags: [tag], alerts: [{ title: 'x', deviceGroup: 'Workstations' }] });
    await signIn(riley, stack.app.url, 'riley@contoso.example');
    await stack.app.services.sync.idle();
    await syncNow(stack.app, riley);
    // Quiet first: the budget full, as at the start of a shift.
    await sleep(20_000);
    await stack.emu.control.stats.clearRequests();
    const form = await riley.get(`${stack.app.url}/bulk?all=1&view=${encodeURIComponent(`tag=${tag}`)}`);
    const started = Date.now();
    const post = await riley.submit(form, '#start-job', { status: 'inProgress', addTags: 'bench' });
    const jobUrl = new URL(post.location ?? '', stack.app.url).toString();
    const pages: { ms: number; status: number }[] = [];
    let state = '';
    let nextPage = Date.now();
    while (!/^(Finished|Paused|Cancelled)/.test(state)) {
      if (Date.now() >= nextPage) {
        nextPage += PAGE_EVERY_MS;
        const added = await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: 'Opened while the job runs', severity: 'High', alerts: [{ title: 'y', deviceGroup: 'Workstations' }] });
        const t0 = Date.now();
        const page = await riley.get(`${stack.app.url}/incidents/${added.incidentId}`);
        pages.push({ ms: Date.now() - t0, status: page.status });
      }
      const progress = await riley.get(jobUrl);
      state = progress.$('#job-state').text();
      if (process.env.BENCH_VERBOSE) console.log(((Date.now() - started) / 1000).toFixed(0), state, progress.$('#job-note').text());
      await sleep(250);
    }
    const seconds = (Date.now() - started) / 1000;
    const job = await riley.get(jobUrl);
    const requests = await stack.emu.control.stats.requests();
    const throttled = requests.filter((r) => r.status === 429).length;
    const ok = pages.filter((p) => p.status === 200);
    console.log(`\nBulk job at the default budget (120 calls/min, half for one analyst; emulator at 150/min): ${INCIDENTS} incidents, node ${process.version}`);
    console.log('| figure | value |');
    console.log('|---|---:|');
    console.log(`| job | ${state.split(':')[0]} in ${seconds.toFixed(0)} s (${((INCIDENTS / seconds) * 60).toFixed(0)} incidents/min) |`);
    console.log(`| outcomes | ${job.$('#job-counts li').map((_, li) => job.$(li).text().trim()).get().join(', ')} |`);
    console.log(`| upstream calls | ${requests.length} (${requests.filter((r) => r.method === 'PATCH').length} updates), ${((requests.length / seconds) * 60).toFixed(0)} per minute on average |`);
    console.log(`| upstream 429s | ${throttled} |`);
    console.log(`| the analyst's incident pages meanwhile | ${ok.length} of ${pages.length} answered 200; p50 ${pct(ok.map((p) => p.ms), 50)} ms, p95 ${pct(ok.map((p) => p.ms), 95)} ms; other statuses: ${pages.filter((p) => p.status !== 200).map((p) => p.status).join(', ') || 'none'} |`);
    console.log(`| pacing | ${job.$('#job-pacing').text().trim()} |`);
  } finally {
    await riley.close();
    await stack.close();
  }
}
