import { randomUUID } from 'node:crypto';

/**
 * Responses in the shape of the real API: OData JSON headers (service-facts §1.1) and errors as
 * `{"error":{"code","message","target"}}` where `target` is a fresh tracking id (§1.12).
 */

export const ODATA_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type ErrorCode =
  | 'BadRequest'
  | 'ODataError'
  | 'InvalidRequestBody'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'ResourceNotFound'
  | 'TooManyRequests'
  | 'InternalServerError'
  | 'ServiceUnavailable';

export function errorReply(status: number, code: ErrorCode, message: string, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify({ error: { code, message, target: randomUUID() } }), headers };
}

export function unauthorized(message: string): Reply {
  // Whether the real API sends WWW-Authenticate on 401 is unconfirmed (service-facts §1.12); RFC 6750 asks
  // for it, and clients that ignore it lose nothing.
  return errorReply(401, 'Unauthorized', message, { 'WWW-Authenticate': 'Bearer' });
}

/** The real API's wording; its quotas are per minute. */
export function quotaMessage(limit: number, operation: string, retryAfterSec: number): string {
  return `API calls quota exceeded! Maximum allowed ${limit} calls per 1 minute for ${operation}. Try again in ${plural(retryAfterSec, 'second')}.`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function throttled(message: string, retryAfterSec: number): Reply {
  return errorReply(429, 'TooManyRequests', message, { 'Retry-After': String(retryAfterSec) });
}

/**
 * The throttling answer observed from the legacy platform (graph-security-api.md §5): 429 with no
 * Retry-After header, the wait only in the message.
 */
export function legacyThrottled(retryAfterSec: number): Reply {
  return errorReply(429, 'TooManyRequests', `API calls quota exceeded! You can send requests again in ${retryAfterSec} seconds.`);
}
