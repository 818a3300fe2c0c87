/**
 * The README's screenshots, taken in Debian's Chromium from the app and the emulator as the demo
 * runs them (`npm run screenshots`, written to docs/screenshots/): the queue, an incident, a bulk
 * job, the metrics, the shift handover, a hunt from an incident, and an incident in French. Regenerate them when a page changes.
 */
import path from 'node:path';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { signInOn } from '../test/helpers/browserStack';
import { launchChromium } from '../test/helpers/chromium';
import { startStack } from '../test/helpers/stack';

const OUT = path.join(__dirname, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  const stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, { LOG_LEVEL: 'warn' }, { index: 'pglite' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInOn(page, stack.app.url, 'riley@contoso.example');
    await stack.app.services.sync.idle();
    await page.goto(`${stack.app.url}/incidents?more=unassignedFor`);
    // From the summary down: the list, not the filter form, is the point.
    await page.locator('.summary').evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(OUT, 'queue.png') });

    const visible = new Set(await stack.emu.control.incidents.visibleIds('riley@contoso.example'));
    const summaries = (await stack.emu.control.incidents.list(CONTOSO_ID)).filter((i) => i.status === 'Active' && visible.has(i.incidentId));
    await page.goto(`${stack.app.url}/incidents/${summaries[0]?.incidentId}`);
    await page.screenshot({ path: path.join(OUT, 'incident.png'), fullPage: true });

    await page.goto(`${stack.app.url}/bulk?${summaries.slice(1, 13).map((s) => `ids=${s.incidentId}`).join('&')}`);
    await page.locator('#bulk-assign-me').check();
    await page.locator('#bulk-status').selectOption('inProgress');
    await page.locator('#bulk-add-tags').fill('triaged');
    await stack.emu.control.incidents.change(CONTOSO_ID, summaries[5]?.incidentId ?? 0, { assignedTo: 'sam@contoso.example' });
    await page.locator('#start-job').click();
    await page.waitForFunction(() => (document.getElementById('job-state')?.textContent ?? '').startsWith('Finished'), undefined, { timeout: 60_000 });
    await page.screenshot({ path: path.join(OUT, 'bulk-job.png') });

    // The metrics read the whole index: let the backfill finish first (Refresh until the status page says so).
    for (let i = 0; i < 40; i++) {
      await page.goto(`${stack.app.url}/admin/status`);
      if ((await page.locator('#analysts tbody tr', { hasText: 'You' }).textContent())?.includes('Complete')) break;
      await page.goto(`${stack.app.url}/incidents`);
      await page.locator('form[action="/incidents/refresh"] button').click();
      await stack.app.services.sync.idle();
    }
    await page.setViewportSize({ width: 1440, height: 1500 });
    await page.goto(`${stack.app.url}/metrics?days=90`);
    await page.screenshot({ path: path.join(OUT, 'metrics.png') });
    await page.goto(`${stack.app.url}/handover`);
    await page.locator('#note').fill('Night shift: #1042 waits on the server team (ticket CHG-311); the phishing wave from Friday is contained, two mailboxes still to reset.');
    await page.locator('#note-form button').click();
    await page.waitForURL(/\/handover$/);
    await page.goto(`${stack.app.url}/handover?hours=72`);
    await page.screenshot({ path: path.join(OUT, 'handover.png') });

    // A hunt from an incident: its first device's processes, over the incident's time.
    const recent = summaries.find((s) => Date.now() - Date.parse(s.createdTime) < 20 * 86_400_000);
    await page.goto(`${stack.app.url}/incidents/${recent?.incidentId}`);
    await page.locator('h3[data-evidence-type="device"] + ul.entities a.hunt').first().click();
    await page.locator('#run').click();
    await page.waitForSelector('#hunt-results');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: path.join(OUT, 'hunting.png') });

    // The same incident in a browser set to French, in Paris.
    const french = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const fr = await french.newPage();
    await signInOn(fr, stack.app.url, 'riley@contoso.example');
    await stack.app.services.sync.idle();
    await fr.goto(`${stack.app.url}/incidents/${summaries[0]?.incidentId}`);
    await fr.screenshot({ path: path.join(OUT, 'incident-fr.png') });
    await french.close();
  } finally {
    await browser.close();
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
