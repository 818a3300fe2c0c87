import { InteractionRequiredError } from '../auth/errors';
import { scopeFor, type PermissionName } from '../auth/scopes';
import type { SessionAccount, TokenService } from '../auth/tokenService';
import { DefenderClient } from './client';
import { DefenderApiError } from './errors';

/** Runs one API call for the signed-in analyst with the permission it needs. */
export type RunAsAnalyst = <T>(permission: PermissionName, call: (client: DefenderClient, token: string) => Promise<T>) => Promise<T>;

/**
 * Runs a Defender call with the analyst's token for one permission. A 401 means Defender no longer
 * accepts a token msal still thinks is valid (revoked, clock skew): refresh once and retry, then
 * treat it as a sign-in problem rather than showing the analyst an error.
 */
export class DefenderAccess {
  constructor(
    private readonly tokens: TokenService,
    readonly client: DefenderClient,
  ) {}

  async run<T>(account: SessionAccount, permission: PermissionName, call: (client: DefenderClient, token: string) => Promise<T>): Promise<T> {
    const scopes = [scopeFor(permission)];
    const first = await this.tokens.acquire(account, scopes);
    try {
      return await call(this.client, first.accessToken);
    } catch (err) {
      if (!(err instanceof DefenderApiError) || err.kind !== 'unauthorized') throw err;
    }
    // Refresh only if nobody else has yet: parallel requests all see the same 401.
    const fresh = await this.tokens.acquire(account, scopes, { replacing: first.accessToken });
    try {
      return await call(this.client, fresh.accessToken);
    } catch (err) {
      if (err instanceof DefenderApiError && err.kind === 'unauthorized') throw new InteractionRequiredError('defender_rejected_token', scopes);
      throw err;
    }
  }
}
