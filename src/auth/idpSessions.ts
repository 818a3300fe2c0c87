import { createHash } from 'node:crypto';
import { destroySessionById } from '../store/sessionStore';
import type { KeyValueStore } from '../store/store';

/** How many ThreatDesk sessions one Entra sign-in session may map to (one per sign-in on that browser). */
const MAX_SESSIONS_PER_IDP_SESSION = 20;

export interface IdpSessionEntry {
  /** ThreatDesk's own session id. */
  sessionId: string;
  /** The id_token's `iss`, compared when Entra's front-channel call names one. */
  issuer: string;
  oid: string;
  tid: string;
  homeAccountId: string;
}

/**
 * Which ThreatDesk sessions belong to which Entra sign-in session (the id_token's `sid` claim), so
 * that Entra's front-channel sign-out, which arrives in a cross-site iframe without ThreatDesk's
 * `SameSite=Lax` cookie, can still end them server-side. Keys are a hash of the `sid`, so the store
 * never holds it in the clear; entries live as long as a session can (the absolute limit).
 */
export class IdpSessionIndex {
  constructor(
    private readonly store: KeyValueStore,
    private readonly ttlMs: number,
  ) {}

  private static key(idpSessionId: string): string {
    return `idp-sid:${createHash('sha256').update(idpSessionId).digest('base64url')}`;
  }

  /** Records that `entry.sessionId` was signed in through Entra session `idpSessionId`. */
  async link(idpSessionId: string, entry: IdpSessionEntry): Promise<void> {
    const key = IdpSessionIndex.key(idpSessionId);
    await this.store.withLock(key, async () => {
      const entries = [...(await this.read(key)).filter((e) => e.sessionId !== entry.sessionId), entry].slice(-MAX_SESSIONS_PER_IDP_SESSION);
      await this.store.set(key, JSON.stringify(entries), this.ttlMs);
    });
  }

  /**
   * Ends every ThreatDesk session of Entra session `idpSessionId` (whose issuer matches `issuer`,
   * when given) and returns what they were, for the caller to forget tokens and log. Entries of
   * another issuer stay.
   */
  async end(idpSessionId: string, issuer: string | undefined): Promise<IdpSessionEntry[]> {
    const key = IdpSessionIndex.key(idpSessionId);
    return this.store.withLock(key, async () => {
      const entries = await this.read(key);
      const ended = entries.filter((e) => issuer === undefined || e.issuer === issuer);
      const kept = entries.filter((e) => !ended.includes(e));
      await Promise.all(ended.map((e) => destroySessionById(this.store, e.sessionId)));
      if (kept.length) await this.store.set(key, JSON.stringify(kept), this.ttlMs);
      else await this.store.delete(key);
      return ended;
    });
  }

  private async read(key: string): Promise<IdpSessionEntry[]> {
    const raw = await this.store.get(key);
    if (raw === undefined) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      return Array.isArray(parsed) ? (parsed as IdpSessionEntry[]).filter((e) => typeof e?.sessionId === 'string') : [];
    } catch {
      return [];
    }
  }
}
