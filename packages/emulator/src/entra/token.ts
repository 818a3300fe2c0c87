import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { permissionUri, RESOURCES, type User } from '../directory';
import { accessTokenClaims, clientInfo, GRAPH_APP_ID, idTokenClaims } from './claims';
import { AadError, Errors, newTrace, tokenErrorBody, type Trace } from './errors';
import { sendJsonFault } from './faultResponses';
import { CODE_LIFETIME_MS } from './grants';
import { Params } from './params';
import { resolveTenant, tenantName, type EntraRuntime, type TenantRef } from './runtime';
import { fullScope, parseScopes, permissionsOf, type RequestedScopes } from './scopes';

/*
 * POST /{tenant}/oauth2/v2.0/token (service-facts §2.4, §2.5).
 *
 * How msal-node 7.2.3 surfaces these errors (msal-common `ResponseHandler.validateTokenResponse` and
 * `isInteractionRequiredError`): a body whose `error` is interaction_required/consent_required/login_required…,
 * whose `error_description` contains one of those words, or whose `suberror` is consent_required, basic_action…
 * becomes an InteractionRequiredAuthError; everything else (700082, 54005, 70008, 501481, invalid_client)
 * is a plain ServerError with `errorNo` = error_codes[0]. So 65001 carries suberror consent_required, and the
 * texts of the other codes avoid those words. A failure during msal's *background* refresh (past refresh_in)
 * is only logged by msal.
 */

const RESPONSE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

