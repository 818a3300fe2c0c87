import { randomUUID } from 'node:crypto';

/**
 * Microsoft Graph's response shapes (graph-security-api.md §5): JSON with OData headers, a `request-id`
 * (and `client-request-id`) on every answer, and errors as
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */

export const GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export interface GraphReply {
  status: number;
  /** JSON text; empty for 204. */
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** The request's ids, echoed in every error's innerError and in the headers. */
export interface RequestIds {
  requestId: string;
  clientRequestId: string;
  /** Graph's innerError date: the emulator clock, whole seconds, no zone (as observed). */
  date: string;
}

export function requestIds(nowMs: number, clientRequestId: string | undefined): RequestIds {
  const requestId = randomUUID();
  return { requestId, clientRequestId: clientRequestId || requestId, date: new Date(nowMs).toISOString().slice(0, 19) };
}

export function graphError(ids: RequestIds, status: number, code: string, message: string, headers?: Record<string, string>): GraphReply {
  const body = { error: { code, message, innerError: { date: ids.date, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId } } };
  return { status, body: JSON.stringify(body), headers };
}

export const badRequest = (ids: RequestIds, message: string) => graphError(ids, 400, 'BadRequest', message);

export function invalidToken(ids: RequestIds, message: string, authorityHost: string): GraphReply {
  return graphError(ids, 401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="${authorityHost}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
  });
}

export function tooManyRequests(ids: RequestIds, retryAfterSec: number): GraphReply {
  return graphError(ids, 429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': String(retryAfterSec) });
}

export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
