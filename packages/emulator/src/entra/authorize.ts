import express, { type Request, type Response } from 'express';
import { THREATDESK_APP_NAME, type User } from '../directory';
import { clientInfo } from './claims';
import { AadError, Errors, newTrace, type Trace } from './errors';
import { sendPageFault } from './faultResponses';
import type { BrowserSession, PendingAuthorize } from './grants';
import { currentSession, showConsent, showSignIn, type Flow } from './interaction';
import { Params } from './params';
import { deliver, deliverError, showError, type ClientTarget } from './respond';
import { checkClientRequest, tenantName, type EntraRuntime, type TenantRef } from './runtime';
import { asksForResource, consentItem, parseScopes, requestedPermissions } from './scopes';

/*
 * GET /{tenant}/oauth2/v2.0/authorize (service-facts §2.2, §2.3).
 *
 * Until client_id and redirect_uri are known good, errors go to the error page: a redirect to an
 * unregistered URI would hand the response to whoever wrote the link (AADSTS50011). After that every
 * error is sent back to the client with `error`, `error_description` and `state`.
 *
 * Choices where Entra's behaviour is not pinned down by the facts:
 * - PKCE is optional (Entra does not require it from confidential web apps), but a challenge must use
 *   S256: `plain`, or a challenge without a method (which RFC 7636 reads as plain), is invalid_request.
 * - response_mode `fragment` is refused (invalid_request): a code in a fragment never reaches a server.
 * - `prompt=select_account` ignores login_hint (the facts say the two don't combine).
 * - `login_hint` never signs anyone in by itself; it puts that account first on the picker and lets an
 *   existing session for that account through.
 * - Where user consent is off, unconsented permissions end in `consent_required` + AADSTS65001 on the
 *   redirect (the real UI shows an AADSTS90094 "Need admin approval" page, which an app cannot act on).
 * - Cancel on the sign-in page and Cancel on the consent page both send `access_denied`,
 *   `error_subcode=cancel` and AADSTS65004.
 */

const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'login_hint',
  'code_challenge',
  'code_challenge_method',
  'client_info',
] as const;
const PROMPTS = ['login', 'none', 'consent', 'select_account'] as const;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const targetOf = (p: PendingAuthorize): ClientTarget => ({ redirectUri: p.redirectUri, responseMode: p.responseMode, state: p.state });

type Validated = Omit<PendingAuthorize, 'id' | 'kind' | 'tenantSegment' | 'tenant' | 'redirectUri' | 'state' | 'responseMode'>;

/** Everything checked after the redirect URI is trusted; throws AadError for the client. */
function validateRequest(params: Params, tenant: TenantRef, mode: string): Validated {
  if (mode !== 'query' && mode !== 'form_post') {
    throw Errors.malformed(`response_mode '${mode}' is not supported for the code flow here; use 'query' or 'form_post'.`);
  }
  const responseType = params.get('response_type');
  if (!responseType) throw Errors.missingParameter('response_type');
  if (responseType !== 'code') throw Errors.unsupportedResponseType(responseType);
  const rawScope = params.get('scope');
  if (!rawScope?.trim()) throw Errors.missingParameter('scope');
  const scopes = parseScopes(rawScope, tenantName(tenant));
  if (!asksForResource(scopes) && !(['openid', 'profile', 'email'] as const).some((s) => scopes.oidc.has(s))) {
    throw Errors.invalidScope(rawScope, 'Ask for openid or a permission of a resource.');
  }
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge === undefined && method !== undefined) throw Errors.malformed('code_challenge_method was sent without code_challenge.');
  if (challenge !== undefined) {
    if (method !== 'S256') throw Errors.malformed(`code_challenge_method '${method ?? 'plain (the default)'}' is not accepted; use S256.`);
    if (!S256_CHALLENGE.test(challenge)) throw Errors.malformed('code_challenge must be the base64url SHA-256 of the code_verifier (43 characters).');
  }
  const prompt = params.get('prompt');
  if (prompt !== undefined && !PROMPTS.includes(prompt as (typeof PROMPTS)[number])) {
    throw Errors.malformed(`Unsupported 'prompt' value '${prompt}'.`);
  }
  return {
    scopes,
    nonce: params.get('nonce'),
    codeChallenge: challenge,
    prompt: prompt as PendingAuthorize['prompt'],
    loginHint: params.get('login_hint') || undefined,
    clientInfo: params.get('client_info') === '1',
  };
}

/** The consent page's list: the permissions (full URIs) plus the OIDC scopes that come with them. */
function consentItems(pending: PendingAuthorize, permissions: string[]) {
  const items = permissions.map(consentItem);
  if (pending.scopes.oidc.has('openid')) items.unshift(consentItem('openid'));
  if (pending.scopes.oidc.has('offline_access')) items.push(consentItem('offline_access'));
  return items;
}