const TOKEN_PARAMS = ['grant_type', 'client_id', 'client_secret', 'client_assertion', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope'];

interface GrantContext {
  rt: EntraRuntime;
  params: Params;
  tenant: TenantRef;
  clientId: string;
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client id and secret. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const encoded = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

/** Client authentication: the secret in the body (client_secret_post) or in HTTP Basic, never both. */
function authenticateClient(rt: EntraRuntime, req: Request, params: Params, tenant: TenantRef): string {
  const basic = basicCredentials(req.headers.authorization);
  const bodySecret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const methods = [basic, bodySecret, assertion].filter((m) => m !== undefined).length;
  if (methods > 1) throw Errors.malformed('more than one client authentication method was used.');
  const bodyClientId = params.get('client_id');
  if (basic && bodyClientId !== undefined && bodyClientId !== basic.id) {
    throw Errors.malformed('client_id in the body differs from the one in the Authorization header.');
  }
  const clientId = basic?.id ?? bodyClientId;
  if (!clientId) throw Errors.missingParameter('client_id');
  if (clientId.toLowerCase() !== rt.ctx.directory.clientId) throw Errors.appNotFound(clientId, tenantName(tenant));
  if (assertion !== undefined) throw Errors.assertionNotRegistered(clientId);
  const secret = basic?.secret ?? bodySecret;
  if (!secret) throw Errors.secretMissing();
  if (!safeEqual(secret, rt.ctx.directory.clientSecret)) throw Errors.secretInvalid(clientId);
  return rt.ctx.directory.clientId;
}

function checkPkce(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    // Entra's behaviour here is not documented; a verifier without a challenge means the app lost its
    // challenge on the way to /authorize, which is a bug worth surfacing.
    if (verifier !== undefined) throw Errors.pkceMismatch('A code_verifier was sent but the authorization request had no code_challenge.');
    return;
  }
  if (verifier === undefined) throw Errors.pkceMismatch("The request must contain 'code_verifier'.");
  if (!VERIFIER_SHAPE.test(verifier)) throw Errors.pkceMismatch('The code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~.');
  if (createHash('sha256').update(verifier).digest('base64url') !== challenge) throw Errors.pkceMismatch('');
}

/**
 * The scopes a token is issued for: the request's `scope`, or else those of the original grant. Entra
 * issues one audience per access token, so a `scope` naming two resources is refused (AADSTS28000); a
 * grant that consented to two (authorize may) falls back to the first it named.
 */
function scopesOfRequest(g: GrantContext, fallback: RequestedScopes): RequestedScopes {
  const raw = g.params.get('scope');
  if (raw === undefined) return { oidc: fallback.oidc, resources: fallback.resources.slice(0, 1) };
  const parsed = parseScopes(raw, tenantName(g.tenant));
  if (parsed.resources.length > 1) throw Errors.multipleResources(raw);
  return parsed;
}

function userOf(rt: EntraRuntime, oid: string): User {
  const user = rt.ctx.directory.userByOid(oid);
  if (!user) throw Errors.codeInvalid();
  return user;
}

interface Issue {
  user: User;
  scopes: RequestedScopes;
  nonce?: string;
  sid: string;
  /** Refresh responses always carry a new refresh token; code redemptions only with offline_access. */
  alwaysRefreshToken: boolean;
}

/**
 * Builds the success body. Like Entra, the access token is for one resource (the one the scopes name) and
 * carries every permission of that resource the user holds (tenant-wide plus their own consent), not only
 * the requested ones; asking for a permission that is not consented fails with 65001 so the app goes
 * back through /authorize.
 */
function issueTokens(g: GrantContext, issue: Issue): Record<string, unknown> {
  const { rt, clientId } = g;
  const { ctx } = rt;
  const { user, scopes } = issue;
  const nowSec = rt.clock.nowSec();
  const lifetimeSec = ctx.options.accessTokenLifetimeSec;
  let accessToken: string;
  let scope: string;
  const target = scopes.resources[0];
  if (target) {
    const { resource } = target;
    const granted = ctx.directory.grantedScopes(user);
    const held = RESOURCES[resource].permissions.filter((p) => granted.has(permissionUri(resource, p)));
    const missing = target.defaultScope ? (held.length ? [] : permissionsOf(target)) : ctx.directory.missingConsent(user, permissionsOf(target));
    if (missing.length) throw Errors.consentRequired(clientId, 'invalid_grant');
    const claims = accessTokenClaims({ user, clientId, scp: held, audience: RESOURCES[resource].uri, nowSec, lifetimeSec });
    ctx.accessTokens.recordIssued(claims.uti as string);
    accessToken = ctx.keys.sign(claims);
    // Full URIs (as the Microsoft docs' token response sample shows); `.default` is echoed so that msal's
    // cache lookup for a `.default` request (target ⊇ requested scopes) hits.
    const uri = (name: string) => permissionUri(resource, name);
    scope = [...held.map(uri), ...(target.defaultScope ? [uri('.default')] : [])].join(' ');
  } else {
    // Only OIDC scopes: Entra would issue a Microsoft Graph token. The emulator signs one with Graph's
    // audience, which the Defender API (rightly) refuses.
    const oidc = [...scopes.oidc].filter((s) => s !== 'offline_access');
    if (!oidc.length) throw Errors.invalidScope([...scopes.oidc].join(' ') || '(empty)', 'Ask for openid or a permission of a resource.');
    accessToken = ctx.keys.sign(accessTokenClaims({ user, clientId, scp: oidc, audience: GRAPH_APP_ID, nowSec, lifetimeSec }));
    scope = oidc.join(' ');
  }
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope,
    expires_in: lifetimeSec,
    ext_expires_in: lifetimeSec,
    access_token: accessToken,
  };
  if (issue.alwaysRefreshToken || scopes.oidc.has('offline_access')) {
    body.refresh_token = rt.refreshTokens.issue({ clientId, oid: user.oid, tenantId: user.tenantId, scopes, sid: issue.sid });
  }
  if (scopes.oidc.has('openid')) {
    body.id_token = ctx.keys.sign(idTokenClaims(ctx, { user, clientId, oidc: scopes.oidc, nonce: issue.nonce, sid: issue.sid, nowSec }));
  }
  if (g.params.get('client_info') === '1') body.client_info = clientInfo(user);
  rt.issued.record(accessToken, body.refresh_token as string | undefined, body.id_token as string | undefined);
  return body;
}

function redeemCode(g: GrantContext): Record<string, unknown> {
  const { rt, params } = g;
  const value = params.get('code');
  if (!value) throw Errors.missingParameter('code');
  const code = rt.codes.get(value);
  if (!code || code.clientId !== g.clientId) throw Errors.codeInvalid();
  // Entra rejects a second redemption with 54005. The code is spent by any attempt that got this far,
  // even one that fails below (wrong verifier or redirect URI), so a stolen code cannot be retried.
  // Tokens already issued from it stay valid: Entra is not documented to revoke them (RFC 6749 §4.1.2 "SHOULD").
  if (code.redeemed) throw Errors.codeRedeemed();
  code.redeemed = true;
  if (rt.clock.now() - code.issuedAt > CODE_LIFETIME_MS) throw Errors.codeExpired();
  if (g.tenant !== 'organizations' && g.tenant.id !== code.tenantId) throw Errors.otherTenant('Authorization Code');
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === undefined) throw Errors.missingParameter('redirect_uri');
  if (redirectUri !== code.redirectUri) throw Errors.redirectUriChanged(redirectUri);
  checkPkce(code.codeChallenge, params.get('code_verifier'));
  return issueTokens(g, {
    user: userOf(rt, code.oid),
    scopes: scopesOfRequest(g, code.scopes),
    nonce: code.nonce,
    sid: code.sid,
    alwaysRefreshToken: false,
  });
}

