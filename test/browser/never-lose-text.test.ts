import { CONTOSO_ID } from '@threatdesk/emulator';
import type { BrowserContext, Page } from 'playwright-core';
import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

/** An active incident of riley's, and a page on it with a comment typed but not sent. */
async function typed(context: BrowserContext, text: string): Promise<{ page: Page; id: number }> {
  const page = await context.newPage();
  const visible = new Set(await t.stack.emu.control.incidents.visibleIds('riley@contoso.example'));
  const id = (await t.stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Active' && visible.has(i.incidentId))?.incidentId;
  expect(id).toBeDefined();
  await page.goto(`${t.stack.app.url}/incidents/${id}`);
  await page.locator('#comment-input').fill(text);
  return { page, id: id as number };
}

async function signedIn(upn = 'riley@contoso.example'): Promise<BrowserContext> {
  const context = await t.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signInOn(page, t.stack.app.url, upn);
  await page.close();
  return context;
}

afterEach(() => t.stack.emu.control.faults.clear());

describe('what an analyst typed survives, in a real browser', () => {
  it('an ended session: through sign-in and back to the incident, filled in', async () => {
    const context = await signedIn();
    try {
      const text = `Typed before the session ended ${Date.now()}`;
      const { page, id } = await typed(context, text);
      const problems = watchProblems(page);
      await context.clearCookies();
      await page.locator('#save').click();
      await page.getByRole('button', { name: 'riley@contoso.example', exact: true }).click();
      await page.waitForURL(new RegExp(`/incidents/${id}$`));
      expect(await page.locator('#pending-change').count()).toBe(1);
      expect(await page.locator('#comment-input').inputValue()).toBe(text);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a stale form token (one the session no longer holds): the page comes back with the text', async () => {
    const context = await signedIn();
    try {
      const text = `Typed before the token went stale ${Date.now()}`;
      const { page } = await typed(context, text);
      await page.locator('#manage-form input[name="_csrf"]').evaluate((input: HTMLInputElement) => {
        input.value = 'a-token-from-before-a-restart';
      });
      await page.locator('#save').click();
      await page.waitForSelector('#manage-error');
      expect(await page.locator('#manage-error').textContent()).toContain('your text is kept below');
      expect(await page.locator('#comment-input').inputValue()).toBe(text);
    } finally {
      await context.close();
    }
  });

  it.each([
    ['a 429 from Microsoft', '429', /cannot take more changes from this tenant right now\. Nothing was sent; your text is kept below/],
    ['a 500 from Microsoft', '500', /may or may not be stored\. Save again/],
  ] as const)('%s: the page comes back with the text and when to retry', async (_name, kind, message) => {
    const context = await signedIn();
    try {
      const text = `Typed before Microsoft failed ${kind} ${Date.now()}`;
      const { page } = await typed(context, text);
      await t.stack.emu.control.faults.add([{ endpoint: 'incidents.comment', kind, retryAfter: 1, count: 3 }]);
      const response = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.locator('#save').click();
      expect((await response).status()).toBe(503);
      await page.waitForSelector('#manage-error');
      expect(await page.locator('#manage-error').textContent()).toMatch(message);
      expect(await page.locator('#comment-input').inputValue()).toBe(text);
    } finally {
      await context.close();
    }
  });
});

it('the back button: a comment typed, the queue visited, Back brings the page back with the text', async () => {
  const context = await signedIn();
  try {
    const text = `Typed before leaving the page ${Date.now()}`;
    const { page, id } = await typed(context, text);
    await page.locator('#back-to-queue').click();
    await page.waitForURL(/\/incidents(\?|$)/);
    await page.goBack();
    await page.waitForURL(new RegExp(`/incidents/${id}`));
    await page.waitForSelector('#comment-input');
    expect(await page.locator('#comment-input').inputValue()).toBe(text);
  } finally {
    await context.close();
  }
});

describe('incidents that cannot be changed here', () => {
  it('a merged incident links to the one it joined and has no controls', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      await page.goto(`${t.stack.app.url}/incidents?status=redirected&severity=high&severity=medium&severity=low&severity=informational&window=6m`);
      const row = page.locator('#incidents tbody tr').first();
      const id = await row.getAttribute('data-incident-id');
      await row.locator('a.name').click();
      await page.waitForURL(new RegExp(`/incidents/${id}`));
      expect(await page.locator('#merged-notice').textContent()).toMatch(/^This incident was merged into #\d+; manage it there\.$/);
      expect(await page.locator('#manage-form').count()).toBe(0);
      await page.locator('#merged-notice a').click();
      await page.waitForURL(/\/incidents\/\d+$/);
      expect(await page.locator('#manage-form').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('a read-only analyst sees the values and why, the controls folded away, after Microsoft refuses a change', async () => {
    // Alex reads incidents (Security Reader) but may not change them.
    const context = await signedIn('alex@contoso.example');
    try {
      const page = await context.newPage();
      await page.goto(`${t.stack.app.url}/incidents`);
      await page.locator('#incidents tbody tr a.name').first().click();
      await page.waitForURL(/\/incidents\/\d+/);
      const incident = page.url();
      await page.locator('#assign-me').click();
      await page.waitForSelector('#forbidden');
      expect(await page.locator('#forbidden').textContent()).toContain('Your role does not allow this');
      await page.goto(incident);
      expect(await page.locator('#read-only').textContent()).toContain('Microsoft refused you changes');
      expect(await page.locator('#manage-anyway').getAttribute('open')).toBeNull();
      expect(await page.locator('#assign-me').isVisible()).toBe(false);
      expect(await page.locator('#assigned-to').isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });
});

describe('views', () => {
  it('the Overdue view lists open incidents past an SLA target, each with its badge, and names itself', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      await page.goto(`${t.stack.app.url}/incidents`);
      await page.getByRole('link', { name: 'Overdue', exact: true }).click();
      await page.waitForURL(/sla=overdue/);
      expect(await page.title()).toBe('Incidents: Overdue · ThreatDesk');
      expect(await page.getByRole('link', { name: 'Overdue', exact: true }).getAttribute('aria-current')).toBe('page');
      const rows = page.locator('#incidents tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      expect(await page.locator('#incidents tbody tr .sla-overdue').count()).toBe(await rows.count());
    } finally {
      await context.close();
    }
  });

  it('an analyst saves a view, finds it marked among the views, and removes a filter by its chip', async () => {
    const context = await signedIn();
    try {
      const page = await context.newPage();
      await page.goto(`${t.stack.app.url}/incidents?severity=high&assignee=unassigned`);
      await page.locator('#view-name').fill('My high, unassigned');
      await page.getByRole('button', { name: 'Save view' }).click();
      await page.waitForSelector('.flash-success');
      const mine = page.locator('.views a.mine', { hasText: 'My high, unassigned' });
      expect(await mine.getAttribute('aria-current')).toBe('page');
      await page.locator('#filter-chips a', { hasText: 'Assigned to: nobody' }).click();
      await page.waitForURL((u) => !u.search.includes('assignee'));
      expect(await page.locator('#filter-chips a.chip').allTextContents()).toEqual([expect.stringContaining('Severity: High')]);
      expect(await mine.getAttribute('aria-current')).toBeNull();
    } finally {
      await context.close();
    }
  });
});
