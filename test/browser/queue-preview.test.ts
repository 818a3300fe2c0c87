import { watchProblems } from '../helpers/chromium';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const t = useBrowserStack();

test('p previews the incident in focus beside the list; its form saves and comes back to the same view, previewed', async () => {
  const context = await t.browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await signInOn(page, t.stack.app.url, 'riley@contoso.example');
    await page.goto(`${t.stack.app.url}/incidents?assignee=unassigned`);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    const row = page.locator('#incidents tbody tr').nth(1);
    const id = (await row.getAttribute('data-incident-id')) as string;
    const name = await row.locator('a.name').textContent();
    await page.keyboard.press('p');
    await page.waitForURL(new RegExp(`preview=${id}`));
    expect(await page.locator('#preview-title').textContent()).toBe(`#${id} ${name}`);
    // Beside the list, not instead of it; the row stays marked and in focus.
    const [list, pane] = await Promise.all([page.locator('#incidents').boundingBox(), page.locator('#preview').boundingBox()]);
    expect(pane !== null && list !== null && pane.x >= list.x + list.width - 1).toBe(true);
    expect(await page.locator(`#incidents tr[data-incident-id="${id}"]`).getAttribute('class')).toContain('previewed');
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-incident-id'))).toBe(id);

    await page.locator('#preview-assign-me').click();
    await page.waitForSelector('.flash-success');
    expect(await page.locator('.flash-success').textContent()).toBe('Assigned to riley@contoso.example.');
    expect(new URL(page.url()).searchParams.get('assignee')).toBe('unassigned');
    expect(new URL(page.url()).searchParams.get('preview')).toBe(id);
    expect(await page.locator('#preview-assigned').textContent()).toBe('riley@contoso.example');

    // A click on another row's free space previews that one.
    const other = page.locator('#incidents tbody tr').nth(2);
    const otherId = (await other.getAttribute('data-incident-id')) as string;
    await other.locator('td.c-sev').click();
    await page.waitForURL(new RegExp(`preview=${otherId}`));
    expect(await page.locator('#preview-title').textContent()).toContain(`#${otherId}`);
    await page.locator('#close-preview').click();
    await page.waitForURL((u) => !u.search.includes('preview'));
    expect(await page.locator('#preview').count()).toBe(0);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
