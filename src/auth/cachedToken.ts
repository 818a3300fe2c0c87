/** msal renews access tokens this many seconds before they expire (msal-common's default offset). */
export const RENEWAL_OFFSET_SEC = 300;

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export interface CachedAccessToken {
  accessToken: string;
  expiresOn: Date;
  scopes: string[];
}

interface SerializedAccessToken {
  home_account_id?: string;
  credential_type?: string;
  client_id?: string;
  secret?: string;
  realm?: string;
  target?: string;
  cached_at?: string;
  expires_on?: string;
  refresh_on?: string;
  token_type?: string;
}

export interface CacheLookup {
  homeAccountId: string;
  tenantId: string;
  clientId: string;
  scopes: string[];
  nowSec: number;
}

/**
 * Finds, in one account's serialized msal cache, an access token msal itself would hand out without
 * a network call: same account, client and tenant, every requested scope, not within the renewal
 * offset of expiry, no refresh due. Anything else (none found, an unusual entry, a format change) is
 * `undefined`, and the caller asks msal, which stays the authority on every refresh.
 */
export function findUsableAccessToken(serializedCache: string, lookup: CacheLookup): CachedAccessToken | undefined {
  let parsed: { AccessToken?: Record<string, SerializedAccessToken> };
  try {
    parsed = JSON.parse(serializedCache) as typeof parsed;
  } catch {
    return undefined;
  }
  const wanted = lookup.scopes.map((s) => s.toLowerCase()).filter((s) => !OIDC_SCOPES.has(s));
  let best: CachedAccessToken | undefined;
  for (const at of Object.values(parsed.AccessToken ?? {})) {
    if (at.credential_type !== 'AccessToken' || at.home_account_id !== lookup.homeAccountId) continue;
    if (at.client_id !== lookup.clientId || at.realm !== lookup.tenantId || !at.secret) continue;
    if ((at.token_type ?? 'Bearer').toLowerCase() !== 'bearer') continue;
    const target = new Set((at.target ?? '').toLowerCase().split(' ').filter(Boolean));
    if (!wanted.every((s) => target.has(s))) continue;
    const expiresOn = Number(at.expires_on);
    const cachedAt = Number(at.cached_at);
    if (!(expiresOn > lookup.nowSec + RENEWAL_OFFSET_SEC) || !(cachedAt <= lookup.nowSec)) continue;
    if (at.refresh_on && Number(at.refresh_on) <= lookup.nowSec) continue;
    if (!best || expiresOn * 1000 > best.expiresOn.getTime()) {
      best = { accessToken: at.secret, expiresOn: new Date(expiresOn * 1000), scopes: [...target] };
    }
  }
  return best;
}
