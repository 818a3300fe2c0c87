import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { fetch, type Agent } from 'undici';
import { isTimeout, parseRetryAfter } from '../http/upstream';
import { DefenderApiError, type DefenderFailure } from './errors';
import type { Incident, IncidentPatch } from './types';

export interface ListQuery {
  filter?: string;
  top: number;
  skip?: number;
}

/** Upstream waits this app absorbs by retrying once; longer ones go back to the analyst as a page. */
const MAX_INLINE_RETRY_AFTER_SEC = 2;

function failureFor(status: number): DefenderFailure {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

/**
 * Calls the Defender incidents API as the signed-in analyst. Every call has a timeout; GETs retry once
 * on a short 429/503/504 or a dropped connection, honouring Retry-After; writes never retry.
 */
export class DefenderClient {
  constructor(
    private readonly baseUrl: string,
    private readonly agent: Agent,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async listIncidents(token: string, query: ListQuery): Promise<Incident[]> {
    const params = new URLSearchParams();
    if (query.filter) params.set('$filter', query.filter);
    params.set('$top', String(query.top));
    if (query.skip) params.set('$skip', String(query.skip));
    const body = await this.call(token, 'GET', `/api/incidents?${params.toString()}`);
    const value = (body as { value?: unknown }).value;
    if (!Array.isArray(value) || value.some((i) => !isIncident(i))) {
      throw new DefenderApiError('malformed', 200, undefined, 'The incident list did not have the expected shape.');
    }
    return value as Incident[];
  }

  async getIncident(token: string, id: number): Promise<Incident> {
    const body = await this.call(token, 'GET', `/api/incidents/${id}`);
    if (!isIncident(body)) throw new DefenderApiError('malformed', 200, undefined, 'The incident did not have the expected shape.');
    return body;
  }

  async updateIncident(token: string, id: number, patch: IncidentPatch): Promise<Incident> {
    const body = await this.call(token, 'PATCH', `/api/incidents/${id}`, patch);
    if (!isIncident(body)) throw new DefenderApiError('malformed', 200, undefined, 'The updated incident did not have the expected shape.');
    return body;
  }

  private async call(token: string, method: 'GET' | 'PATCH', path: string, json?: unknown): Promise<unknown> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(token, method, path, json, deadline);
      } catch (err) {
        if (!(err instanceof DefenderApiError) || method !== 'GET' || attempt > 0) throw err;
        const wait = retryDelayMs(err);
        if (wait === undefined || Date.now() + wait >= deadline - 500) throw err;
        this.logger.info({ kind: err.kind, status: err.status, waitMs: wait }, 'retrying Defender call');
        await sleep(wait);
      }
    }
  }

  private async once(token: string, method: string, path: string, json: unknown, deadline: number): Promise<unknown> {
    const started = Date.now();
    let res;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (err) {
      throw new DefenderApiError(isTimeout(err) ? 'timeout' : 'network', undefined);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new DefenderApiError(isTimeout(err) ? 'timeout' : 'network', res.status);
    }
    this.logger.debug({ method, path: path.split('?')[0], status: res.status, ms: Date.now() - started }, 'defender call');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
      if (res.ok) throw new DefenderApiError('malformed', res.status, undefined, 'Defender answered with something other than JSON.');
    }
    if (res.ok) return body;
    const error = (body as { error?: { code?: unknown; message?: unknown; target?: unknown } } | undefined)?.error;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : undefined);
    throw new DefenderApiError(
      failureFor(res.status),
      res.status,
      str(error?.code),
      str(error?.message),
      str(error?.target),
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }
}

function retryDelayMs(err: DefenderApiError): number | undefined {
  if (err.kind === 'throttled' || (err.kind === 'unavailable' && (err.status === 503 || err.status === 504))) {
    const sec = err.retryAfterSec ?? 1;
    return sec <= MAX_INLINE_RETRY_AFTER_SEC ? sec * 1000 : undefined;
  }
  if (err.kind === 'network') return 200;
  return undefined;
}

function isIncident(v: unknown): v is Incident {
  if (typeof v !== 'object' || v === null) return false;
  const i = v as Record<string, unknown>;
  return Number.isInteger(i.incidentId) && typeof i.status === 'string' && typeof i.lastUpdateTime === 'string' && typeof i.createdTime === 'string';
}
