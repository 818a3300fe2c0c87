import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { t } from '../i18n/i18n';
import { audit } from '../logging/audit';
import { framableBy, noStore } from '../web/security';
import type { AuthorityInfo } from './authority';
import { IdentityProviderError, SignInError } from './errors';
import type { IdpSessionIndex } from './idpSessions';
import type { MsalClientFactory } from './msalClient';
import { destroySession } from './session';
import { completeSignIn, startSignIn } from './signIn';
import type { SessionAccount, TokenService } from './tokenService';

export interface AuthRouteDeps {
  config: Config;
  clients: MsalClientFactory;
  tokens: TokenService;
  authority: AuthorityInfo;
  logger: Logger;
  csrfProtection: RequestHandler;
  /** The session cookie's name, to clear it on sign-out. */
  cookieName: string;
  /** Entra's sign-in sessions mapped to ours, for front-channel sign-out. */
  idpSessions: IdpSessionIndex;
  onSignedIn?: (account: SessionAccount) => void;
}

const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Why a sign-in failed, for the audit line: kinds and codes, never what Entra or the browser wrote. */
function failureOf(err: unknown): Record<string, unknown> {
  if (err instanceof SignInError) return { reason: err.failure, error: err.details.error?.slice(0, 64), aadsts: err.details.aadsts };
  if (err instanceof IdentityProviderError) return { reason: `identity-provider-${err.kind}`, aadsts: err.aadsts };
  return { reason: err instanceof Error ? err.name : 'unknown' };
}

export function authRouter(deps: AuthRouteDeps): express.Router {
  const { config, tokens, authority, logger } = deps;
  const router = express.Router();
  const clearCookie = (res: Response) => res.clearCookie(deps.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });

  router.get('/auth/signin', async (req: Request, res: Response) => {
    res.redirect(303, await startSignIn(req, deps));
  });

  router.get('/auth/redirect', async (req: Request, res: Response) => {
    let target: string;
    try {
      target = await completeSignIn(req, deps);
    } catch (err) {
      // Nobody was signed in by this request, whoever the session named before.
      audit(req, 'signin.failure', { oid: undefined, tid: undefined, ...failureOf(err) });
      throw err;
    }
    audit(req, 'signin.success');
    res.redirect(303, target);
  });

  router.post('/auth/signout', deps.csrfProtection, async (req: Request, res: Response) => {
    const account = req.session.account;
    if (account) await tokens.forget(account);
    await destroySession(req);
    clearCookie(res);
    audit(req, 'signout', { oid: account?.oid, tid: account?.tenantId, how: 'local' });
    const url = new URL(authority.endSessionEndpoint);
    url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
    res.redirect(303, url.toString());
  });

  // Never cached, and never the signed-in header: whoever this browser was, this page says signed out.
  router.get('/auth/signed-out', noStore, (_req, res) => {
    res.locals.user = undefined;
    res.locals.csrfToken = undefined;
    res.render('signed-out');
  });

  /**
   * Entra's front-channel sign-out (single sign-out): when the analyst signs out of Microsoft
   * elsewhere, Entra's sign-out page loads this URL in a hidden, cross-site iframe, so the
   * `SameSite=Lax` cookie does not come with it. The `sid` it names (the id_token's `sid` claim, kept
   * at sign-in) is what finds the sessions, which end server-side with their tokens; `iss`, when
   * given, must match the id_token's issuer. A request naming no `sid` changes nothing, so no other
   * site can sign an analyst out with a link. Only the sign-in service's origins may frame the answer.
   */
  router.get('/auth/frontchannel-logout', framableBy(authority.browserOrigins), noStore, async (req: Request, res: Response) => {
    const sid = first(req.query.sid);
    const iss = first(req.query.iss);
    if (!sid || sid.length > 256 || (iss !== undefined && iss.length > 512)) {
      res.status(400).type('text/plain').send(t('auth:frontChannel.noSid'));
      return;
    }
    const ended = await deps.idpSessions.end(sid, iss);
    const accounts = new Map(ended.map((e) => [e.homeAccountId, e]));
    for (const e of accounts.values()) {
      await tokens.forget({ homeAccountId: e.homeAccountId, tenantId: e.tid, username: '', oid: e.oid });
      audit(req, 'signout.frontchannel', { oid: e.oid, tid: e.tid, sessions: ended.filter((x) => x.homeAccountId === e.homeAccountId).length });
    }
    // The iframe may, in a same-site setup, have brought the cookie of a session just ended: it must not be saved again.
    if (req.session && ended.some((e) => e.sessionId === req.sessionID)) {
      await destroySession(req);
      clearCookie(res);
    }
    if (!ended.length) logger.info({ issGiven: iss !== undefined }, 'front-channel sign-out matched no session');
    res.type('text/plain').send(t('auth:frontChannel.done'));
  });

  return router;
}