function redeemRefreshToken(g: GrantContext): Record<string, unknown> {
  const { rt, params } = g;
  const value = params.get('refresh_token');
  if (!value) throw Errors.missingParameter('refresh_token');
  const record = rt.refreshTokens.get(value);
  if (!record || record.clientId !== g.clientId) throw Errors.refreshTokenUnknown();
  // Real Entra reports an administrator's revocation as AADSTS50173; the issue asks for 700082 for both.
  if (record.revoked) throw Errors.refreshTokenRevoked(record.issuedAt);
  if (record.expiresAt <= rt.clock.now()) throw Errors.refreshTokenExpired(record.issuedAt);
  if (g.tenant !== 'organizations' && g.tenant.id !== record.tenantId) throw Errors.otherTenant('refresh token');
  // The used token stays valid (service-facts §2.4: refresh tokens are not revoked when used).
  return issueTokens(g, {
    user: userOf(rt, record.oid),
    scopes: scopesOfRequest(g, record.scopes),
    sid: record.sid,
    alwaysRefreshToken: true,
  });
}

function sendError(res: Response, err: AadError, trace: Trace): void {
  res.status(err.spec.status).set(RESPONSE_HEADERS).json(tokenErrorBody(err.spec, trace));
}

const TRUNCATED_SAMPLE = () =>
  JSON.stringify({
    token_type: 'Bearer',
    scope: fullScope('Incident.Read'),
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5zZWN1cml0eS5taWNyb3NvZnQuY29tIn0.c2lnbmF0dXJl',
  });

export function tokenRoutes(rt: EntraRuntime, router: express.Router): void {
  const path = '/:tenant/oauth2/v2.0/token';
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  // A body that does not parse (or is too large) gets Entra's JSON error, not Express's HTML page.
  const parseForm: express.RequestHandler = (req, res, next) =>
    form(req, res, (err?: unknown) => (err ? sendError(res, Errors.malformed('the request body is not a valid form.'), newTrace(rt.clock.now())) : next()));
  router.post(path, parseForm, async (req: Request<{ tenant: string }>, res) => {
    // msal puts client-request-id in the query; Entra echoes it as the correlation id. Other query
    // extras are ignored.
    const trace = newTrace(rt.clock.now(), Params.fromUrl(req.originalUrl).get('client-request-id'));
    res.set({ 'x-ms-request-id': trace.traceId, 'client-request-id': trace.correlationId });
    const fault = rt.ctx.faults.take('token');
    if (await sendJsonFault(res, fault, trace, rt.ctx.directory.clientId, TRUNCATED_SAMPLE)) return;

    const params = Params.fromBody(req.body);
    const grantType = params.get('grant_type');
    // Counted once the request gets past fault injection (a faulted request is not counted, a delayed
    // one is), before any validation: tests read it as "requests that reached Entra's logic".
    if (grantType === 'authorization_code' || grantType === 'refresh_token') rt.ctx.stats.grants[grantType] += 1;
    try {
      const tenant = resolveTenant(rt, req.params.tenant);
      const repeated = params.repeated(TOKEN_PARAMS);
      if (repeated) throw Errors.malformed(`the parameter '${repeated}' was sent more than once.`);
      const clientId = authenticateClient(rt, req, params, tenant);
      if (!grantType) throw Errors.missingParameter('grant_type');
      const g: GrantContext = { rt, params, tenant, clientId };
      let body: Record<string, unknown>;
      if (grantType === 'authorization_code') body = redeemCode(g);
      else if (grantType === 'refresh_token') body = redeemRefreshToken(g);
      else throw Errors.unsupportedGrantType(grantType);
      res.status(200).set(RESPONSE_HEADERS).json(body);
    } catch (err) {
      if (!(err instanceof AadError)) throw err;
      sendError(res, err, trace);
    }
  });
  router.get(path, (_req, res) => {
    sendError(res, Errors.postOnly('GET'), newTrace(rt.clock.now()));
  });
}
