import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { KeyValueStore } from '../store/store';

/**
 * Each analyst's msal token cache, stored as one encrypted blob per account (homeAccountId).
 * AES-256-GCM with the cache key as associated data, so a blob copied under another account's key
 * fails to decrypt instead of handing one analyst another's tokens. The first key encrypts; all
 * keys decrypt (rotation).
 */
export class TokenCacheStore {
  private readonly keys: { id: string; key: Buffer }[];
  /** The first key seals; every key opens. */
  private readonly sealing: { id: string; key: Buffer };

  constructor(
    private readonly store: KeyValueStore,
    keys: Buffer[],
    /** How long a cache blob lives untouched: as long as its refresh token can (Entra: 90 days). */
    private readonly ttlMs = 90 * 24 * 3600 * 1000,
  ) {
    if (!keys.length || keys.some((k) => k.length !== 32)) throw new Error('token cache keys must be 32 bytes each');
    const [first, ...rest] = keys.map((key) => ({ id: createHash('sha256').update(key).digest('hex').slice(0, 8), key }));
    if (!first) throw new Error('token cache keys must be 32 bytes each');
    this.keys = [first, ...rest];
    this.sealing = first;
  }

  static keyFor(homeAccountId: string): string {
    return `tc:${homeAccountId}`;
  }

  async load(homeAccountId: string): Promise<string | undefined> {
    const key = TokenCacheStore.keyFor(homeAccountId);
    const sealed = await this.store.get(key);
    return sealed === undefined ? undefined : this.open(sealed, key);
  }

  async save(homeAccountId: string, serializedCache: string): Promise<void> {
    const key = TokenCacheStore.keyFor(homeAccountId);
    await this.store.set(key, this.seal(serializedCache, key), this.ttlMs);
  }

  async remove(homeAccountId: string): Promise<void> {
    await this.store.delete(TokenCacheStore.keyFor(homeAccountId));
  }

  /**
   * An msal cache plugin bound to one account's partition. `loaded` is the blob the caller already
   * read: msal asks for the cache before every operation, and one read per use is enough.
   */
  pluginFor(homeAccountId: string, loaded: string): ICachePlugin {
    let pending: string | undefined = loaded;
    return {
      beforeCacheAccess: (ctx: TokenCacheContext) => {
        if (pending !== undefined) ctx.tokenCache.deserialize(pending);
        pending = undefined;
        return Promise.resolve();
      },
      afterCacheAccess: async (ctx: TokenCacheContext) => {
        if (ctx.cacheHasChanged) await this.save(homeAccountId, ctx.tokenCache.serialize());
      },
    };
  }

  private seal(plain: string, aad: string): string {
    const { id, key } = this.sealing;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Undecryptable blobs (unknown key, tampering) read as "no tokens": the analyst signs in again. */
  private open(sealed: string, aad: string): string | undefined {
    const [version, id, iv, tag, body] = sealed.split('.');
    const entry = this.keys.find((k) => k.id === id);
    if (version !== 'v1' || !entry || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
