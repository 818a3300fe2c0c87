import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import type { SecurityApi } from '../../config/config';
import { t } from '../../i18n/i18n';
import { isTimeout, parseRetryAfter } from '../../http/upstream';
import { SecurityApiError, type ApiFailure } from './errors';

/** Upstream waits this app absorbs by retrying once; longer ones go back to the analyst as a page. */
const MAX_INLINE_RETRY_AFTER_SEC = 2;

function failureFor(status: number): ApiFailure {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : undefined);

/**
 * The wait a throttled answer asks for: the Retry-After header (Graph, the Defender for Endpoint
 * API), else the sentence the Defender API puts in its message ("…again in 8 seconds").
 */
export function retryAfterOf(header: string | undefined, message: string | undefined): number | undefined {
  const fromHeader = parseRetryAfter(header);
  if (fromHeader !== undefined) return fromHeader;
  const m = message?.match(/(\d{1,5})\s*(second|sec|s\b|minute|min)/i);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.min(/^min/i.test(m[2] ?? '') ? n * 60 : n, 3600);
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body (204, or a PATCH answered without one). */
  body: unknown;
}

/**
 * HTTP to one security API as the signed-in analyst. Every call has a deadline; GETs retry once on
 * a short 429/503/504 or a dropped connection, honouring the wait asked for; writes never retry.
 */
export class ApiHttp {
  private readonly origin: string;

  constructor(
    readonly api: SecurityApi,
    private readonly baseUrl: string,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  /** Builds a URL under the base; a continuation link from the API is followed only if it stays under it. */
  url(pathOrLink: string): string {
    if (pathOrLink.startsWith('/')) return `${this.baseUrl}${pathOrLink}`;
    const link = new URL(pathOrLink);
    if (link.origin !== this.origin || !link.href.startsWith(`${this.baseUrl}/`)) {
      throw new SecurityApiError(this.api, 'malformed', 200, { apiMessage: t('errors:source.foreignLink') });
    }
    return link.href;
  }

  /**
   * `options.signal` stops the call when whoever asked for it goes away (its reason is thrown);
   * `options.timeoutMs` replaces the API's usual deadline for calls known to run long.
   */
  async call(token: string, method: 'GET' | 'PATCH' | 'POST', pathOrLink: string, json?: unknown, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ApiResponse> {
    const url = this.url(pathOrLink);
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(token, method, url, json, deadline, options.signal);
      } catch (err) {
        if (!(err instanceof SecurityApiError) || method !== 'GET' || attempt > 0) throw err;
        const wait = retryDelayMs(err);
        if (wait === undefined || Date.now() + wait >= deadline - 500) throw err;
        this.logger.info({ api: this.api, kind: err.kind, status: err.status, waitMs: wait }, 'retrying API call');
        await sleep(wait);
      }
    }
  }

  private async once(token: string, method: string, url: string, json: unknown, deadline: number, cancel: AbortSignal | undefined): Promise<ApiResponse> {
    const started = Date.now();
    const left = Math.max(1, deadline - started);
    const timeout = AbortSignal.timeout(left);
    let res;
    let raw: string;
    try {
      res = await request(url, {
        method: method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...this.extraHeaders,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        dispatcher: this.dispatcher,
        // The pool's own timeouts are the usual deadline's; a call with a longer one needs them as long.
        headersTimeout: left,
        bodyTimeout: left,
        signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout,
      });
      raw = await res.body.text();
    } catch (err) {
      if (cancel?.aborted) throw cancel.reason;
      throw new SecurityApiError(this.api, isTimeout(err) ? 'timeout' : 'network', res?.statusCode);
    }
    const status = res.statusCode;
    this.logger.debug({ api: this.api, method, path: new URL(url).pathname, status, ms: Date.now() - started }, 'api call');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      if (status < 300) throw new SecurityApiError(this.api, 'malformed', status, { apiMessage: t('errors:source.notJson') });
      body = undefined;
    }
    if (status < 300) return { status, body };
    const error = (body as { error?: { code?: unknown; message?: unknown; target?: unknown; innerError?: { 'request-id'?: unknown } } } | undefined)?.error;
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const apiMessage = text(error?.message);
    throw new SecurityApiError(this.api, failureFor(status), status, {
      apiCode: text(error?.code) || undefined,
      apiMessage,
      trackingId: text(error?.target) ?? text(error?.innerError?.['request-id']) ?? header('request-id'),
      retryAfterSec: status === 429 || status === 503 ? retryAfterOf(header('retry-after'), apiMessage) : undefined,
    });
  }
}

function retryDelayMs(err: SecurityApiError): number | undefined {
  if (err.kind === 'throttled' || (err.kind === 'unavailable' && (err.status === 503 || err.status === 504))) {
    const sec = err.details.retryAfterSec;
    // No stated wait: a throttled answer is not retried blindly (early retries count against the quota).
    if (sec === undefined) return err.kind === 'throttled' ? undefined : 1000;
    return sec <= MAX_INLINE_RETRY_AFTER_SEC ? sec * 1000 : undefined;
  }
  if (err.kind === 'network') return 200;
  return undefined;
}
