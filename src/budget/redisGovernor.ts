import { PRIORITIES, type Backend, type BudgetStatus, type CallRequest, type Decision, type QuotaGovernor, type QuotaPolicy } from './governor';
import { analystLimit } from './policy';

const COUNTED = [...PRIORITIES, 'denied'] as const;

/**
 * Shared by the scripts. The clock is Redis's own (TIME), so instances whose clocks disagree still
 * refill the same buckets at the same rate. A bucket is a hash {tokens, ts}; an absent one is full.
 * Calls are counted in one hash per second (a field per priority, and `denied`) that outlives the
 * last minute, which `status` sums.
 */
const COMMON = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function level(key, limit, window, now)
  local b = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(b[1]), tonumber(b[2])
  if not tokens or not ts then return limit end
  return math.min(limit, tokens + math.max(0, now - ts) * limit / window)
end
-- Refills add fractions of a token, whose sum can land a hair under a whole one: that much is forgiven.
local EPSILON = 1e-9
`;

/**
 * KEYS: pause, usage prefix, then the buckets the call draws from. ARGV: the priority, then four per
 * bucket: capacity, window (ms), tokens needed, and the reason to give when it is short. All buckets
 * are checked before any is drawn from, so a refused call takes nothing. Replies {'ok'},
 * {'paused', end (epoch ms)} or {reason, wait (ms)}.
 */
const TAKE = `${COMMON}
local now = clock()
local used = KEYS[2] .. math.floor(now / 1000)
local function count(field)
  redis.call('HINCRBY', used, field, 1)
  redis.call('PEXPIRE', used, 61000)
end
-- The pause key expires at its end, so while it exists the tenant waits.
local paused = redis.call('GET', KEYS[1])
if paused then
  count('denied')
  return {'paused', tonumber(paused)}
end
local levels, wait, reason = {}, 0, nil
for k = 3, #KEYS do
  local a = 2 + (k - 3) * 4
  local limit, window, need = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  levels[k] = level(KEYS[k], limit, window, now)
  if levels[k] + EPSILON < need then
    -- Every short bucket must have refilled enough; the tenant's budget is named before an analyst's share.
    wait = math.max(wait, (need - levels[k]) * window / limit)
    if reason ~= 'budget' then reason = ARGV[a + 3] end
  end
end
if reason then
  count('denied')
  return {reason, math.max(1, math.ceil(wait))}
end
for k = 3, #KEYS do
  redis.call('HSET', KEYS[k], 'tokens', levels[k] - 1, 'ts', now)
  redis.call('PEXPIRE', KEYS[k], 2 * tonumber(ARGV[2 + (k - 3) * 4 + 1]))
