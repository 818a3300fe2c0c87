import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { describeError } from '../logging/logger';
import { StoreUnavailableError, type KeyValueStore } from './store';

/** How long start-up waits for a first connection before listening anyway (and answering 503 meanwhile). */
const STARTUP_WAIT_MS = 2_000;
/**
 * A connection that neither sends nor receives for this long is dropped and re-established. The
 * PING below keeps a healthy idle connection busier than that; a Redis that stopped answering
 * (frozen process, silent network partition) goes quiet because this store stops writing to it.
 */
const PING_INTERVAL_MS = 1_000;
const SOCKET_IDLE_MS = 3_000;

// Deletes the lock only if we still own it, so a lock that expired and was taken over is left alone.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

class CommandTimeoutError extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = 'CommandTimeoutError';
  }
}

export interface RedisStoreOptions {
  /** Prepended to every key (REDIS_KEY_PREFIX), so deployments and test runs sharing a Redis stay apart. */
  keyPrefix?: string;
  /** A request waits at most this long for Redis before the analyst sees "session store unavailable". */
  commandTimeoutMs?: number;
  /** A lock left by a crashed holder frees itself after this long. */
  lockTtlMs?: number;
  /** How long a request waits for another to release a lock before answering 503. */
  lockWaitMs?: number;
}

/**
 * The shared store for several instances. Fails fast instead of queueing while Redis is down
 * (node-redis would otherwise hold commands for its 5 s connect timeout and beyond), and keeps
 * reconnecting in the background so the service recovers without a restart.
 */
export class RedisStore implements KeyValueStore {
  /**
   * Commands that timed out and are still unanswered. While there are any, the connection is
   * presumed stuck and new commands fail at once instead of piling up behind them; the count falls
   * back to zero when Redis answers late or node-redis drops the connection (which rejects them).
   */
  private stalled = 0;

  private readonly prefix: string;
  private readonly commandTimeoutMs: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;

  private constructor(
    private readonly client: RedisClientType,
    private readonly logger: Logger,
    options: RedisStoreOptions,
  ) {
    this.prefix = options.keyPrefix ?? '';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  static async connect(url: string, logger: Logger, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const client = createClient({
      url,
      disableOfflineQueue: true,
      pingInterval: PING_INTERVAL_MS,
      socket: {
        connectTimeout: 2_000,
        socketTimeout: SOCKET_IDLE_MS,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
      },
    }) as RedisClientType;
    let lastLogged = 0;
    // Without a listener node-redis errors are unhandled and would kill the process.
    client.on('error', (err) => {
      if (Date.now() - lastLogged > 5_000) {
        lastLogged = Date.now();
        logger.error({ error: describeError(err) }, 'redis error');
      }
    });
    client.on('ready', () => logger.info('redis ready'));
    const store = new RedisStore(client, logger, options);
    // node-redis's connect() only settles once connected (it retries by the strategy above), so it
    // must not be awaited unbounded: with Redis down at start the process would never listen, and
    // /healthz would fail along with /readyz. Requests answer 503 until Redis is back.
    const connected = client.connect().then(
      () => true,
      (err: unknown) => {
        logger.error({ error: describeError(err) }, 'redis connection given up');
        return false;
      },
    );
    const first = await Promise.race([connected, sleep(STARTUP_WAIT_MS, false, { ref: false })]);
    if (!first) logger.error('redis not reachable at start; retrying in the background');
    return store;
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  private async run<T>(op: (c: RedisClientType) => Promise<T>): Promise<T> {
    if (!this.client.isReady) throw new StoreUnavailableError(new Error('redis not connected'));
    if (this.stalled > 0) throw new StoreUnavailableError(new Error('redis connection stalled'));
    // node-redis's own command timeout stops counting once a command is written to the socket, so a
    // Redis that accepts bytes but never answers would hang the request: the deadline is ours.
    const pending = op(this.client.withCommandOptions({ timeout: this.commandTimeoutMs }));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandTimeoutError(this.commandTimeoutMs)), this.commandTimeoutMs);
    });
    try {
      return await Promise.race([pending, deadline]);
    } catch (err) {
      if (err instanceof CommandTimeoutError) {
        // The abandoned command keeps its place in node-redis's reply queue, so replies still pair
        // with the right commands; it only has to be counted until it settles.
        this.stalled++;
        pending.then(
          () => this.stalled--,
          () => this.stalled--,
        );
      }
      throw new StoreUnavailableError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run((c) => c.get(this.key(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run((c) => c.set(this.key(key), value, { expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } }));
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.run((c) => c.pExpire(this.key(key), Math.max(1, Math.round(ttlMs))));
  }

  async delete(key: string): Promise<void> {
    await this.run((c) => c.del(this.key(key)));
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = this.key(`lock:${key}`);
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + this.lockWaitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      let ok: string | null;
      try {
        ok = await this.run((c) => c.set(lockKey, token, { condition: 'NX', expiration: { type: 'PX', value: this.lockTtlMs } }));
      } catch (err) {
        // A SET that timed out may still succeed once Redis answers; queue the release right behind
        // it (same connection, so in order) rather than leave the account locked for the lock's TTL.
        if (err instanceof StoreUnavailableError && err.cause instanceof CommandTimeoutError) this.releaseQuietly(lockKey, token);
        throw err;
      }
      if (ok === 'OK') break;
      if (Date.now() > deadline) throw new StoreUnavailableError(new Error(`lock ${key} busy`));
      await sleep(delay + Math.floor(Math.random() * delay));
    }
    try {
      return await fn();
    } finally {
      await this.run((c) => c.eval(RELEASE, { keys: [lockKey], arguments: [token] })).catch((err) => {
        // Queued anyway if still connected, so a Redis that was only slow frees the lock when it catches up.
        this.releaseQuietly(lockKey, token);
        this.logger.warn({ error: describeError(err) }, 'lock release failed; it expires on its own');
      });
    }
  }

  /** Fire-and-forget release that bypasses the stall check (it must queue behind the stalled commands). */
  private releaseQuietly(lockKey: string, token: string): void {
    if (!this.client.isReady) return;
    this.client.eval(RELEASE, { keys: [lockKey], arguments: [token] }).catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  /**
   * One raw command, with this store's deadline and fail-fast (the caller prefixes its own keys with
   * `keyPrefix`): the rate limits' counters, shared by every instance, go through it.
   */
  async sendCommand(args: string[]): Promise<unknown> {
    return this.run((c) => c.sendCommand(args));
  }

  /** REDIS_KEY_PREFIX, for callers of sendCommand. */
  get keyPrefix(): string {
    return this.prefix;
  }

  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    // A graceful QUIT queues behind stalled commands and never settles while Redis is down.
    if (this.client.isReady && this.stalled === 0) {
      await Promise.race([this.client.close().catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
    }
    if (this.client.isOpen) this.client.destroy();
  }
}
