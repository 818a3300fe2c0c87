export type DefenderFailure =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'throttled'
  | 'unavailable'
  | 'malformed'
  | 'timeout'
  | 'network';

/** A failed Defender API call, with what the page needs to explain it (never the token or raw body). */
export class DefenderApiError extends Error {
  constructor(
    readonly kind: DefenderFailure,
    readonly status: number | undefined,
    /** The API's own error code and message (`error.code`, `error.message`), shown as text. */
    readonly apiCode?: string,
    readonly apiMessage?: string,
    /** `error.target`: the tracking id Microsoft support asks for. */
    readonly trackingId?: string,
    readonly retryAfterSec?: number,
  ) {
    super(`Defender API ${kind}${status ? ` (HTTP ${status})` : ''}${apiCode ? `: ${apiCode}` : ''}`);
    this.name = 'DefenderApiError';
  }
}
