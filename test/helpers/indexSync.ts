import { CONTOSO_ID, type Emulator } from '@threatdesk/emulator';
import type { TestBrowser } from '@threatdesk/emulator/testing';
import type { AppInstance } from './stack';

/**
 * Syncs the signed-in analyst's index now, as the Refresh button does, and waits for the sync to
 * end. Waiting uses the app's own handle on its syncs: the page itself never waits for one.
 */
export async function syncNow(app: AppInstance, browser: TestBrowser): Promise<void> {
  await app.services.sync.idle();
  const page = await browser.get(`${app.url}/incidents`);
  const done = await browser.submit(page, 'form[action="/incidents/refresh"] button');
  if (done.status !== 303) throw new Error(`Refresh answered ${done.status}`);
  await app.services.sync.idle();
}

/** Syncs until the analyst's backfill has read everything back to 6 months, as /admin/status says. */
export async function fillIndex(app: AppInstance, browser: TestBrowser, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await syncNow(app, browser);
    const status = await browser.get(`${app.url}/admin/status`);
    const mine = status.$('#analysts tbody tr').filter((_, tr) => status.$(tr).find('td').first().text() === 'You');
    if (mine.text().includes('Complete')) return;
  }
  throw new Error(`the backfill did not complete in ${rounds} syncs`);
}

/**
 * An incident that no analyst's index holds yet (added in the emulator now, on a workstation, which
 * every Contoso analyst with a Defender role sees): opening its page makes the app call the API,
 * which is what tests of tokens and upstream failures need.
 */
export async function unindexedIncidentId(emu: Emulator, tenant = CONTOSO_ID): Promise<number> {
  const name = 'Suspicious sign-in (test)';
  return (await emu.control.incidents.add(tenant, { incidentName: name, alerts: [{ title: name, deviceGroup: 'Workstations' }] })).incidentId;
}
