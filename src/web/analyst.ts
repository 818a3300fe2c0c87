import type { Request } from 'express';
import { clearTrips } from '../auth/signInLoop';
import type { SessionAccount } from '../auth/tokenService';
import type { RunAsAnalyst } from '../incidents/access';
import type { Services } from '../services';

/** The signed-in analyst of this request (routes behind requireSignIn always have one). */
export function accountOf(req: Request): SessionAccount {
  const account = req.session?.account;
  if (!account) throw new Error('accountOf() used on a route without requireSignIn');
  return account;
}

/**
 * API access as the analyst of this request. Once a call succeeds, Microsoft accepted the
 * analyst's token, so the sign-in loop guard starts counting again from zero.
 */
export function runAs(req: Request, services: Services): RunAsAnalyst {
  const account = accountOf(req);
  return async (need, call) => {
    const result = await services.incidents.run(account, need, call);
    clearTrips(req);
    return result;
  };
}
