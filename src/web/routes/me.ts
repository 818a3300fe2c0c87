import express, { type Request, type Response } from 'express';
import { decodeClaims } from '../../auth/claims';
import { API_PERMISSIONS, granted, permissionFor, permissionName, scopeFor } from '../../auth/scopes';
import { requireSignIn } from '../../auth/session';
import { clearTrips } from '../../auth/signInLoop';
import { t } from '../../i18n/i18n';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { noStore } from '../security';

const iso = (epoch?: number) => (typeof epoch === 'number' ? new Date(epoch * 1000).toISOString().replace('.000Z', 'Z') : undefined);

/**
 * What the analyst's current Defender token carries, checked against what each page needs, so an
 * admin never has to paste a token into a third-party decoder. The token itself is never sent.
 */
export function meRouter(services: Services): express.Router {
  const router = express.Router();
  router.use('/me', requireSignIn, noStore);
  router.get('/me/token', async (req: Request, res: Response) => {
    const api = services.config.securityApi;
    const token = await services.tokens.acquire(accountOf(req), [scopeFor(api, 'read')]);
    clearTrips(req);
    // What msal returned is the truth about what was granted; the token itself is the API's business.
    const grantedNames = token.scopes.map(permissionName);
    const rows = API_PERMISSIONS[api].permissions.map((p) => ({ ...p, granted: granted(api, token.scopes, p.need) }));
    const readViaWrite = !grantedNames.some((n) => n.toLowerCase() === permissionFor(api, 'read').name.toLowerCase()) && granted(api, token.scopes, 'read');
    // Graph tokens are not meant to be read by clients (Microsoft may change or encrypt them); the
    // legacy API's v1 tokens are described claim by claim.
    const claims = api === 'defender' ? decodeClaims(token.accessToken) : undefined;
    res.render('token', {
      title: t('token:title'),
      api,
      resource: API_PERMISSIONS[api].resource,
      grantedNames,
      rows,
      readViaWrite,
      claims,
      audienceOk: claims ? claims.aud === API_PERMISSIONS.defender.resource || claims.aud === '8ee8fdad-f234-4243-8f3b-15c294843740' : undefined,
      claimTimes: claims ? { iat: iso(claims.iat), exp: iso(claims.exp) } : undefined,
      expiresOn: token.expiresOn ? token.expiresOn.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
      minutesLeft: token.expiresOn ? Math.round((token.expiresOn.getTime() - Date.now()) / 60000) : undefined,
      fromCache: token.fromCache,
    });
  });
  return router;
}
