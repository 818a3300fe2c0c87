import express, { type Request, type Response } from 'express';
import { decodeClaims, scopesOf } from '../../auth/claims';
import { grants, PERMISSIONS, scopeFor } from '../../auth/scopes';
import { requireSignIn } from '../../auth/session';
import { clearTrips } from '../../auth/signInLoop';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { noStore } from '../security';
import { PERMISSION_USES } from './admin';

const iso = (epoch?: number) => (typeof epoch === 'number' ? new Date(epoch * 1000).toISOString().replace('.000Z', 'Z') : undefined);

/**
 * What the analyst's current Defender token carries, checked against what each page needs, so an
 * admin never has to paste a token into a third-party decoder. The token itself is never sent.
 */
export function meRouter(services: Services): express.Router {
  const router = express.Router();
  router.use('/me', requireSignIn, noStore);
  router.get('/me/token', async (req: Request, res: Response) => {
    const token = await services.tokens.acquire(accountOf(req), [scopeFor(PERMISSIONS.read)]);
    clearTrips(req);
    const claims = decodeClaims(token.accessToken) ?? {};
    const scp = scopesOf(claims);
    const rows = PERMISSION_USES.map((p) => ({ ...p, granted: scp.includes(p.name) }));
    // ReadWrite also satisfies the read pages, which the page points out when Read itself is absent.
    const readViaWrite = !scp.includes(PERMISSIONS.read) && grants(scp, PERMISSIONS.read);
    const audienceOk = claims.aud === 'https://api.security.microsoft.com' || claims.aud === '8ee8fdad-f234-4243-8f3b-15c294843740';
    res.render('token', {
      title: 'My token',
      claims,
      scp,
      rows,
      audienceOk,
      readViaWrite,
      times: { iat: iso(claims.iat), nbf: iso(claims.nbf), exp: iso(claims.exp) },
      minutesLeft: typeof claims.exp === 'number' ? Math.round((claims.exp * 1000 - Date.now()) / 60000) : undefined,
      fromCache: token.fromCache,
    });
  });
  return router;
}
