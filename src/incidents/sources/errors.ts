import type { SecurityApi } from '../../config/config';

export type ApiFailure =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'throttled'
  | 'unavailable'
  | 'malformed'
  | 'timeout'
  | 'network';

/** A failed call to the security API, with what the page needs to explain it (never the token or raw body). */
export class SecurityApiError extends Error {
  constructor(
    readonly api: SecurityApi,
    readonly kind: ApiFailure,
    readonly status: number | undefined,
    readonly details: {
      /** The API's own error code and message, shown as text (Graph's code may be empty). */
      apiCode?: string;
      apiMessage?: string;
      /** The id Microsoft support asks for: Graph's request-id, the Defender API's `target`. */
      trackingId?: string;
      retryAfterSec?: number;
    } = {},
  ) {
    super(`${api} API ${kind}${status ? ` (HTTP ${status})` : ''}${details.apiCode ? `: ${details.apiCode}` : ''}`);
    this.name = 'SecurityApiError';
  }
}

/**
 * A 403 explained from what the analyst's token was granted, not from the error's wording (the
 * documented Defender 403 says only "Forbidden"): either the app lacks the delegated permission,
 * or it has it and the analyst's own role does not allow the call.
 */
export class ApiForbiddenError extends Error {
  constructor(
    readonly api: SecurityApi,
    /** The delegated permission the call needed. */
    readonly permission: string,
    /** Whether the token carried it. */
    readonly permissionGranted: boolean,
    readonly write: boolean,
    readonly refusal: SecurityApiError,
  ) {
    super(`${api} API refused the call: ${permissionGranted ? 'role' : `missing ${permission}`}`);
    this.name = 'ApiForbiddenError';
  }
}

/**
 * The tenant's API budget has no call for this caller now (or Microsoft asked the tenant to wait):
 * nothing was sent. Pages fall back to the index; writes keep the analyst's text and say when.
 */
export class BudgetExhaustedError extends Error {
  constructor(
    readonly api: SecurityApi,
    readonly reason: 'paused' | 'budget' | 'analyst',
    readonly retryAtMs: number,
  ) {
    super(`${api} API budget: ${reason}, next call at ${new Date(retryAtMs).toISOString()}`);
    this.name = 'BudgetExhaustedError';
  }
}
