import type { BrowserContext } from 'playwright-core';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { accessibilityViolations } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

const SIZES = [
  ['desktop', { width: 1440, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const;

async function signedIn(size: { width: number; height: number }): Promise<BrowserContext> {
  const context = await t.browser.newContext({ viewport: size });
  const page = await context.newPage();
  await signInOn(page, t.stack.app.url, 'riley@contoso.example');
  await page.close();
  return context;
}

describe.each(SIZES)('no accessibility violations (axe-core, the rules Lighthouse checks) on the %s', (_name, size) => {
  it('signed out: the landing, admin consent and signed-out pages', async () => {
    const context = await t.browser.newContext({ viewport: size });
    try {
      const page = await context.newPage();
      for (const path of ['/', '/admin/consent', '/auth/signed-out']) {
        await page.goto(`${t.stack.app.url}${path}`);
        expect([path, await accessibilityViolations(page)]).toEqual([path, []]);
      }
    } finally {
      await context.close();
    }
  });

  it('signed in: the queue, an incident (and its form in error), the preview pane, the bulk form (and in error), bulk jobs, the token page', async () => {
    const context = await signedIn(size);
    try {
      const page = await context.newPage();
      const id = (await t.stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Active')?.incidentId;
      for (const path of ['/incidents', '/incidents?status=resolved&window=30d&sort=severity', `/incidents/${id}`, `/incidents?preview=${id}`, `/bulk?ids=${id}`, '/jobs', '/me/token', '/admin/consent']) {
        await page.goto(`${t.stack.app.url}${path}`);
        expect([path, await accessibilityViolations(page)]).toEqual([path, []]);
      }
      await page.goto(`${t.stack.app.url}/incidents/${id}`);
      await page.locator('#assign-to').fill('not an address');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForSelector('#assign-to-error');
      expect(['form in error', await accessibilityViolations(page)]).toEqual(['form in error', []]);
      await page.goto(`${t.stack.app.url}/bulk?ids=${id}`);
      await page.locator('#bulk-assign-other').check();
      await page.locator('#start-job').click();
      await page.waitForSelector('#bulk-assign-to-error');
      expect(['bulk form in error', await accessibilityViolations(page)]).toEqual(['bulk form in error', []]);
    } finally {
      await context.close();
    }
  });

  it('signed in: the Hunting page, empty, with results, with a query in error and its save form in error', async () => {
    const context = await signedIn(size);
    try {
      const page = await context.newPage();
      await page.goto(`${t.stack.app.url}/hunting`);
      expect(['hunting', await accessibilityViolations(page)]).toEqual(['hunting', []]);
      await page.locator('#query').fill('AlertInfo\n| project AlertId, Title, Severity, Timestamp\n| take 20');
      await page.locator('#range').selectOption('P30D');
      await page.locator('#run').click();
      await page.waitForSelector('#hunt-results');
      expect(['hunting results', await accessibilityViolations(page)]).toEqual(['hunting results', []]);
      await page.locator('#query').fill('AlertInfo\n| where Title = 1');
      await page.locator('#run').click();
      await page.waitForSelector('#hunt-position');
      expect(['hunting error', await accessibilityViolations(page)]).toEqual(['hunting error', []]);
      await page.locator('.save-query summary').click();
      await page.locator('#save').click();
      await page.waitForSelector('#save-error');
      expect(['hunting save in error', await accessibilityViolations(page)]).toEqual(['hunting save in error', []]);
    } finally {
      await context.close();
    }
  });
});

it('the first Tab reaches a skip link that moves the focus past the top bar to the page', async () => {
  const context = await signedIn({ width: 1440, height: 900 });
  try {
    const page = await context.newPage();
    await page.goto(`${t.stack.app.url}/incidents`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // The next Tab lands in the page, not in the top bar.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('header.topbar'))).toBeNull();
  } finally {
    await context.close();
  }
});
