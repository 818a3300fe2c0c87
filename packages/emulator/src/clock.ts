/**
 * The emulator's one notion of "now", read by every part: Entra (codes, refresh tokens, SSO sessions,
 * token `iat`/`exp`), the incident store (lastUpdateTime of changes), quotas, the access-token ledger and
 * the Defender API's JWT checks. It runs in real time from a start instant; tests and demos move it
 * forward (`advance`) or to an instant (`set`) to step past a lifetime instead of waiting for it.
 *
 * Only the emulator reads it: the app and msal keep real time, as they would against Microsoft.
 * TLS certificates are the exception, since real clients check those against their own clocks.
 */
export class Clock {
  private offsetMs: number;

  /** `startMs`: the instant the clock shows now (default: real time). */
  constructor(startMs?: number) {
    this.offsetMs = startMs === undefined ? 0 : startMs - Date.now();
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds since the epoch, as JWT `iat`/`nbf`/`exp` use. */
  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the clock forward by `ms` (0 or more); returns the new now. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the clock only moves forward: advance by ${ms} ms`);
    this.offsetMs += ms;
    return this.now();
  }

  /** Sets the clock to `epochMs` (earlier or later than now); returns the new now. */
  set(epochMs: number): number {
    if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
    this.offsetMs = epochMs - Date.now();
    return this.now();
  }
}
