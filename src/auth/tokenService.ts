import { AuthError, InteractionRequiredAuthError, ServerError, type AccountInfo } from '@azure/msal-node';
import type { Logger } from 'pino';
import { describeError } from '../logging/logger';
import type { KeyValueStore } from '../store/store';
import { findUsableAccessToken } from './cachedToken';
import { aadstsCode, IdentityProviderError, InteractionRequiredError, isConsentError } from './errors';
import { idTokenProblem } from './idToken';
import type { MsalClientFactory } from './msalClient';
import type { TokenCacheStore } from './tokenCacheStore';

/** What the session keeps about the signed-in analyst: a reference to tokens, never the tokens. */
export interface SessionAccount {
  homeAccountId: string;
  tenantId: string;
  username: string;
  name?: string;
  oid: string;
  /**
   * Entra's sign-in session (the id_token's `sid` claim) and the id_token's issuer: what Entra's
   * front-channel sign-out names. Absent for sessions from before they were kept, or an id_token without one.
   */
  idpSessionId?: string;
  issuer?: string;
}

export interface ApiToken {
  accessToken: string;
  expiresOn: Date | null;
  scopes: string[];
  fromCache: boolean;
}

export interface RedeemRequest {
  code: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  scopes: string[];
  redirectUri: string;
  /** The raw callback parameters; msal re-checks state and nonce against them. */
  payload: { code: string; state: string; client_info?: string };
}

/** msal's words for "there is no refresh token to use any more". */
const TOKENS_GONE = new Set(['no_tokens_found', 'refresh_token_expired', 'no_account_found', 'bad_token']);

/**
 * Turns msal's errors into the two the web layer acts on. Anything that is not an msal error (a
 * store outage, a bug) is returned unchanged, so it keeps its own page: a 503, or a 500.
 */
export function classifyMsalError(err: unknown, scopes: string[]): unknown {
  if (err instanceof InteractionRequiredAuthError) {
    const reason = err.subError || err.errorCode;
    return new InteractionRequiredError(reason, scopes, aadstsCode(err.errorMessage), TOKENS_GONE.has(reason));
  }
  if (err instanceof ServerError) {
    const code = aadstsCode(err.errorMessage);
    // invalid_grant on a refresh: the refresh token was revoked or has expired (AADSTS700082, 50173,
    // 70043…), unless it is a consent still to be given.
    if (err.errorCode === 'invalid_grant') return new InteractionRequiredError(`invalid_grant${code ? `:${code}` : ''}`, scopes, code, !isConsentError(err.errorCode, code, err.subError));
    if (err.errorCode === 'invalid_client' || err.errorCode === 'unauthorized_client') {
      return new IdentityProviderError('misconfigured', 'credentials', code);
    }
    // msal does not always carry the HTTP status; Entra's error codes say the same.
    if ((err.status ?? 0) >= 500 || err.status === 429 || err.errorCode === 'temporarily_unavailable' || err.errorCode === 'server_error') {
      return new IdentityProviderError('unavailable', 'unavailable', code);
    }
    return new IdentityProviderError('rejected', 'refused', code, undefined, err.errorCode);
  }
  if (err instanceof AuthError) {
    if (TOKENS_GONE.has(err.errorCode)) return new InteractionRequiredError(err.errorCode, scopes, undefined, true);
    if (err.errorCode === 'state_mismatch' || err.errorCode === 'nonce_mismatch' || err.errorCode === 'state_not_found') {
      return new IdentityProviderError('rejected', 'mismatch');
    }
    return new IdentityProviderError('unavailable', 'unreachable');
  }
  return err;
}

/**
 * Gets API tokens for one analyst. A still-valid access token is read straight from the analyst's
 * cache blob, without a lock or an msal client (one store read). Only a refresh takes the
 * analyst's lock in the shared store, and re-checks inside it, so parallel requests at expiry cause
 * one refresh grant and no request writes back a cache older than another's (prior-art §3 rows 4, 6).
 */
