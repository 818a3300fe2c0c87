import { randomBytes } from 'node:crypto';
import { CryptoProvider } from '@azure/msal-node';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { hashId } from '../logging/logger';
import { PageError } from '../web/problems';
import type { AuthorityInfo } from './authority';
import { aadstsCode, explainAadsts, isConsentError } from './errors';
import type { MsalClientFactory } from './msalClient';
import { safeReturnTo } from './returnTo';
import { PERMISSIONS, scopeFor, SIGN_IN_SCOPES } from './scopes';
import { addPending, destroySession, PENDING_MANAGE_TTL_MS, regenerate, saveSession, takePending } from './session';
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

/** Extra permissions a sign-in may ask for, by name: user input never becomes a scope string directly. */
const EXTRA_SCOPES: Record<string, string> = {
  write: scopeFor(PERMISSIONS.write),
  hunting: scopeFor(PERMISSIONS.hunting),
};

const random = () => randomBytes(32).toString('base64url');
const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const startAgain = (returnTo = '/') => [{ href: `/auth/signin?returnTo=${encodeURIComponent(returnTo)}`, label: 'Sign in again' }];

export function authRouter(deps: AuthRouteDeps): express.Router {
  const { config, clients, tokens, authority, logger } = deps;
  const router = express.Router();
  const crypto = new CryptoProvider();
  const origin = config.baseUrl.origin;

  router.get('/auth/signin', async (req: Request, res: Response) => {
    const returnTo = safeReturnTo(req.query.returnTo, origin);
    const extra = EXTRA_SCOPES[first(req.query.scope) ?? ''];
    const scopes = extra ? [...SIGN_IN_SCOPES, extra] : SIGN_IN_SCOPES;
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const state = random();
    const nonce = random();
    req.session.pendingSignIns = addPending(req.session.pendingSignIns, state, {
      nonce,
      codeVerifier: verifier,
      returnTo,
      scopes,
      createdAt: Date.now(),
    });
    const url = await clients.create().getAuthCodeUrl({
      scopes,
      redirectUri: config.redirectUri,
      state,
      nonce,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      responseMode: 'query',
      prompt: first(req.query.prompt) === 'select_account' ? 'select_account' : undefined,
      // Re-authenticating a signed-in analyst: let Entra pick the same account without asking.
      loginHint: req.session.account?.username,
    });
    // The pending request must be stored before the browser can come back with its answer.
    await saveSession(req);
    logger.info({ sid: hashId(req.sessionID), extraScope: extra ? first(req.query.scope) : undefined }, 'sign-in started');
    res.redirect(303, url);
  });

  router.get('/auth/redirect', async (req: Request, res: Response, next: NextFunction) => {
    const state = first(req.query.state);
    // A browser that started sign-in here has a session holding its pending sign-ins.
    const hasSession = req.session.pendingSignIns !== undefined;
    const pending = hasSession ? takePending(req.session.pendingSignIns, state) : undefined;
    const error = first(req.query.error);

    if (error) {
      const description = first(req.query.error_description);
      const code = aadstsCode(description);
      const explained = explainAadsts(code);
      logger.info({ error, aadsts: code, knownState: Boolean(pending) }, 'sign-in returned an error');
      if (pending) await saveSession(req);
      if (error === 'access_denied' && first(req.query.error_subcode) === 'cancel') {
        throw new PageError(401, {
          title: 'Sign-in cancelled',
          what: 'You cancelled signing in, so ThreatDesk cannot show your incidents.',
          actions: startAgain(pending?.returnTo),
        });
      }
      if (isConsentError(error, code)) {
        throw new PageError(403, {
          title: explained?.title ?? 'ThreatDesk needs an administrator\'s approval',
          what: explained?.what ?? 'Your organization has not granted ThreatDesk the permissions it needs.',
          todo: explained?.todo ?? 'Ask a global administrator to grant consent from the admin consent page, then sign in again.',
          admin: true,
          actions: [{ href: '/admin/consent', label: 'Open the admin consent page' }, ...startAgain(pending?.returnTo)],
        });
      }
      throw new PageError(401, {
        title: explained?.title ?? 'Sign-in failed',
        what: explained?.what ?? `Microsoft Entra ID could not sign you in (${error}${code ? `, AADSTS${code}` : ''}).`,
        todo: explained?.todo ?? 'Try again. If it keeps failing, give your administrator the time and the request id below.',
        admin: explained?.admin,
        actions: startAgain(pending?.returnTo),
      });
    }

    if (!hasSession) {
      throw new PageError(400, {
        title: 'Your sign-in could not be matched to this browser',
        what: 'ThreatDesk keeps a record of each sign-in it starts, but none came with this response. This happens when cookies are blocked, the sign-in started in another browser, or it took too long and the record expired.',
        todo: 'Start sign-in again from this browser.',
        actions: startAgain(),
      });
    }
    if (!pending) {
      throw new PageError(400, {
        title: 'This sign-in response is not valid here',
        what: 'The response does not belong to a sign-in started in this browser, or it was already used or expired (sign-ins must finish within 10 minutes).',
        todo: 'Start sign-in again.',
        actions: startAgain(),
      });
    }
    const code = first(req.query.code);
    if (!code || !state) {
      await saveSession(req);
      throw new PageError(400, { title: 'Incomplete sign-in response', what: 'The response from Microsoft Entra ID carried no authorization code.', actions: startAgain(pending.returnTo) });
    }
    // The pending entry is consumed before redemption, so a replayed callback is refused.
    await saveSession(req);

    let account;
    try {
      account = await tokens.redeem({
        code,
        state,
        nonce: pending.nonce,
        codeVerifier: pending.codeVerifier,
        scopes: pending.scopes,
        redirectUri: config.redirectUri,
        payload: { code, state, client_info: first(req.query.client_info) },
      });
    } catch (err) {
      return next(err);
    }

    // A new session id at sign-in defeats fixation (ASVS 7.2.4). Work in flight carries over: other
    // tabs' sign-ins, the loop guard, and a change typed before an incremental-consent sign-in.
    const { pendingSignIns, signInLoop, pendingManage } = req.session;
    const carried = { pendingSignIns, signInLoop, pendingManage: pendingManage && Date.now() - pendingManage.createdAt < PENDING_MANAGE_TTL_MS ? pendingManage : undefined };
    await regenerate(req);
    Object.assign(req.session, carried, { account, createdAt: Date.now(), lastSeen: Date.now() });
    await saveSession(req);
    logger.info({ sid: hashId(req.sessionID), oid: account.oid, tid: account.tenantId }, 'signed in');
    res.redirect(303, pending.returnTo);
  });

  router.post('/auth/signout', deps.csrfProtection, async (req: Request, res: Response) => {
    const account = req.session.account;
    if (account) await tokens.forget(account);
    await destroySession(req);
    res.clearCookie(deps.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
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
    if (req.session?.account) {
      const account = req.session.account;
      await tokens.forget(account);
      await destroySession(req);
      res.clearCookie(deps.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
      logger.info({ oid: account.oid }, 'front-channel sign-out');
    }
    res.set('Cache-Control', 'no-store').type('text/plain').send('Signed out');
  });

  return router;
}
