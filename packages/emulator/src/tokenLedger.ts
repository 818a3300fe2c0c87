/**
 * When each access token was issued, to the millisecond, by its `uti`. "Expire all access tokens now"
 * must refuse every token issued before the call and none issued after, which whole-second `iat`
 * cannot tell apart when a refresh follows within the same second.
 */
export class AccessTokenLedger {
  private readonly issuedAt = new Map<string, number>();
  private revokedUpTo = 0;

  constructor(private readonly maxEntries = 100_000) {}

  recordIssued(uti: string, atMs = Date.now()): void {
    this.issuedAt.set(uti, atMs);
    if (this.issuedAt.size > this.maxEntries) {
      const oldest = this.issuedAt.keys().next().value;
      if (oldest !== undefined) this.issuedAt.delete(oldest);
    }
  }

  revokeAllIssuedUntilNow(): void {
    this.revokedUpTo = Date.now();
  }

  /** Tokens the ledger no longer remembers fall back to their whole-second `iat`. */
  isRevoked(uti: unknown, iatSec: number): boolean {
    const issued = (typeof uti === 'string' ? this.issuedAt.get(uti) : undefined) ?? iatSec * 1000;
    return issued <= this.revokedUpTo;
  }
}
