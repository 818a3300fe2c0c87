import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { describeError } from '../logging/logger';
import { StoreUnavailableError, type KeyValueStore } from './store';

/** A request waits at most this long for Redis before the analyst sees "session store unavailable". */
const COMMAND_TIMEOUT_MS = 500;
const LOCK_TTL_MS = 15_000;
const LOCK_WAIT_MS = 10_000;

// Deletes the lock only if we still own it, so a lock that expired and was taken over is left alone.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * The shared store for several instances. Fails fast instead of queueing while Redis is down
 * (node-redis would otherwise hold commands for its 5 s connect timeout and beyond), and keeps
 * reconnecting in the background so the service recovers without a restart.
 */
export class RedisStore implements KeyValueStore {
  private constructor(
    private readonly client: RedisClientType,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, logger: Logger): Promise<RedisStore> {
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
      },
    }) as RedisClientType;
    let lastLogged = 0;
    // Without a listener node-redis errors are unhandled and would kill the process.
    client.on('error', (err) => {
      if (Date.now() - lastLogged > 5_000) {
        lastLogged = Date.now();
        logger.error({ err: describeError(err) }, 'redis error');
      }
    });
    client.on('ready', () => logger.info('redis ready'));
    const store = new RedisStore(client, logger);
    try {
      await client.connect();
    } catch (err) {
      // Start anyway: requests answer 503 and /readyz fails until Redis is back.
      logger.error({ err: describeError(err) }, 'redis not reachable at start; retrying in the background');
    }
    return store;
  }

  private async run<T>(op: (c: RedisClientType) => Promise<T>): Promise<T> {
    if (!this.client.isReady) throw new StoreUnavailableError(new Error('redis not connected'));
    try {
      return await op(this.client.withCommandOptions({ timeout: COMMAND_TIMEOUT_MS }) as unknown as RedisClientType);
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run((c) => c.get(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run((c) => c.set(key, value, { expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } }));
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.run((c) => c.pExpire(key, Math.max(1, Math.round(ttlMs))));
  }

  async delete(key: string): Promise<void> {
    await this.run((c) => c.del(key));
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `lock:${key}`;
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const ok = await this.run((c) => c.set(lockKey, token, { condition: 'NX', expiration: { type: 'PX', value: LOCK_TTL_MS } }));
      if (ok === 'OK') break;
      if (Date.now() > deadline) throw new StoreUnavailableError(new Error(`lock ${key} busy`));
      await sleep(delay + Math.floor(Math.random() * delay));
    }
    try {
      return await fn();
    } finally {
      await this.run((c) => c.eval(RELEASE, { keys: [lockKey], arguments: [token] })).catch((err) => {
        this.logger.warn({ err: describeError(err) }, 'lock release failed; it expires on its own');
      });
    }
  }

  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
  }
}
