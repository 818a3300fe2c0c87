import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { ConfigError, loadConfig } from '../../src/config/config';
import type { CallKind, CallRequest, Decision, QuotaGovernor, QuotaPolicy, QuotaRule } from '../../src/budget/governor';
import { MemoryGovernor } from '../../src/budget/memoryGovernor';
import { policyFor, within } from '../../src/budget/policy';
import { RedisGovernor } from '../../src/budget/redisGovernor';
import { waitForCall } from '../../src/budget/waitForCall';
import { dropKeysAndClose } from '../helpers/redisKeys';
import { VALID_ENV } from '../helpers/validEnv';

/**
 * One contract, both governors: the in-process one on an injected clock, the Redis one on Redis's
 * own clock (real waiting, so its windows are short). Every test uses a tenant of its own.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every key this file writes lives under this prefix and is deleted in afterAll; the shared Redis is never flushed.
const RUN_PREFIX = `test-quota-${randomUUID()}:`;

const ALL: CallKind[] = ['list', 'get', 'write'];
const policy = (rules: QuotaRule[], analystShare = 1): QuotaPolicy => ({ rules, reserve: { interactive: 0, delta: 0.2, backfill: 0.5 }, analystShare });
const call = (tenantId: string, over: Partial<CallRequest> = {}): CallRequest => ({
  tenantId,
  backend: 'graph',
  kind: 'list',
  priority: 'interactive',
  analyst: 'analyst-a',
  ...over,
});

/** Calls granted in a row until the first refusal. */
async function grants(governor: QuotaGovernor, req: CallRequest): Promise<number> {
  for (let n = 0; n < 100; n++) if (!(await governor.take(req)).ok) return n;
  throw new Error('never refused');
}

interface Subject {
  /** Another governor over the same budget each time: two of them stand for two instances. */
  open(policy: QuotaPolicy): QuotaGovernor;
  /** Lets time pass for every governor opened. */
  elapse(ms: number): Promise<void>;
  /** The clock of retryAtMs and pause ends. */
  now(): number;
}

