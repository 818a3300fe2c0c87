import type { Browser } from 'playwright-core';
import { launchChromium, watchProblems } from '../helpers/chromium';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test('an analyst signs in on the emulator page, sees incidents, and signs out', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchProblems(page);

  await page.goto(`${stack.app.url}/`);
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
  await page.getByRole('button', { name: 'alex@contoso.example', exact: true }).click();
  await page.waitForURL(`${stack.app.url}/incidents`);
  await page.locator('#incidents tbody tr').first().waitFor();
  expect(await page.locator('#incidents tbody tr').count()).toBeGreaterThan(0);
  expect(await page.locator('.user').textContent()).toContain('Alex');

  // Tokens never reach the browser: not in cookies, not in storage, not in the page.
  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.domain === 'localhost' && c.name === 'threatdesk.sid')).toHaveLength(1);
  expect(JSON.stringify(cookies)).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(storage).toBe('{}{}');
  expect(await page.content()).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  const cookie = cookies.find((c) => c.name === 'threatdesk.sid');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${stack.app.url}/auth/signed-out`);
  expect(await page.locator('h1').textContent()).toBe('You have signed out');
  await page.goto(`${stack.app.url}/incidents`);
  // Signed out: the queue sends the browser to sign in again.
  expect(page.url()).not.toBe(`${stack.app.url}/incidents`);
  expect(problems).toEqual([]);
  await context.close();
});
