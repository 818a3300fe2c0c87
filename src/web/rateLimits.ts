import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { RedisStore as RedisCounterStore, type RedisReply } from 'rate-limit-redis';
import { t } from '../i18n/i18n';
import type { KeyValueStore } from '../store/store';

/**
 * The limits' counters: in Redis when the app's store is Redis (rate-limit-redis over the app's own
 * connection, with its deadline and fail-fast), so that every instance counts together; in this
 * process otherwise. rate-limit-redis loads its Lua scripts once with SCRIPT LOAD and then runs them
 * with EVALSHA; here they are sent with EVAL instead, so that an instance started while Redis was
 * down, or a Redis restarted without its script cache, never leaves a limiter unable to count.
 */
function counters(store: KeyValueStore, name: string): Store | undefined {
  const send = store.sendCommand?.bind(store);
  if (!send) return undefined;
  const scripts = new Map<string, string>();
  return new RedisCounterStore({
    prefix: `${store.keyPrefix ?? ''}rl:${name}:`,
    sendCommand: async (...args: string[]): Promise<RedisReply> => {
      const [command, sub, body] = args;
      if (command === 'SCRIPT' && sub === 'LOAD' && body !== undefined) {
        const sha = createHash('sha1').update(body).digest('hex');
        scripts.set(sha, body);
        return sha;
      }
      const script = command === 'EVALSHA' && sub !== undefined ? scripts.get(sub) : undefined;
      return (await send(script !== undefined ? ['EVAL', script, ...args.slice(2)] : args)) as RedisReply;
    },
  });
}

/**
 * A per-client-address limit over one minute. The address is `req.ip`: the right-most
 * X-Forwarded-For entry not added by a proxy TRUST_PROXY names (a hop count or subnets; `true`, which
 * would take the left-most entry the client writes itself, is refused by the configuration).
 * The refusal's text is a catalogue key, read when a client is refused so it comes in their language.
 */
export function perClientLimit(store: KeyValueStore, name: string, limit: number, messageKey: 'errors:rateLimit.signIn' | 'errors:rateLimit.adminConsent'): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: counters(store, name),
    // These two warn (on stderr, outside the JSON log) whenever a client sends X-Forwarded-For or
    // Forwarded itself, which anyone can: not a reason for an error line. TRUST_PROXY is validated at start.
    validate: { xForwardedForHeader: false, forwardedHeader: false },
    handler: (_req: Request, res: Response) => {
      res.status(429).set('Cache-Control', 'no-store').type('text/plain').send(t(messageKey));
    },
  });
}
