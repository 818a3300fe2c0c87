import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

test('an analyst filters the queue, assigns an incident to themselves, comments, sorts, refreshes, and returns to the same view', async () => {
  const context = await t.browser.newContext();
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signInOn(page, t.stack.app.url, 'riley@contoso.example');
  // Served from the analyst's index, filled at sign-in, with its age.
  expect(await page.locator('#as-of').textContent()).toMatch(/^Incidents as of \d\d:\d\d:\d\d UTC \((\d+ seconds? ago|now)\)/);

  // Filter: Active only, High only, unassigned.
  await page.locator('input[name="status"][value="inProgress"]').uncheck();
  await page.locator('input[name="status"][value="awaitingAction"]').uncheck();
  await page.locator('input[name="severity"][value="medium"]').uncheck();
  await page.locator('input[name="severity"][value="low"]').uncheck();
  await page.locator('select[name="assignee"]').selectOption('unassigned');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/assignee=unassigned/);
  const filteredUrl = page.url();
  expect(filteredUrl).toContain('status=active');
  expect(filteredUrl).toContain('severity=high');
  const firstRow = page.locator('#incidents tbody tr').first();
  const id = await firstRow.getAttribute('data-incident-id');
  expect(await firstRow.locator('.sev').textContent()).toBe('High');

  await firstRow.locator('a.name').click();
  await page.waitForURL(new RegExp(`/incidents/${id}\\?back=`));
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.waitForURL(new RegExp(`/incidents/${id}`));
  expect(await page.locator('.flash-success').textContent()).toBe('Assigned to riley@contoso.example.');
  expect(await page.locator('#assigned-to').textContent()).toBe('riley@contoso.example');

  const comment = `Investigating <b>now</b> ${Date.now()}`;
  await page.locator('#comment-input').fill(comment);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(new RegExp(`/incidents/${id}`));
  expect(await page.locator('#assigned-to').textContent()).toBe('riley@contoso.example');
  expect(await page.locator('.comment-text').first().textContent()).toBe(comment);
  // The index recorded the change at once, as made by this analyst.
  expect(await page.locator('#activity li.change').first().textContent()).toMatch(/by riley@contoso\.example in ThreatDesk\s+Assigned to: Unassigned → riley@contoso\.example/);

  await page.locator('#back-to-queue').click();
  await page.waitForURL(/\/incidents\?/);
  const back = new URL(page.url());
  const before = new URL(filteredUrl);
  for (const key of ['status', 'severity', 'assignee']) expect(back.searchParams.getAll(key).sort()).toEqual(before.searchParams.getAll(key).sort());
  // Now assigned, it has left the "unassigned" view.
  expect(await page.locator(`#incidents tbody tr[data-incident-id="${id}"]`).count()).toBe(0);

  // Sorting by a column keeps the filter; Refresh comes back to the same view.
  await page.locator('#incidents thead a', { hasText: 'Name' }).click();
  await page.waitForURL(/sort=name/);
  expect(new URL(page.url()).searchParams.get('assignee')).toBe('unassigned');
  expect(await page.locator('#incidents thead th[aria-sort]').textContent()).toBe('Name');
  const sorted = page.url();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForURL(sorted);
  expect(problems).toEqual([]);
  await context.close();
});
