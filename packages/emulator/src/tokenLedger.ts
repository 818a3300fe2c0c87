import { LRUCache } from 'lru-cache';
import type { Clock } from './clock';

/**
 * When each access token was issued, to the millisecond, by its `uti`. "Expire all access tokens now"
 * must refuse every token issued before the call and none issued after, which whole-second `iat`
 * cannot tell apart when a refresh follows within the same second. Times are the emulator clock's.
 */
export class AccessTokenLedger {
  private readonly issuedAt: LRUCache<string, number>;
  private revokedUpTo = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    maxEntries = 100_000,
  ) {
    this.issuedAt = new LRUCache({ max: maxEntries });
  }

  recordIssued(uti: string): void {
    this.issuedAt.set(uti, this.clock.now());
  }

  revokeAllIssuedUntilNow(): void {
    this.revokedUpTo = this.clock.now();
  }

  /** Tokens the ledger no longer remembers fall back to their whole-second `iat`. */
  isRevoked(uti: unknown, iatSec: number): boolean {
    const issued = (typeof uti === 'string' ? this.issuedAt.peek(uti) : undefined) ?? iatSec * 1000;
    return issued <= this.revokedUpTo;
  }
}
