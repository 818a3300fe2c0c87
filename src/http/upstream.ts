import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent } from 'undici';

/**
 * The one connection pool for calls to Entra and Defender. When the emulator's CA is configured it is
 * trusted *in addition to* the public roots, so verification stays on for every host.
 */
export function createUpstreamAgent(extraCaPem?: string, timeoutMs = 10_000): Agent {
  // Built once: given a `ca` list instead, Node parses every root certificate again for each new
  // connection (measured: 26 ms of event-loop time per connection).
  const secureContext = extraCaPem ? createSecureContext({ ca: [...rootCertificates, extraCaPem] }) : undefined;
  return new Agent({
    connect: { secureContext, timeout: Math.min(timeoutMs, 5_000) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 10_000,
  });
}

/** Parses a Retry-After header (seconds or HTTP date) into whole seconds, capped so a page never waits absurdly. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 3600);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), 3600);
}

/**
 * Whether a fetch failure was a timeout: our AbortSignal.timeout, or undici's own connect, headers
 * or body timeouts, which fetch reports as "fetch failed" with the timeout as the cause.
 */
export function isTimeout(err: unknown): boolean {
  // Duck-typed: the DOMException fetch throws is not `instanceof Error` in every realm (jest's, for one).
  let e = err as { name?: unknown; code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 3; depth++, e = e.cause as typeof e) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    if (typeof e.code === 'string' && /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$/.test(e.code)) return true;
  }
  return false;
}
