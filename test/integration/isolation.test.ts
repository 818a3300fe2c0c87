import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { fillIndex } from '../helpers/indexSync';
import { startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
const browsers: TestBrowser[] = [];

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 1000, get: 1000, update: 1000, graph: 1000 } });
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await Promise.all(browsers.map((b) => b.close()));
  await stack.close();
});

function idsOn(body: ReturnType<TestBrowser['get']> extends Promise<infer P> ? P : never): number[] {
  return body.$('#incidents tbody tr').map((_, el) => Number(body.$(el).attr('data-incident-id'))).get();
}

describe('two analysts at once', () => {
  it('each sees only their own queue, across interleaved requests', async () => {
    const alex = new TestBrowser(stack.emu.caCertPem);
    const sam = new TestBrowser(stack.emu.caCertPem);
    browsers.push(alex, sam);
    await signIn(alex, stack.app.url, 'alex@contoso.example');
    await signIn(sam, stack.app.url, 'sam@contoso.example');
    const visible = {
      alex: new Set(await stack.emu.control.incidents.visibleIds('alex@contoso.example')),
      sam: new Set(await stack.emu.control.incidents.visibleIds('sam@contoso.example')),
    };
    // The seeded data guarantees the two differ, or this test would prove nothing.
    expect([...visible.alex].some((id) => !visible.sam.has(id))).toBe(true);
    const seen = { alex: new Set<number>(), sam: new Set<number>() };
    const query = '?status=Active&status=InProgress&status=Resolved&severity=High&severity=Medium&severity=Low&severity=Informational';
    const pages = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? sam : alex).get(`${stack.app.url}/incidents${query}`).then((p) => ({ who: i % 2 ? 'sam' : 'alex', p }) as const)),
    );
    for (const { who, p } of pages) {
      expect(p.status).toBe(200);
      expect(p.$('.user').text()).toContain(who === 'alex' ? 'Alex' : 'Sam');
      for (const id of idsOn(p)) {
        expect(visible[who].has(id)).toBe(true);
        seen[who].add(id);
      }
    }
    expect(seen.alex.size).toBeGreaterThan(0);
    expect(seen.sam.size).toBeGreaterThan(0);
    expect([...seen.alex].some((id) => !visible.sam.has(id))).toBe(true);
  });

  it('each index holds only its analyst\'s incidents, after syncs of both interleaved', async () => {
    const alex = new TestBrowser(stack.emu.caCertPem);
    const sam = new TestBrowser(stack.emu.caCertPem);
    browsers.push(alex, sam);
    await signIn(alex, stack.app.url, 'alex@contoso.example');
    await signIn(sam, stack.app.url, 'sam@contoso.example');
    // Both backfills at once, round after round, so their writes interleave.
    await Promise.all([fillIndex(stack.app, alex), fillIndex(stack.app, sam)]);
    const visible = {
      alex: new Set(await stack.emu.control.incidents.visibleIds('alex@contoso.example')),
      sam: new Set(await stack.emu.control.incidents.visibleIds('sam@contoso.example')),
    };
    const everything = '?status=active&status=inProgress&status=awaitingAction&status=resolved&status=redirected&severity=high&severity=medium&severity=low&severity=informational&severity=unknown&size=100';
    const shown = { alex: [] as number[], sam: [] as number[] };
    for (const [who, b] of [['alex', alex], ['sam', sam]] as const) {
      for (let next: string | undefined = `/incidents${everything}`; next; ) {
        const page = await b.get(`${stack.app.url}${next}`);
        shown[who].push(...idsOn(page));
        next = page.$('#next').attr('href');
      }
      expect(shown[who].length).toBeGreaterThan(0);
      for (const id of shown[who]) expect(visible[who].has(id)).toBe(true);
    }
    // Alex sees device groups Sam does not: the check above could catch a leak.
    expect(shown.alex.some((id) => !visible.sam.has(id))).toBe(true);
  }, 60_000);
});
