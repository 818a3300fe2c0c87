import { readFileSync } from 'node:fs';
import { CONTOSO_ID } from '@threatdesk/emulator';
import type { BrowserContext, Page } from 'playwright-core';
import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

async function signedIn(upn = 'riley@contoso.example'): Promise<BrowserContext> {
  const context = await t.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signInOn(page, t.stack.app.url, upn);
  await page.close();
  return context;
}

/** Does `act` (a form post, a link) and waits for the page it leads to to load; the status of that page. */
async function loads(page: Page, act: () => Promise<unknown>): Promise<number | undefined> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  const response = page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame());
  await act();
  const [res] = await Promise.all([response, navigated]);
  await page.waitForLoadState('load');
  return res.status();
}

/** The text of one column of the results table, row by row, as shown. */
const column = (page: Page, index: number) => page.locator(`#hunt-results tbody tr td:nth-child(${index + 1})`).allTextContents();

/** A recent (hunting keeps 30 days) incident of riley's with a device. */
async function recentIncidentWithDevice(): Promise<number> {
  const visible = new Set(await t.stack.emu.control.incidents.visibleIds('riley@contoso.example'));
  const found = (await t.stack.emu.control.incidents.list(CONTOSO_ID)).find(
    (i) => i.status !== 'Redirected' && visible.has(i.incidentId) && i.deviceGroups.length > 0 && Date.now() - Date.parse(i.createdTime) < 20 * 86_400_000,
  );
  expect(found).toBeDefined();
  return (found as { incidentId: number }).incidentId;
}

interface Shown {
  text: string;
  /** Where the Cancel button is, while it shows. */
  cancel?: { x: number; y: number; width: number; height: number };
}

/**
 * What #hunt-progress says, each time it changes. While the query's form post is under way the
 * browser answers no DevTools command on the page (it holds them until the next page commits, or
 * the navigation stops), so the page reports its progress line itself, with where Cancel is.
 */
async function watchProgress(page: Page): Promise<{ until: (text: RegExp) => Promise<Shown> }> {
  const shown: Shown[] = [];
  const waiting: Array<() => void> = [];
  await page.exposeBinding('threatdeskTestProgress', (_source, s: Shown) => {
    shown.push(s);
    waiting.splice(0).forEach((wake) => wake());
  });
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const progress = document.getElementById('hunt-progress');
      const cancel = document.getElementById('hunt-cancel');
      if (!progress || !cancel) return;
      const report = (window as unknown as { threatdeskTestProgress: (s: Shown) => void }).threatdeskTestProgress;
      new MutationObserver(() => {
        const r = cancel.getBoundingClientRect();
        report({ text: progress.textContent ?? '', cancel: cancel.hidden ? undefined : { x: r.x, y: r.y, width: r.width, height: r.height } });
      }).observe(progress, { childList: true, characterData: true, subtree: true });
    });
  });
  return {
    async until(text) {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        // The latest such line: Cancel moves as the seconds count up.
        const found = shown.findLast((s) => text.test(s.text));
        if (found) return found;
        await Promise.race([new Promise<void>((wake) => waiting.push(wake)), new Promise((r) => setTimeout(r, 250))]);
      }
      throw new Error(`#hunt-progress never said ${text}; it said ${JSON.stringify(shown.map((s) => s.text))}`);
    },
  };
}

afterEach(() => t.stack.emu.control.faults.clear());

