import { randomBytes } from 'node:crypto';
import { CONTOSO_ID, startEmulator, type Emulator } from '@threatdesk/emulator';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { syncNow } from '../helpers/indexSync';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, type AppInstance } from '../helpers/stack';
import { onTestDatabase, TEST_DATABASE_URL } from '../helpers/testDatabase';

/**
 * Two instances over one PostgreSQL (the production shape): the queue reads what either instance's
 * sync wrote, and one analyst's syncs never run twice at once, whichever instances start them.
 */
const schema = `td_${randomBytes(6).toString('hex')}`;
let emu: Emulator;
let a: AppInstance;
let b: AppInstance;
const browsers: TestBrowser[] = [];
const ids = (p: Page) => p.$('#incidents tbody tr').map((_, el) => Number(p.$(el).attr('data-incident-id'))).get();
const listCalls = async (mark: number) => (await emu.control.stats.requests(mark)).filter((r) => r.path.endsWith('/security/incidents')).length;

beforeAll(async () => {
  await onTestDatabase(`create schema ${schema}`);
  emu = await startEmulator({ quotas: { list: 100_000, get: 100_000, update: 100_000, graph: 100_000 } });
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, SYNC_INTERVAL_S: '3600' };
  a = await startApp(emu, env);
  b = await startApp(emu, env);
});

afterAll(async () => {
  await assertNoSecretsLeaked(a, emu);
  await assertNoSecretsLeaked(b, emu);
  await Promise.all(browsers.map((x) => x.close()));
  await a.close();
  await b.close();
  await emu.close();
  await onTestDatabase(`drop schema ${schema} cascade`);
});

async function signedIn(app: AppInstance): Promise<TestBrowser> {
  const browser = new TestBrowser(emu.caCertPem);
  browsers.push(browser);
  await signIn(browser, app.url, 'riley@contoso.example');
  await app.services.sync.idle();
  return browser;
}

describe('the incident index on PostgreSQL, shared by two instances', () => {
  it('serves one instance\'s pages from what the other instance\'s sync read', async () => {
    expect(a.services.sync.index.engine).toBe('postgres');
    const onA = await signedIn(a);
    const onB = await signedIn(b);
    const open = (await emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Active') as { incidentId: number };
    await emu.control.incidents.change(CONTOSO_ID, open.incidentId, { tags: ['shared-index'] });
    await syncNow(a, onA);
    // B's interval has not passed: it syncs nothing itself, and still shows the change A read.
    const mark = await emu.control.stats.mark();
    const page = await onB.get(`${b.url}/incidents?tag=shared-index`);
    expect(ids(page)).toEqual([open.incidentId]);
    expect(await listCalls(mark)).toBe(0);
  });

  it('runs one sync per analyst at a time across instances', async () => {
    const onA = await signedIn(a);
    const onB = await signedIn(b);
    let mark = await emu.control.stats.mark();
    await syncNow(a, onA);
    const oneSync = await listCalls(mark);
    expect(oneSync).toBeGreaterThan(0);
    // The first listing is slow, so that the second instance asks while the first holds the lease.
    await emu.control.faults.add({ endpoint: 'incidents.list', kind: 'delay', delayMs: 1_500, count: 1 });
    try {
      mark = await emu.control.stats.mark();
      await Promise.all([syncNow(a, onA), syncNow(b, onB)]);
      expect(await listCalls(mark)).toBe(oneSync);
    } finally {
      await emu.control.faults.clear();
    }
  });
});