function governorContract(name: string, subject: () => Subject): void {
  describe(`QuotaGovernor contract: ${name}`, () => {
    let s: Subject;
    let tenant: string;
    beforeEach(() => {
      s = subject();
      tenant = randomUUID();
    });

    // 5 calls per 2 s: one token every 400 ms, slow enough that a burst gets nothing back meanwhile.
    const fivePer2s = policy([{ kinds: ALL, limit: 5, windowMs: 2_000 }]);

    it('stops a burst exactly at the limit, and says when a token will be back', async () => {
      const g = s.open(fivePer2s);
      expect(await grants(g, call(tenant))).toBe(5);
      const before = s.now();
      const refused = await g.take(call(tenant));
      const after = s.now();
      expect(refused).toEqual({ ok: false, reason: 'budget', retryAtMs: expect.any(Number) });
      const { retryAtMs } = refused as Extract<Decision, { ok: false }>;
      expect(retryAtMs).toBeGreaterThan(before);
      expect(retryAtMs).toBeLessThanOrEqual(after + 400);
    });

    it('refills as time passes', async () => {
      const g = s.open(fivePer2s);
      await grants(g, call(tenant));
      await s.elapse(400);
      expect(await grants(g, call(tenant))).toBe(1);
      await s.elapse(800);
      expect(await grants(g, call(tenant))).toBe(2);
    });

    it('stops backfill at its reserve and delta syncs at theirs, leaving the rest to analysts', async () => {
      const g = s.open(policy([{ kinds: ALL, limit: 10, windowMs: 60_000 }]));
      // Backfill leaves half of the 10, delta syncs a fifth.
      expect(await grants(g, call(tenant, { priority: 'backfill' }))).toBe(5);
      expect(await grants(g, call(tenant, { priority: 'delta' }))).toBe(3);
      expect(await g.take(call(tenant, { priority: 'backfill' }))).toMatchObject({ ok: false, reason: 'budget' });
      expect(await grants(g, call(tenant, { priority: 'interactive' }))).toBe(2);
    });

    it("stops one analyst at their share while another analyst of the tenant still gets calls", async () => {
      const g = s.open(policy([{ kinds: ALL, limit: 10, windowMs: 60_000 }], 0.3));
      expect(await grants(g, call(tenant, { analyst: 'alex' }))).toBe(3);
      const before = s.now();
      const refused = await g.take(call(tenant, { analyst: 'alex' }));
      expect(refused).toMatchObject({ ok: false, reason: 'analyst' });
      // The share (3) refills over the window: one call every 20 s.
      expect((refused as Extract<Decision, { ok: false }>).retryAtMs).toBeLessThanOrEqual(before + 20_000 + 50);
      expect(await grants(g, call(tenant, { analyst: 'sam' }))).toBe(3);
      expect(await grants(g, call(tenant, { analyst: 'kim' }))).toBe(3);
      // The tenant's budget (10) is now short: that is what a fourth analyst is told.
      expect(await grants(g, call(tenant, { analyst: 'lee' }))).toBe(1);
      expect(await g.take(call(tenant, { analyst: 'lee' }))).toMatchObject({ ok: false, reason: 'budget' });
    });

    it('keeps tenants apart', async () => {
      const g = s.open(fivePer2s);
      expect(await grants(g, call(tenant))).toBe(5);
      expect(await grants(g, call(randomUUID()))).toBe(5);
    });

    it('refuses every priority of a paused tenant until the end of the pause, and only that tenant and backend', async () => {
      const g = s.open(fivePer2s);
      const end = s.now() + 5_000;
      await g.pause(tenant, 'graph', end);
      for (const priority of ['interactive', 'delta', 'backfill'] as const) {
        expect(await g.take(call(tenant, { priority }))).toEqual({ ok: false, reason: 'paused', retryAtMs: end });
      }
      expect((await g.take(call(tenant, { backend: 'defender' }))).ok).toBe(true);
      expect((await g.take(call(randomUUID()))).ok).toBe(true);
    });

    it('never shortens a pause', async () => {
      const g = s.open(fivePer2s);
      const end = s.now() + 8_000;
      await g.pause(tenant, 'graph', end);
      await g.pause(tenant, 'graph', s.now() + 1_000);
      expect(await g.take(call(tenant))).toEqual({ ok: false, reason: 'paused', retryAtMs: end });
      expect((await g.status(tenant, 'graph')).pausedUntilMs).toBe(end);
      await g.pause(tenant, 'graph', end + 1_000);
      expect((await g.status(tenant, 'graph')).pausedUntilMs).toBe(end + 1_000);
    });

    it('takes a call from every rule of its kind or from none', async () => {
      // The Defender API's shape: listing is limited per minute and per hour; here the hour's rule is tiny.
      const g = s.open(
        policy([
          { kinds: ['list'], limit: 5, windowMs: 60_000 },
          { kinds: ['list'], limit: 2, windowMs: 3_600_000 },
          { kinds: ['get'], limit: 5, windowMs: 60_000 },
        ]),
      );
      expect(await grants(g, call(tenant))).toBe(2);
      const available = async () => (await g.status(tenant, 'graph')).rules.map((r) => r.available);
      expect(await available()).toEqual([3, 0, 5]);
      // Refused by the hour although the minute has tokens: and the minute's were not taken.
      expect(await g.take(call(tenant))).toMatchObject({ ok: false, reason: 'budget' });
      expect(await available()).toEqual([3, 0, 5]);
      expect(await grants(g, call(tenant, { kind: 'get' }))).toBe(5);
    });

    it('reports availability, the pause, and the last minute of calls by priority', async () => {
      const rule = { kinds: ALL, limit: 10, windowMs: 60_000 };
      const g = s.open(policy([rule]));
      expect(await g.status(tenant, 'graph')).toEqual({
        backend: 'graph',
        pausedUntilMs: null,
        rules: [{ ...rule, available: 10 }],
        lastMinute: { interactive: 0, delta: 0, backfill: 0, denied: 0 },
      });
      await g.take(call(tenant));
      await g.take(call(tenant, { priority: 'delta' }));
      expect(await grants(g, call(tenant, { priority: 'backfill' }))).toBe(3);
      const end = s.now() + 5_000;
      await g.pause(tenant, 'graph', end);
      await g.take(call(tenant));
      expect(await g.status(tenant, 'graph')).toEqual({
        backend: 'graph',
        pausedUntilMs: end,
        rules: [{ ...rule, available: 5 }],
        lastMinute: { interactive: 1, delta: 1, backfill: 3, denied: 2 },
      });
    });

    it('shares one budget between instances', async () => {
      const first = s.open(fivePer2s);
      const second = s.open(fivePer2s);
      const took: boolean[] = [];
      for (let i = 0; i < 6; i++) took.push((await (i % 2 ? second : first).take(call(tenant))).ok);
      expect(took).toEqual([true, true, true, true, true, false]);
      await first.pause(tenant, 'graph', s.now() + 5_000);
      expect(await second.take(call(tenant))).toMatchObject({ ok: false, reason: 'paused' });
    });
  });
}