describe('advanced hunting, in a real browser', () => {
  it('from an incident’s device, the analyst opens its processes, runs them, then edits the query and runs it with Ctrl+Enter', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      const id = await recentIncidentWithDevice();
      await page.goto(`${t.stack.app.url}/incidents/${id}`);
      const item = page.locator('h3[data-evidence-type="device"] + ul.entities > li').filter({ has: page.locator('a.hunt', { hasText: 'Hunt: Processes on a device' }) }).first();
      const device = ((await item.locator('strong').first().textContent()) ?? '').trim();
      expect(device).not.toBe('');
      await loads(page, () => item.locator('a.hunt', { hasText: 'Hunt: Processes on a device' }).first().click());
      expect(new URL(page.url()).pathname).toBe('/hunting');
      expect(await page.title()).toBe('Advanced hunting · ThreatDesk');
      expect(await page.locator('#query').inputValue()).toBe(
        `DeviceProcessEvents\n| where DeviceName =~ "${device}"\n| project Timestamp, DeviceName, ActionType, FileName, ProcessCommandLine, AccountName, SHA256\n| order by Timestamp asc`,
      );
      expect(await page.locator('#range').inputValue()).toBe('custom');
      expect(await page.locator('#gutter li').allTextContents()).toEqual(['1', '2', '3', '4']);

      expect(await loads(page, () => page.getByRole('button', { name: 'Run query' }).click())).toBe(200);
      const names = await column(page, 1);
      expect(names.length).toBeGreaterThan(0);
      expect(names.map((n) => n.toLowerCase())).toEqual(names.map(() => device.toLowerCase()));
      expect((await page.locator('#hunt-results thead th').nth(1).textContent())?.replace(/\s+/g, ' ').trim()).toBe('DeviceName (text)');
      expect(await page.locator('#hunt-summary').textContent()).toMatch(new RegExp(`^${names.length} rows? in \\d+\\.\\d s`));

      // One more line: the gutter numbers it as it is typed; Ctrl+Enter runs it.
      await page.locator('#query').press('Control+End');
      await page.keyboard.type('\n| take 1');
      expect(await page.locator('#gutter li').allTextContents()).toEqual(['1', '2', '3', '4', '5']);
      expect(await loads(page, () => page.locator('#query').press('Control+Enter'))).toBe(200);
      expect(await page.locator('#query').inputValue()).toMatch(/\| order by Timestamp asc\n\| take 1$/);
      expect(await page.locator('#hunt-results tbody tr').count()).toBe(1);
      expect(await page.locator('#hunt-summary').textContent()).toMatch(/^1 row in \d+\.\d s/);
      expect((await column(page, 1)).map((n) => n.toLowerCase())).toEqual([device.toLowerCase()]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sorts the rows by a column heading, exports them as CSV, and saves the query under a name', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${t.stack.app.url}/hunting`);
      await page.locator('#query').fill('AlertInfo\n| project AlertId, Timestamp\n| take 20');
      await page.locator('#range').selectOption('P30D');
      expect(await loads(page, () => page.getByRole('button', { name: 'Run query' }).click())).toBe(200);
      expect(await page.locator('#hunt-results tbody tr').count()).toBe(20);

      // Sorting: ascending, then descending, by the shown Timestamp.
      const heading = page.locator('#hunt-results thead th').nth(1);
      expect(await heading.getAttribute('aria-sort')).toBe('none');
      const times = await column(page, 1);
      expect(new Set(times).size).toBeGreaterThan(1);
      const ascending = [...times].sort();
      await heading.getByRole('button', { name: 'Timestamp (date and time)' }).click();
      expect(await heading.getAttribute('aria-sort')).toBe('ascending');
      expect(await column(page, 1)).toEqual(ascending);
      await heading.getByRole('button').click();
      expect(await heading.getAttribute('aria-sort')).toBe('descending');
      expect(await column(page, 1)).toEqual([...ascending].reverse());
      expect(await page.locator('#hunt-results thead th').first().getAttribute('aria-sort')).toBe('none');

      // Export CSV: a download with a byte order mark, the column names, then every row.
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^threatdesk-hunt-\d{4}-\d{2}-\d{2}T\d{6}\.csv$/);
      const bytes = readFileSync(await download.path());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
      expect(lines[0]).toBe('"AlertId","Timestamp"');
      expect(lines).toHaveLength(21);
      // The page stayed where it was.
      expect(await page.locator('#hunt-results tbody tr').count()).toBe(20);

      // Save it under a name.
      const name = `Twenty alerts ${Date.now()}`;
      await page.locator('details.save-query summary').click();
      await page.locator('#name').fill(name);
      await loads(page, () => page.getByRole('button', { name: 'Save query' }).click());
      expect(page.url()).toMatch(/\/hunting\?saved=[0-9a-f-]{36}$/);
      expect(await page.locator('.flash-success').textContent()).toBe(`Saved “${name}” to your queries.`);
      expect(await page.locator('#my-queries a').allTextContents()).toContain(name);
      expect(await page.locator('#my-queries a', { hasText: name }).getAttribute('aria-current')).toBe('true');
      expect(await page.locator('#query').inputValue()).toBe('AlertInfo\n| project AlertId, Timestamp\n| take 20');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a syntax error names its line and column, and “go there” selects that place in the editor', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      const query = 'DeviceProcessEvents\n| where FileName = "x"';
      await page.goto(`${t.stack.app.url}/hunting`);
      await page.locator('#query').fill(query);
      expect(await loads(page, () => page.getByRole('button', { name: 'Run query' }).click())).toBe(400);
      expect(await page.locator('#hunt-problem-title').textContent()).toBe('Microsoft could not run this query');
      expect(await page.locator('#hunt-position').textContent()).toContain('At line 2, column 18');
      expect(await page.locator('#query').inputValue()).toBe(query);
      expect(await page.locator('#query').evaluate((q) => q === document.activeElement)).toBe(false);

      await page.locator('#goto-error').click();
      // Line 2 starts after the first line and its line break; column 18 is 17 characters into it.
      const offset = (query.split('\n')[0] as string).length + 1 + 18 - 1;
      expect(query[offset]).toBe('=');
      expect(await page.locator('#query').evaluate((q: HTMLTextAreaElement) => [q.selectionStart, q.selectionEnd, q === document.activeElement])).toEqual([offset, offset + 1, true]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('Cancel stops a slow query: the page says so, keeps the query, and the app aborts and audits the run', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      const progress = await watchProgress(page);
      const query = `AlertInfo\n| take 3 // cancelled ${Date.now()}`;
      const audited = (outcome: string) => t.stack.app.logs.filter((l) => l.includes('"audit":"hunting.run"') && l.includes(`"outcome":"${outcome}"`) && l.includes(`"queryLength":${query.length}`));
      await page.goto(`${t.stack.app.url}/hunting`);
      await page.locator('#query').fill(query);
      await t.stack.emu.control.faults.add({ endpoint: 'hunting.run', kind: 'delay', delayMs: 8_000 });
      const started = Date.now();
      // The click would otherwise wait for the slow page.
      await page.getByRole('button', { name: 'Run query' }).click({ noWaitAfter: true });
      expect((await progress.until(/^Running…$/)).text).toBe('Running…');
      // The count of seconds goes up while it waits.
      const running = await progress.until(/^Running… [1-9]\d* s$/);
      expect(running.cancel).toBeDefined();
      const cancel = running.cancel as { x: number; y: number; width: number; height: number };
      await page.mouse.click(cancel.x + cancel.width / 2, cancel.y + cancel.height / 2);
      await progress.until(/^Cancelled/);
      expect(await page.locator('#hunt-progress').textContent()).toBe('Cancelled: the query was stopped. It is still in the editor.');
      expect(await page.locator('#hunt-cancel').isHidden()).toBe(true);
      expect(await page.locator('#query').inputValue()).toBe(query);
      expect(await page.locator('#query').evaluate((q) => q === document.activeElement)).toBe(true);

      // The browser closed the request: the app aborted its call to Microsoft and audited the run as cancelled.
      for (const deadline = Date.now() + 5_000; audited('cancelled').length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100)));
      expect(audited('cancelled')).toHaveLength(1);
      // Once Microsoft's slow answer would have come, the run has still not finished, and the page is the one the analyst was on.
      await new Promise((r) => setTimeout(r, Math.max(0, started + 9_000 - Date.now())));
      expect(audited('ran')).toHaveLength(0);
      expect(await page.locator('#hunt-progress').textContent()).toBe('Cancelled: the query was stopped. It is still in the editor.');
      expect(await page.locator('#hunt-results').count()).toBe(0);
      expect(await page.locator('#query').inputValue()).toBe(query);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
