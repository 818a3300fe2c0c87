import { CONTOSO_ID } from '@threatdesk/emulator';
import type { Incident } from '@threatdesk/emulator';
import type { Browser } from 'playwright-core';
import { signInOn } from '../helpers/browserStack';
import { accessibilityViolations, launchChromium, watchProblems } from '../helpers/chromium';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;
const INCIDENTS = 200;
const TAG = `close-me-${Date.now()}`;
const ids: number[] = [];

beforeAll(async () => {
  // A small budget for the tenant (1,200 calls a minute, a quarter of it at once), all of it open
  // to one analyst: 200 changes cannot go out at once and must be paced.
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, { QUOTA_GRAPH_PER_MIN: '1200', QUOTA_ANALYST_SHARE: '1' }, { index: 'pglite' });
  for (let i = 0; i < INCIDENTS; i++) {
    const added = await stack.emu.control.incidents.add(CONTOSO_ID, { incidentName: `Benign scanner ${i}`, severity: 'Informational', tags: [TAG], alerts: [{ title: 'Port scan', deviceGroup: 'Workstations' }] });
    ids.push(added.incidentId);
  }
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test(`an analyst closes ${INCIDENTS} incidents in one job, paced by the budget through Microsoft's 429s, and every row is accounted for`, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signInOn(page, stack.app.url, 'riley@contoso.example');
  // The first fill reads the open incidents (these 200 among them) through the same small budget.
  let total: string | null = null;
  for (const deadline = Date.now() + 60_000; total !== String(INCIDENTS) && Date.now() < deadline; await page.waitForTimeout(1_000)) {
    await page.goto(`${stack.app.url}/incidents?tag=${TAG}&severity=informational&size=25`);
    total = await page.locator('#total strong').textContent();
  }
  expect(total).toBe(String(INCIDENTS));

  // x ticks the row in focus (j moves to it); "all matching" takes the whole view instead.
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  expect(await page.locator('#incidents tbody tr').first().locator('input[name="ids"]').isChecked()).toBe(true);
  await page.locator('#select-all-matching').check();
  await page.locator('#change-selected').click();
  await page.waitForURL(/\/bulk\?/);
  expect(await page.locator('h1').textContent()).toBe(`Change ${INCIDENTS} incidents`);
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.locator('#bulk-status').selectOption('resolved');
  await page.locator('#bulk-verdict').selectOption('informationalExpectedActivity:securityTesting');
  await page.locator('#bulk-add-tags').fill('closed-in-bulk');
  await page.locator('#bulk-comment').fill('Authorised scanner: closed in bulk.');
  // Microsoft answers "too many requests" twice along the way.
  await stack.emu.control.faults.add([{ endpoint: 'incidents.update', kind: '429', retryAfter: 2, count: 1 }]);
  await page.locator('#start-job').click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  const jobUrl = page.url();
  // Other analysts' pages spend the tenant's budget for the job's first seconds: it must wait for it
  // (how fast the job would otherwise go depends on the machine).
  const { governor } = stack.app.services;
  const tenantId = (await stack.emu.control.users.get('riley@contoso.example'))?.tenantId as string;
  for (const until = Date.now() + 3_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    while ((await governor.take({ tenantId, backend: 'graph', kind: 'write', priority: 'interactive', analyst: 'someone-else' })).ok);
  }
  await stack.emu.control.faults.add([{ endpoint: 'incidents.comment', kind: '429', retryAfter: 1, count: 1 }]);

  // The page follows the job by itself; a reload finds it where it is.
  await page.waitForFunction(() => /^Running.*: ([1-9]\d*) of/.test(document.getElementById('job-state')?.textContent ?? ''), undefined, { timeout: 60_000 });
  await page.reload();
  expect(await page.locator('#job-state').textContent()).toMatch(/^(Running|Finished)/);
  expect(await accessibilityViolations(page)).toEqual([]);
  // The analyst's pages stay quick while it runs: the queue reads the index, not Microsoft.
  const queue = await context.newPage();
  const response = await queue.goto(`${stack.app.url}/incidents`);
  expect(response?.status()).toBe(200);
  await queue.close();

  await page.waitForFunction((n) => (document.getElementById('job-state')?.textContent ?? '').startsWith(`Finished: ${n} of ${n}`), INCIDENTS, { timeout: 120_000 });
  expect(page.url()).toBe(jobUrl);
  const pacing = (await page.locator('#job-pacing').textContent()) ?? '';
  expect(pacing).toMatch(/Microsoft answered “too many requests” 2 times/);
  expect(Number(/budget (\d+) time/.exec(pacing)?.[1])).toBeGreaterThan(0);
  expect(await page.locator('#job-counts [data-state="done"]').textContent()).toBe(`Changed ${INCIDENTS}`);
  const rows = await page.locator('#job-rows tbody tr').evaluateAll((trs) => trs.map((tr) => ({ state: tr.getAttribute('data-state'), details: tr.lastElementChild?.textContent ?? '' })));
  expect(rows).toHaveLength(INCIDENTS);
  expect(rows.filter((r) => r.state === 'done' && r.details === `Status set to Resolved; classified as Informational, expected activity — Security testing; tags set to ${TAG}, closed-in-bulk; comment added.`)).toHaveLength(INCIDENTS);

  for (const id of ids) {
    const i = (await stack.emu.control.incidents.get(CONTOSO_ID, id)) as Incident;
    expect([i.status, i.classification, i.determination, i.comments.length]).toEqual(['Resolved', 'InformationalExpectedActivity', 'SecurityTesting', 1]);
    expect(i.tags).toEqual([TAG, 'closed-in-bulk']);
  }
  expect(problems).toEqual([]);
  await context.close();
}, 240_000);
