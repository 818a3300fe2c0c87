import { InteractionRequiredError } from '../auth/errors';
import { granted, permissionFor, scopeFor, type Need } from '../auth/scopes';
import type { SessionAccount, TokenService } from '../auth/tokenService';
import type { Priority, QuotaGovernor } from '../budget/governor';
import { budgeted } from './budgetedSource';
import { ApiForbiddenError, SecurityApiError } from './sources/errors';
import type { IncidentSource } from './sources/source';

/** Runs one API call for the signed-in analyst with what it needs (read, write). */
export type RunAsAnalyst = <T>(need: Need, call: (source: IncidentSource, token: string) => Promise<T>) => Promise<T>;

/**
 * Calls the configured security API with the analyst's token for one need. A 401 means the API no
 * longer accepts a token msal still thinks valid (revoked, clock skew): refresh once and retry, then
 * treat it as a sign-in problem. A 403 is explained from the scopes the token was granted.
 */
/** How long an analyst's own call (a page, a write) waits for the budget before saying when it can go. */
export const INTERACTIVE_WAIT_MS = 3_000;

export class IncidentAccess {
  constructor(
    private readonly tokens: TokenService,
    readonly source: IncidentSource,
    readonly governor: QuotaGovernor,
  ) {}

  /**
   * Every call goes through the tenant's budget at `priority`: the analyst's own pages and writes
   * wait a little for a call, syncs never wait (they try again at their next turn).
   */
  async run<T>(account: SessionAccount, need: Need, call: (source: IncidentSource, token: string) => Promise<T>, priority: Priority = 'interactive'): Promise<T> {
    const source = budgeted(this.source, this.governor, {
      tenantId: account.tenantId,
      analyst: account.oid,
      priority,
      maxWaitMs: priority === 'interactive' ? INTERACTIVE_WAIT_MS : 0,
    });
    return this.withToken(account, need, (token) => call(source, token));
  }

  /**
   * Runs `call` with the analyst's token for `need`, outside the incident source (advanced hunting
   * brings its own budget): a 401 refreshes the token once, a 403 is explained from its scopes.
   */
  async withToken<T>(account: SessionAccount, need: Need, call: (token: string) => Promise<T>): Promise<T> {
    const api = this.source.api;
    const scopes = [scopeFor(api, need)];
    const first = await this.tokens.acquire(account, scopes);
    const attempt = async (token: { accessToken: string; scopes: string[] }) => {
      try {
        return await call(token.accessToken);
      } catch (err) {
        if (err instanceof SecurityApiError && err.kind === 'forbidden') {
          throw new ApiForbiddenError(api, permissionFor(api, need).name, granted(api, token.scopes, need), need === 'write', err);
        }
        throw err;
      }
    };
    try {
      return await attempt(first);
    } catch (err) {
      if (!(err instanceof SecurityApiError) || err.kind !== 'unauthorized') throw err;
    }
    // Refresh only if nobody else has yet: parallel requests all see the same 401.
    const fresh = await this.tokens.acquire(account, scopes, { replacing: first.accessToken });
    try {
      return await attempt(fresh);
    } catch (err) {
      if (err instanceof SecurityApiError && err.kind === 'unauthorized') throw new InteractionRequiredError('api_rejected_token', scopes);
      throw err;
    }
  }
}
