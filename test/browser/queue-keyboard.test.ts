import type { Browser } from 'playwright-core';
import { launchChromium, watchProblems } from '../helpers/chromium';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, {}, { index: 'pglite' });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test('j and k move through the queue, Enter opens the incident, ? lists the shortcuts; typing in a field is left alone', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${stack.app.url}/auth/signin`);
  await page.getByRole('button', { name: 'riley@contoso.example', exact: true }).click();
  await page.waitForURL(`${stack.app.url}/incidents`);
  const ids = await page.locator('#incidents tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident-id')));
  const focusedRow = () => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-incident-id') ?? null);

  await page.keyboard.press('j');
  expect(await focusedRow()).toBe(ids[0]);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  expect(await focusedRow()).toBe(ids[2]);
  await page.keyboard.press('k');
  expect(await focusedRow()).toBe(ids[1]);

  // In the search box, j is a letter.
  await page.locator('input[name="q"]').focus();
  await page.keyboard.type('jk');
  expect(await page.locator('input[name="q"]').inputValue()).toBe('jk');
  expect(await focusedRow()).toBeNull();
  await page.locator('input[name="q"]').fill('');

  await page.locator('#incidents tbody a.name').nth(1).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/incidents/${ids[1]}`));
  await page.goBack();
  await page.waitForURL(`${stack.app.url}/incidents`);

  await page.keyboard.press('?');
  expect(await page.locator('#keys-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
  expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent()).toContain('Next incident');
  await page.keyboard.press('Escape');
  expect(await page.locator('#keys-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
  expect(problems).toEqual([]);
  await context.close();
});
