/**
 * The Entra half's notion of "now". Tests move it forward (`offsetMs`) to prove that codes and refresh
 * tokens expire, instead of sleeping for ten minutes or faking timers under live sockets.
 */
export class Clock {
  offsetMs = 0;

  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds since the epoch, as JWT `iat`/`nbf`/`exp` use. */
  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }
}