end
count(ARGV[1])
return {'ok'}
`;

/** KEYS: pause. ARGV: its end (epoch ms). Keeps the later end, so a short pause never cuts a long one. */
const PAUSE = `${COMMON}
local untilMs = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]))
if untilMs > clock() and (not current or untilMs > current) then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
end
return 0
`;

/**
 * KEYS: pause, usage prefix, then every rule's bucket. ARGV: capacity and window per bucket, then
 * the counted fields. Replies {pause end or 0, available per rule…, last minute's count per field…}.
 */
const STATUS = `${COMMON}
local now = clock()
local n = #KEYS - 2
local fields = {}
for i = 2 * n + 1, #ARGV do fields[#fields + 1] = ARGV[i] end
local out = {tonumber(redis.call('GET', KEYS[1])) or 0}
for k = 3, #KEYS do
  local a = 1 + (k - 3) * 2
  out[#out + 1] = math.floor(level(KEYS[k], tonumber(ARGV[a]), tonumber(ARGV[a + 1]), now) + EPSILON)
end
local totals = {}
for i = 1, #fields do totals[i] = 0 end
local second = math.floor(now / 1000)
for s = second - 59, second do
  local counts = redis.call('HMGET', KEYS[2] .. s, unpack(fields))
  for i = 1, #fields do totals[i] = totals[i] + (tonumber(counts[i]) or 0) end
end
for i = 1, #fields do out[#out + 1] = totals[i] end
return out
`;

/**
 * The governor shared by every instance: each decision is one Lua script, atomic in Redis. Scripts
 * go with EVAL, not EVALSHA, for the reason in src/web/rateLimits.ts (a Redis restarted without its
 * script cache must not leave the governor unable to answer).
 *
 * Keys: `${keyPrefix}quota:${tenant}:${backend}:` then `pause`, `used:${epochSecond}`, `rule:${i}` and
 * `rule:${i}:analyst:${oid}`. The tenant id and oid are percent-encoded, so neither can add a `:` that
 * would make one tenant's keys another's.
 */
export class RedisGovernor implements QuotaGovernor {
  /**
   * @param send one raw command, as RedisStore.sendCommand; replies may be strings or numbers
   * @param keyPrefix REDIS_KEY_PREFIX (RedisStore.keyPrefix)
   */
  constructor(
    private readonly send: (args: string[]) => Promise<unknown>,
    private readonly keyPrefix: string,
    private readonly policyFor: (b: Backend) => QuotaPolicy,
  ) {}

  async take(req: CallRequest): Promise<Decision> {
    const base = this.base(req.tenantId, req.backend);
    const policy = this.policyFor(req.backend);
    const keys = [`${base}pause`, `${base}used:`];
    const args: (string | number)[] = [req.priority];
    policy.rules.forEach((rule, i) => {
      if (!rule.kinds.includes(req.kind)) return;
      keys.push(`${base}rule:${i}`, `${base}rule:${i}:analyst:${encodeURIComponent(req.analyst)}`);
      args.push(rule.limit, rule.windowMs, 1 + policy.reserve[req.priority] * rule.limit, 'budget');
      // The priority's reserve holds in the analyst's share too (memoryGovernor.ts says why).
      const share = analystLimit(policy, rule);
      args.push(share, rule.windowMs, 1 + policy.reserve[req.priority] * share, 'analyst');
    });
    const [reason, at] = await this.evalList(TAKE, keys, args);
    if (reason === 'ok') return { ok: true };
    const now = Date.now();
    if (reason === 'paused') return { ok: false, reason, retryAtMs: Math.max(Number(at), now + 1) };
    // A refill wait is a duration on Redis's clock: added to this instance's clock, skew cannot shift it.
    if (reason === 'budget' || reason === 'analyst') return { ok: false, reason, retryAtMs: now + Number(at) };
    throw new Error(`unexpected quota script reply: ${String(reason)}`);
  }

  async pause(tenantId: string, backend: Backend, untilMs: number): Promise<void> {
    await this.eval(PAUSE, [`${this.base(tenantId, backend)}pause`], [Math.ceil(untilMs)]);
  }

  async status(tenantId: string, backend: Backend): Promise<BudgetStatus> {
    const base = this.base(tenantId, backend);
    const { rules } = this.policyFor(backend);
    const keys = [`${base}pause`, `${base}used:`, ...rules.map((_, i) => `${base}rule:${i}`)];
    const reply = (await this.evalList(STATUS, keys, [...rules.flatMap((r) => [r.limit, r.windowMs]), ...COUNTED])).map(Number);
    const [pause = 0] = reply;
    const lastMinute = { interactive: 0, delta: 0, backfill: 0, denied: 0 };
    COUNTED.forEach((what, i) => (lastMinute[what] = reply[1 + rules.length + i] ?? 0));
    return {
      backend,
      pausedUntilMs: pause > 0 ? pause : null,
      rules: rules.map(({ kinds, limit, windowMs }, i) => ({ kinds, limit, windowMs, available: reply[1 + i] ?? 0 })),
      lastMinute,
    };
  }

  private base(tenantId: string, backend: Backend): string {
    return `${this.keyPrefix}quota:${encodeURIComponent(tenantId)}:${backend}:`;
  }

  private eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.send(['EVAL', script, String(keys.length), ...keys, ...args.map(String)]);
  }

  private async evalList(script: string, keys: string[], args: (string | number)[]): Promise<unknown[]> {
    const reply = await this.eval(script, keys, args);
    if (!Array.isArray(reply)) throw new Error('unexpected quota script reply');
    return reply as unknown[];
  }
}
