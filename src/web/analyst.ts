import type { Request } from 'express';
import { InteractionRequiredError } from '../auth/errors';
import { clearTrips } from '../auth/signInLoop';
import type { SessionAccount } from '../auth/tokenService';
import type { RunAsAnalyst } from '../incidents/access';
import { audit } from '../logging/audit';
import type { Services } from '../services';

/** The signed-in analyst of this request (routes behind requireSignIn always have one). */
export function accountOf(req: Request): SessionAccount {
  const account = req.session?.account;
  if (!account) throw new Error('accountOf() used on a route without requireSignIn');
  return account;
}

/**
 * The analyst's refresh token is gone (revoked, expired): this browser is no longer signed in as
 * them. The session stops naming them, so no page shows their name or offers their forms; work in
 * flight (other tabs' sign-ins, a typed change bound to their oid) stays for when they sign in again.
 */
export function endAnalystSession(req: Request, reason: string): void {
  const account = req.session?.account;
  if (!account) return;
  delete req.session.account;
  if (req.res) {
    req.res.locals.user = undefined;
    req.res.locals.csrfToken = undefined;
  }
  audit(req, 'session.ended', { oid: account.oid, tid: account.tenantId, reason });
}

/**
 * API access as the analyst of this request. Once a call succeeds, Microsoft accepted the
 * analyst's token, so the sign-in loop guard starts counting again from zero. When Entra says the
 * refresh token is gone, the session ends here, whatever the route does next with the error.
 */
export function runAs(req: Request, services: Services): RunAsAnalyst {
  const account = accountOf(req);
  return async (need, call) => {
    try {
      const result = await services.incidents.run(account, need, call);
      clearTrips(req);
      return result;
    } catch (err) {
      if (err instanceof InteractionRequiredError && err.tokensGone) endAnalystSession(req, err.reason);
      throw err;
    }
  };
}
