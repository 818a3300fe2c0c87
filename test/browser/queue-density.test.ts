import type { Page } from 'playwright-core';
import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

/** Rows wholly inside the window once the list is scrolled to its first row. */
async function rowsOnScreen(page: Page): Promise<number> {
  return page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll('#incidents tbody tr'));
    const first = rows[0];
    if (!first) return 0;
    window.scrollTo(0, first.getBoundingClientRect().top + window.scrollY);
    return rows.filter((r) => {
      const box = r.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }).length;
  });
}

const sideways = (page: Page) =>
  page.evaluate(() => {
    const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    // Which elements stick out, to say what to fix.
    const culprits = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''}`);
    return over > 0 ? `${over}px too wide: ${culprits.join(', ')}` : 'fits';
  });

describe.each([
  ['a 1440×900 desktop', { width: 1440, height: 900 }, 20],
  ['a 390×844 phone', { width: 390, height: 844 }, 12],
] as const)('the queue on %s', (_name, viewport, atLeast) => {
  it(`shows at least ${atLeast} incidents at once, one line (or card) each, one link each, with no sideways scroll`, async () => {
    const context = await t.browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      await signInOn(page, t.stack.app.url, 'riley@contoso.example');
      expect(await page.locator('#incidents tbody tr').count()).toBe(50);
      expect(await rowsOnScreen(page)).toBeGreaterThanOrEqual(atLeast);
      expect(await sideways(page)).toBe('fits');
      // One link per row: the name, cut to its column, whole in its tooltip.
      const links = await page.locator('#incidents tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelectorAll('a').length));
      expect(new Set(links)).toEqual(new Set([1]));
      const name = page.locator('#incidents tbody tr a.name').first();
      expect(await name.getAttribute('title')).toBe(await name.textContent());
      // Times are relative, the absolute one in the tooltip.
      const updated = page.locator('#incidents tbody tr time').first();
      expect(await updated.textContent()).toMatch(/^\d+ (sec|min|hr|days?)$/);
      expect(await updated.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      // The top bar, Sign out included, stays on the screen.
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect(signOut !== null && signOut.x >= 0 && signOut.x + signOut.width <= viewport.width).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