/** The embedded governor on a clock the tests move. */
function memorySubject(): Subject & { clock: { ms: number } } {
  const clock = { ms: 1_700_000_000_000 };
  const governors = new Map<QuotaPolicy, MemoryGovernor>();
  return {
    clock,
    // One process has one governor: "another instance" of it is the same object.
    open: (p) => {
      let governor = governors.get(p);
      if (!governor) governors.set(p, (governor = new MemoryGovernor(() => p, () => clock.ms)));
      return governor;
    },
    elapse: async (ms) => void (clock.ms += ms),
    now: () => clock.ms,
  };
}

governorContract('MemoryGovernor (injected clock)', memorySubject);

const raw = createClient({ url: REDIS_URL });
beforeAll(() => raw.connect());
afterAll(() => dropKeysAndClose(raw, RUN_PREFIX));
const send = (args: string[]) => raw.sendCommand(args);

governorContract('RedisGovernor (real Redis, two instances)', () => ({
  open: (p) => new RedisGovernor(send, RUN_PREFIX, () => p),
  // A little more than asked: a timer may fire a hair early, and the refill is on Redis's clock.
  elapse: (ms) => sleep(ms + 20),
  now: Date.now,
}));

describe('RedisGovernor specifics', () => {
  const g = new RedisGovernor(send, RUN_PREFIX, () => policy([{ kinds: ALL, limit: 5, windowMs: 2_000 }]));

  it('keeps every key under the prefix and the tenant, with expiries, whatever the tenant id and oid contain', async () => {
    const tenant = `a:b*{c}%:${randomUUID()}`;
    expect((await g.take(call(tenant, { analyst: 'x:rule:0' }))).ok).toBe(true);
    await g.pause(tenant, 'graph', Date.now() + 5_000);
    const base = `${RUN_PREFIX}quota:${encodeURIComponent(tenant)}:graph:`;
    const keys: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${RUN_PREFIX}*`, COUNT: 500 })) keys.push(...batch.filter((k) => k.includes(encodeURIComponent(tenant))));
    expect(keys.every((k) => k.startsWith(base))).toBe(true);
    expect(keys.map((k) => k.slice(base.length)).sort()).toEqual(['pause', 'rule:0', 'rule:0:analyst:x%3Arule%3A0', expect.stringMatching(/^used:\d+$/)]);
    for (const key of keys) {
      const ttl = await raw.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(61_000);
    }
    // The tenant's bucket lives about two windows.
    expect(await raw.pTTL(`${base}rule:0`)).toBeLessThanOrEqual(4_000);
  });

  it('keeps a tenant whose id looks like a key apart from the tenant it imitates', async () => {
    const tenant = randomUUID();
    // Unencoded, this tenant's bucket would be the analyst "graph:rule:0"'s bucket of `tenant`.
    expect(await grants(g, call(`${tenant}:graph:rule:0:analyst`))).toBe(5);
    expect(await grants(g, call(tenant, { analyst: 'graph:rule:0' }))).toBe(5);
  });
});

describe('waitForCall', () => {
  const setup = () => {
    const s = memorySubject();
    const g = s.open(policy([{ kinds: ALL, limit: 5, windowMs: 2_000 }]));
    const slept: number[] = [];
    const fakeSleep = async (ms: number) => {
      slept.push(ms);
      await s.elapse(ms);
    };
    return { s, g, slept, fakeSleep };
  };

  it('waits for the next token when it comes within the wait allowed', async () => {
    const { s, g, slept, fakeSleep } = setup();
    const req = call(randomUUID());
    await grants(g, req);
    expect(await waitForCall(g, req, 1_000, fakeSleep, s.now)).toEqual({ ok: true });
    expect(slept).toEqual([400]);
  });

  it('waits out a pause that ends in time', async () => {
    const { s, g, slept, fakeSleep } = setup();
    const req = call(randomUUID());
    await g.pause(req.tenantId, 'graph', s.now() + 700);
    expect(await waitForCall(g, req, 1_000, fakeSleep, s.now)).toEqual({ ok: true });
    expect(slept).toEqual([700]);
  });

  it('gives up at once when the next token comes after the wait allowed', async () => {
    const { s, g, slept, fakeSleep } = setup();
    const req = call(randomUUID());
    await grants(g, req);
    expect(await waitForCall(g, req, 300, fakeSleep, s.now)).toEqual({ ok: false, reason: 'budget', retryAtMs: s.now() + 400 });
    expect(slept).toEqual([]);
  });
});

describe('MemoryGovernor specifics', () => {
  it('forgets calls older than a minute', async () => {
    const s = memorySubject();
    const g = s.open(policy([{ kinds: ALL, limit: 5, windowMs: 2_000 }]));
    const tenant = randomUUID();
    await grants(g, call(tenant));
    expect((await g.status(tenant, 'graph')).lastMinute).toEqual({ interactive: 5, delta: 0, backfill: 0, denied: 1 });
    await s.elapse(61_000);
    expect(await g.status(tenant, 'graph')).toMatchObject({ rules: [{ available: 5 }], lastMinute: { interactive: 0, delta: 0, backfill: 0, denied: 0 } });
  });
});

describe('policyFor', () => {
  const valid = VALID_ENV;
  const reserve = { interactive: 0, delta: 0.2, backfill: 0.5 };

  it("defaults to Microsoft's published limits, Graph's with headroom", () => {
    const { quota } = loadConfig(valid);
    const published = (p: QuotaPolicy) => p.rules.map((r) => ({ kinds: r.kinds, ...r.published }));
    expect(published(policyFor('graph', quota))).toEqual([{ kinds: ['list', 'get', 'write', 'hunt'], limit: 120, windowMs: 60_000 }]);
    // Hunting queries also take from a budget of their own (Graph: at least 45 a minute per tenant).
    expect(published(policyFor('graph-hunting', quota))).toEqual([{ kinds: ['hunt'], limit: 40, windowMs: 60_000 }]);
    expect(published(policyFor('defender', quota))).toEqual([
      { kinds: ['list'], limit: 50, windowMs: 60_000 },
      { kinds: ['list'], limit: 1_500, windowMs: 3_600_000 },
      { kinds: ['get'], limit: 100, windowMs: 60_000 },
      { kinds: ['get'], limit: 1_500, windowMs: 3_600_000 },
      { kinds: ['write'], limit: 50, windowMs: 60_000 },
    ]);
    expect(policyFor('graph', quota)).toMatchObject({ reserve, analystShare: 0.5 });
  });

  it.each([
    [120, 60_000],
    [50, 60_000],
    [1_500, 3_600_000],
    [7, 60_000],
  ])('never lets more than the published %i calls through in any window of %i ms, as Microsoft counts them', async (limit, windowMs) => {
    let now = 0;
    const g = new MemoryGovernor(() => ({ rules: [within(['list'], limit, windowMs)], reserve, analystShare: 1 }), () => now);
    const granted: number[] = [];
    // Ask four times as often as the limit allows, for three windows, after a quiet spell (a full bucket).
    const step = windowMs / limit / 4;
    for (; now < 3 * windowMs; now += step) {
      if ((await g.take({ tenantId: 't', backend: 'graph', kind: 'list', priority: 'interactive', analyst: 'a' })).ok) granted.push(now);
    }
    const most = Math.max(...granted.map((t) => granted.filter((u) => u >= t && u < t + windowMs).length));
    expect(most).toBeLessThanOrEqual(limit);
    // And the budget is used, not starved: at least 90 % of the limit in a busy window.
    expect(most).toBeGreaterThanOrEqual(Math.floor(limit * 0.9));
  });

  it('takes every limit and the share from the environment', () => {
    const { quota } = loadConfig({
      ...valid,
      QUOTA_GRAPH_PER_MIN: '30',
      QUOTA_DEFENDER_LIST_PER_MIN: '1',
      QUOTA_DEFENDER_LIST_PER_HOUR: '2',
      QUOTA_DEFENDER_GET_PER_MIN: '3',
      QUOTA_DEFENDER_GET_PER_HOUR: '4',
      QUOTA_DEFENDER_WRITE_PER_MIN: '5',
      QUOTA_ANALYST_SHARE: '1',
    });
    expect(policyFor('graph', quota).rules.map((r) => r.published?.limit)).toEqual([30]);
    expect(policyFor('defender', quota).rules.map((r) => r.published?.limit)).toEqual([1, 2, 3, 4, 5]);
    expect(policyFor('graph', quota).analystShare).toBe(1);
  });

  it.each([
    ['QUOTA_ANALYST_SHARE', '0'],
    ['QUOTA_ANALYST_SHARE', '1.5'],
    ['QUOTA_ANALYST_SHARE', 'half'],
    ['QUOTA_GRAPH_PER_MIN', '0'],
    ['QUOTA_DEFENDER_LIST_PER_HOUR', '1.5'],
  ])('refuses %s=%s, naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ ...valid, [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${name} `))).toBe(true);
  });
});
