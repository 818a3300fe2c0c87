import { randomBytes } from 'node:crypto';
import { CryptoProvider } from '@azure/msal-node';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { hashId } from '../logging/logger';
import { aadstsCode, SignInError } from './errors';
import type { IdpSessionIndex } from './idpSessions';
import type { MsalClientFactory } from './msalClient';
import { safeReturnTo } from './returnTo';
import { scopeFor, type Need } from './scopes';
import { addPending, saveSession, signInSession, takePending } from './session';
import type { SessionAccount, TokenService } from './tokenService';

export interface SignInDeps {
  config: Config;
  clients: MsalClientFactory;
  tokens: TokenService;
  logger: Logger;
  /** Where the new session is recorded under Entra's `sid`, for front-channel sign-out. */
  idpSessions?: IdpSessionIndex;
  /** Told of each completed sign-in (the index starts reading the analyst's incidents). */
  onSignedIn?: (account: SessionAccount) => void;
}

/** Extra permissions a sign-in may ask for, by name: user input never becomes a scope string directly. */
const EXTRA_NEEDS = new Map<string, Need>([
  ['write', 'write'],
  ['hunting', 'hunting'],
]);

const random = () => randomBytes(32).toString('base64url');
const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const crypto = new CryptoProvider();

/**
 * Starts an authorization-code + PKCE sign-in: a fresh state, nonce and verifier per attempt, kept
 * in the session under the state (several tabs may sign in at once). Returns Entra's authorize URL.
 */
export async function startSignIn(req: Request, deps: SignInDeps): Promise<string> {
  const { config, clients, logger } = deps;
  const returnTo = safeReturnTo(req.query.returnTo, config.baseUrl.origin);
  const scopeName = first(req.query.scope);
  const extra = scopeName === undefined ? undefined : EXTRA_NEEDS.get(scopeName);
  // Read only by default, so read-only analysts never consent to write.
  const scopes = [scopeFor(config.securityApi, 'read'), ...(extra ? [scopeFor(config.securityApi, extra)] : [])];
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const state = random();
  const nonce = random();
  req.session.pendingSignIns = addPending(req.session.pendingSignIns, state, { nonce, codeVerifier: verifier, returnTo, scopes, createdAt: Date.now() });
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
  logger.info({ sid: hashId(req.sessionID), extraScope: extra ? scopeName : undefined }, 'sign-in started');
  return url;
}

/**
 * Completes a sign-in from Entra's redirect: matches the state to a sign-in this browser started
 * (consuming it, so a replay is refused), redeems the code, and issues a new session id. Returns
 * where the analyst was going. Every way this can fail is a SignInError.
 */
export async function completeSignIn(req: Request, deps: SignInDeps): Promise<string> {
  const { config, tokens, logger } = deps;
  const state = first(req.query.state);
  // A browser that started sign-in here has a session holding its pending sign-ins.
  const hasSession = req.session.pendingSignIns !== undefined;
  const pending = hasSession ? takePending(req.session.pendingSignIns, state) : undefined;
  if (pending) await saveSession(req);

  const error = first(req.query.error);
  if (error) {
    const aadsts = aadstsCode(first(req.query.error_description));
    logger.info({ error, aadsts, knownState: Boolean(pending) }, 'sign-in returned an error');
    const cancelled = error === 'access_denied' && first(req.query.error_subcode) === 'cancel';
    throw new SignInError(cancelled ? 'cancelled' : 'refused', { returnTo: pending?.returnTo, error, aadsts });
  }
  if (!hasSession) throw new SignInError('unmatched-browser');
  if (!pending || !state) throw new SignInError('unknown-state');
  const code = first(req.query.code);
  if (!code) throw new SignInError('no-code', { returnTo: pending.returnTo });

  const account = await tokens.redeem({
    code,
    state,
    nonce: pending.nonce,
    codeVerifier: pending.codeVerifier,
    scopes: pending.scopes,
    redirectUri: config.redirectUri,
    payload: { code, state, client_info: first(req.query.client_info) },
  });
  // Entra's session id is kept only in the front-channel index (hashed there), not in the session.
  const { idpSessionId, issuer, ...sessionAccount } = account;
  await signInSession(req, sessionAccount);
  if (idpSessionId && deps.idpSessions) {
    await deps.idpSessions.link(idpSessionId, {
      sessionId: req.sessionID,
      issuer: issuer ?? '',
      oid: account.oid,
      tid: account.tenantId,
      homeAccountId: account.homeAccountId,
    });
  }
  logger.info({ sid: hashId(req.sessionID), oid: account.oid, tid: account.tenantId }, 'signed in');
  deps.onSignedIn?.(sessionAccount);
  return pending.returnTo;
}
