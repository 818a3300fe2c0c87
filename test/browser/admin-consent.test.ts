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

test('a Fabrikam admin grants consent; then a Fabrikam analyst signs in and sees incidents', async () => {
  // Before consent: jordan lands on the guidance page.
  const jordanContext = await browser.newContext();
  const jordan = await jordanContext.newPage();
  await jordan.goto(`${stack.app.url}/auth/signin`);
  await jordan.getByRole('button', { name: 'jordan@fabrikam.example', exact: true }).click();
  await jordan.waitForURL(/\/auth\/redirect/);
  expect(await jordan.locator('.problem h1').textContent()).toBe('ThreatDesk has not been approved for your organization');
  await jordan.getByRole('link', { name: 'Open the admin consent page' }).click();
  await jordan.waitForURL(`${stack.app.url}/admin/consent`);
  await jordanContext.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${stack.app.url}/admin/consent`);
  await page.locator('#tenant').fill('fabrikam.example');
  await page.getByRole('button', { name: 'Make link' }).click();
  await page.waitForURL(/tenant=fabrikam.example/);
  // The copy button works from the external script (clipboard or its fallback text).
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.waitForFunction(() => document.querySelector('[data-copy]')?.textContent !== 'Copy link');
  await page.getByRole('link', { name: 'Grant admin consent' }).click();
  await page.getByRole('button', { name: 'casey@fabrikam.example', exact: true }).click();
  await page.getByRole('button', { name: /accept/i }).click();
  await page.waitForURL(/\/admin\/consent\/callback/);
  expect(await page.locator('h1').textContent()).toBe('Consent granted');
  expect(await page.locator('#granted-tenant').textContent()).toBe('22222222-2222-4222-8222-222222222222');
  expect(problems).toEqual([]);
  await context.close();

  const after = await browser.newContext();
  const analyst = await after.newPage();
  await analyst.goto(`${stack.app.url}/auth/signin`);
  await analyst.getByRole('button', { name: 'jordan@fabrikam.example', exact: true }).click();
  await analyst.waitForURL(`${stack.app.url}/`.replace(/\/$/, '/incidents'));
  expect(await analyst.locator('#incidents tbody tr').count()).toBeGreaterThan(0);
  await after.close();
});
