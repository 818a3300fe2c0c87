import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { AuthorityInfo } from './authority';
import type { MsalClientFactory } from './msalClient';
import { destroySession } from './session';
import { completeSignIn, startSignIn } from './signIn';
import type { TokenService } from './tokenService';

export interface AuthRouteDeps {
  config: Config;
  clients: MsalClientFactory;
  tokens: TokenService;
  authority: AuthorityInfo;
  logger: Logger;
  csrfProtection: RequestHandler;
  /** The session cookie's name, to clear it on sign-out. */
  cookieName: string;
}

export function authRouter(deps: AuthRouteDeps): express.Router {
  const { config, tokens, authority, logger } = deps;
  const router = express.Router();
  const clearCookie = (res: Response) => res.clearCookie(deps.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });

  router.get('/auth/signin', async (req: Request, res: Response) => {
    res.redirect(303, await startSignIn(req, deps));
  });

  router.get('/auth/redirect', async (req: Request, res: Response) => {
    res.redirect(303, await completeSignIn(req, deps));
  });

  router.post('/auth/signout', deps.csrfProtection, async (req: Request, res: Response) => {
    const account = req.session.account;
    if (account) await tokens.forget(account);
    await destroySession(req);
    clearCookie(res);
    logger.info({ oid: account?.oid, tid: account?.tenantId }, 'signed out');
    const url = new URL(authority.endSessionEndpoint);
    url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
    res.redirect(303, url.toString());
  });

  router.get('/auth/signed-out', (_req, res) => {
    res.render('signed-out');
  });

  // Entra calls this in a hidden frame when the analyst signs out elsewhere (single sign-out).
  router.get('/auth/frontchannel-logout', async (req: Request, res: Response) => {
    const account = req.session?.account;
    if (account) {
      await tokens.forget(account);
      await destroySession(req);
      clearCookie(res);
      logger.info({ oid: account.oid }, 'front-channel sign-out');
    }
    res.set('Cache-Control', 'no-store').type('text/plain').send('Signed out');
  });

  return router;
}