export function authorizeFlow(rt: EntraRuntime): Flow<PendingAuthorize> {
  const { directory } = rt.ctx;

  const complete = (res: Response, pending: PendingAuthorize, user: User, session: BrowserSession): void => {
    const code = rt.codes.issue({
      clientId: directory.clientId,
      redirectUri: pending.redirectUri,
      oid: user.oid,
      tenantId: user.tenantId,
      scopes: pending.scopes,
      nonce: pending.nonce,
      codeChallenge: pending.codeChallenge,
      sid: session.sid,
    });
    rt.issued.record(code);
    rt.pending.finish(pending.id);
    deliver(res, targetOf(pending), {
      code,
      ...(pending.clientInfo ? { client_info: clientInfo(user) } : {}),
      session_state: session.sessionState,
    });
  };

  const fail = (res: Response, pending: PendingAuthorize, err: AadError, trace: Trace): void => {
    rt.pending.finish(pending.id);
    deliverError(res, targetOf(pending), err, trace);
  };

  return {
    proceed(res, pending, user, session, trace) {
      pending.oid = user.oid;
      pending.session = session;
      const tenant = directory.tenants.get(user.tenantId);
      const requested = requestedPermissions(pending.scopes);
      const missing = directory.missingConsent(user, requested);
      const userConsent = tenant?.userConsentAllowed ?? false;
      const forced = pending.prompt === 'consent' && userConsent && requested.length > 0;
      if (!missing.length && !forced) return complete(res, pending, user, session);
      if (pending.prompt === 'none' || !userConsent) return fail(res, pending, Errors.consentRequired(directory.clientId, 'consent_required'), trace);
      showConsent(rt, res, pending, user, false, consentItems(pending, forced ? requested : missing));
    },
    consent(res, pending, user, accepted, trace) {
      if (!accepted) return fail(res, pending, Errors.userCanceled(), trace);
      directory.grantUserConsent(user, requestedPermissions(pending.scopes));
      if (!pending.session) return fail(res, pending, Errors.unknownTransaction(), trace);
      complete(res, pending, user, pending.session);
    },
    cancel(res, pending, trace) {
      fail(res, pending, Errors.userCanceled(), trace);
    },
  };
}

export function authorizeRoutes(rt: EntraRuntime, router: express.Router, flow: Flow<PendingAuthorize>): void {
  const { directory } = rt.ctx;

  router.get('/:tenant/oauth2/v2.0/authorize', async (req: Request<{ tenant: string }>, res) => {
    const params = Params.fromUrl(req.originalUrl);
    const trace = newTrace(rt.clock.now(), params.get('client-request-id'));
    if (await sendPageFault(res, rt.ctx.faults.take('authorize'), trace, directory.clientId)) return;

    let tenant: TenantRef;
    let redirectUri: string;
    try {
      ({ tenant, redirectUri } = checkClientRequest(rt, req.params.tenant, params, AUTHORIZE_PARAMS));
    } catch (err) {
      if (!(err instanceof AadError)) throw err;
      return showError(res, err, trace);
    }

    const mode = params.get('response_mode') ?? 'query';
    const responseMode = mode === 'form_post' ? 'form_post' : 'query';
    let validated: Validated;
    try {
      validated = validateRequest(params, tenant, mode);
    } catch (err) {
      if (!(err instanceof AadError)) throw err;
      return deliverError(res, { redirectUri, responseMode, state: params.get('state') }, err, trace);
    }
    const pending = rt.pending.add<PendingAuthorize>({
      kind: 'authorize',
      tenantSegment: req.params.tenant,
      tenant,
      redirectUri,
      state: params.get('state'),
      responseMode,
      ...validated,
    });
    begin(rt, req, res, pending, flow, trace);
  });
}

/** Decides between SSO, the picker and a silent failure, from the session and `prompt`. */
function begin(rt: EntraRuntime, req: Request, res: Response, pending: PendingAuthorize, flow: Flow<PendingAuthorize>, trace: Trace): void {
  const current = currentSession(rt, req, pending.tenant);
  const hint = pending.prompt === 'select_account' ? undefined : pending.loginHint?.toLowerCase();
  const sessionFits = current !== undefined && (!hint || current.user.upn === hint);
  if (pending.prompt === 'none') {
    if (current && sessionFits) return flow.proceed(res, pending, current.user, current.session, trace);
    rt.pending.finish(pending.id);
    return deliverError(res, targetOf(pending), Errors.loginRequired(), trace);
  }
  if (current && sessionFits && pending.prompt !== 'login' && pending.prompt !== 'select_account') {
    return flow.proceed(res, pending, current.user, current.session, trace);
  }
  showSignIn(rt, res, pending, {
    heading: current ? 'Pick an account' : 'Sign in',
    subtitle: `to continue to ${THREATDESK_APP_NAME}`,
    hint,
    signedInUpn: current?.user.upn,
  });
}