export class TokenService {
  constructor(
    private readonly clients: MsalClientFactory,
    private readonly cache: TokenCacheStore,
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
    private readonly clientId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `replacing` is an access token the API just rejected (revoked, or expired early): refresh, unless
   * the cache already holds a different token because another request, on this instance or another,
   * refreshed while this one waited for the lock. Without it, every request that saw the 401 would
   * refresh in turn: 50 parallel requests at a revocation made 33 refresh grants in
   * test/scale/isolation-under-load.test.ts.
   */
  async acquire(account: SessionAccount, scopes: string[], options: { replacing?: string } = {}): Promise<ApiToken> {
    if (options.replacing === undefined) {
      const json = await this.cache.load(account.homeAccountId);
      if (json === undefined) throw new InteractionRequiredError('no_tokens_found', scopes, undefined, true);
      const cached = this.usable(json, account, scopes);
      if (cached) return cached;
    }
    return this.store.withLock(account.homeAccountId, () => this.refresh(account, scopes, options.replacing));
  }

  private usable(json: string, account: SessionAccount, scopes: string[]): ApiToken | undefined {
    const found = findUsableAccessToken(json, {
      homeAccountId: account.homeAccountId,
      tenantId: account.tenantId,
      clientId: this.clientId,
      scopes,
      // Rounded, as msal-common's nowSeconds() does: a token cached this second is not "from the future".
      nowSec: Math.round(this.now() / 1000),
    });
    return found && { ...found, fromCache: true };
  }

  private async refresh(account: SessionAccount, scopes: string[], replacing: string | undefined): Promise<ApiToken> {
    const json = await this.cache.load(account.homeAccountId);
    if (json === undefined) throw new InteractionRequiredError('no_tokens_found', scopes, undefined, true);
    const fresh = this.usable(json, account, scopes);
    if (fresh && fresh.accessToken !== replacing) return fresh;
    const cca = this.clients.create(this.cache.pluginFor(account.homeAccountId, json));
    try {
      const cached: AccountInfo | null = await cca.getTokenCache().getAccountByHomeId(account.homeAccountId);
      if (!cached) throw new InteractionRequiredError('no_tokens_found', scopes, undefined, true);
      // Forced: the cache holds nothing usable (or only the rejected token), and msal must not
      // refresh in the background, outside this lock.
      const result = await cca.acquireTokenSilent({ account: cached, scopes, forceRefresh: true });
      return { accessToken: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes, fromCache: result.fromCache };
    } catch (err) {
      const classified = classifyMsalError(err, scopes);
      this.logger.info({ error: describeError(err), outcome: classified instanceof Error ? classified.name : 'unknown' }, 'token acquisition failed');
      // A refresh token Entra will never accept again is not worth keeping (we hold the lock here).
      if (classified instanceof InteractionRequiredError && classified.tokensGone) await this.cache.remove(account.homeAccountId).catch(() => undefined);
      throw classified;
    }
  }

  /** Redeems an authorization code; stores the new account's cache partition and returns the account. */
  async redeem(request: RedeemRequest): Promise<SessionAccount> {
    const cca = this.clients.create();
    let result;
    try {
      result = await cca.acquireTokenByCode(
        {
          code: request.code,
          scopes: request.scopes,
          redirectUri: request.redirectUri,
          codeVerifier: request.codeVerifier,
          state: request.state,
          nonce: request.nonce,
        },
        request.payload,
      );
    } catch (err) {
      const classified = classifyMsalError(err, request.scopes);
      this.logger.info({ error: describeError(err), outcome: classified instanceof Error ? classified.name : 'unknown' }, 'code redemption failed');
      // A code that cannot be redeemed is a failed sign-in, not a reason to loop back to sign-in.
      if (classified instanceof InteractionRequiredError) {
        throw new IdentityProviderError('rejected', 'notAccepted', classified.aadsts);
      }
      throw classified;
    }
    const account = result.account;
    if (!account) throw new IdentityProviderError('rejected', 'noAccount');
    const problem = idTokenProblem(result.idTokenClaims as Record<string, unknown> | undefined, this.clients.idTokenExpectations, Math.floor(this.now() / 1000));
    if (problem) {
      this.logger.warn({ problem }, 'id_token refused');
      throw new IdentityProviderError('rejected', 'notForUs');
    }
    const oid = (account.idTokenClaims?.oid) ?? account.localAccountId;
    await this.store.withLock(account.homeAccountId, () =>
      this.cache.save(account.homeAccountId, cca.getTokenCache().serialize()),
    );
    const claims = account.idTokenClaims;
    return {
      homeAccountId: account.homeAccountId,
      tenantId: account.tenantId,
      username: account.username,
      name: account.name,
      oid,
      idpSessionId: typeof claims?.sid === 'string' ? claims.sid : undefined,
      issuer: typeof claims?.iss === 'string' ? claims.iss : undefined,
    };
  }

  async forget(account: SessionAccount): Promise<void> {
    await this.store.withLock(account.homeAccountId, () => this.cache.remove(account.homeAccountId));
  }
}
