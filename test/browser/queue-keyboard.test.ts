import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

test('j and k move through the queue, Enter opens the incident, ? lists the shortcuts; typing in a field is left alone', async () => {
  const context = await t.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signInOn(page, t.stack.app.url, 'riley@contoso.example');
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
  await page.waitForURL(`${t.stack.app.url}/incidents`);

  await page.keyboard.press('?');
  expect(await page.locator('#keys-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
  expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent()).toContain('Next incident');
  await page.keyboard.press('Escape');
  expect(await page.locator('#keys-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
  expect(problems).toEqual([]);
  await context.close();
});
