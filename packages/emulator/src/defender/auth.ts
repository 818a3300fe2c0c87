import jwt from 'jsonwebtoken';
import type { EmulatorContext } from '../context';
import { DEFENDER_RESOURCE, type User } from '../directory';

/**
 * Bearer-token validation as the real API does it for delegated calls: the token must be one the
 * emulator's Entra half signed (signature, exp, nbf, against the emulator clock), for this resource
 * (`aud`), from the v1 issuer of a known tenant, not issued before an "expire all tokens" and naming an
 * existing user of that tenant.
 * Permissions (`scp`) and the user's Defender role are checked afterwards by the routes, as 403s.
 */

/** Why a token was refused, for surfaces that word their 401s their own way. */
export type AuthFailure = 'missing' | 'scheme' | 'expired' | 'notYetValid' | 'invalid' | 'audience' | 'tenant' | 'issuer' | 'iat' | 'revoked' | 'user';

export type AuthOutcome =
  | { ok: true; user: User; scopes: Set<string>; appId: string; tenantId: string }
  | { ok: false; reason: AuthFailure; message: string };

function claimString(payload: jwt.JwtPayload, name: string): string | undefined {
  const v: unknown = payload[name];
  return typeof v === 'string' ? v : undefined;
}

/** `audiences`: the `aud` values this surface accepts (the first names it in messages). */
export function authenticate(ctx: EmulatorContext, header: string | undefined, audiences: readonly string[] = [DEFENDER_RESOURCE]): AuthOutcome {
  const fail = (reason: AuthFailure, message: string): AuthOutcome => ({ ok: false, reason, message });
  if (!header) return fail('missing', 'The Authorization header is missing; send Authorization: Bearer <access token>.');
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) return fail('scheme', 'The Authorization header must be of the form: Bearer <access token>.');

  let payload: jwt.JwtPayload;
  try {
    payload = ctx.keys.verify(token, ctx.clock.nowSec());
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) return fail('expired', `The access token expired at ${err.expiredAt.toISOString()}.`);
    if (err instanceof jwt.NotBeforeError) return fail('notYetValid', `The access token is not valid before ${err.date.toISOString()}.`);
    const reason = err instanceof Error ? err.message : String(err);
    return fail('invalid', `The access token is invalid: ${reason}.`);
  }

  const aud = payload.aud;
  if (typeof aud !== 'string' || !audiences.includes(aud)) {
    return fail('audience', `The access token audience '${String(aud)}' is not ${audiences[0]}.`);
  }
  const tid = claimString(payload, 'tid');
  if (!tid || !ctx.directory.tenants.has(tid)) return fail('tenant', `The access token's tenant '${tid ?? ''}' is not known.`);
  const expectedIssuer = `https://sts.windows.net/${tid}/`;
  if (payload.iss !== expectedIssuer) {
    return fail('issuer', `The access token issuer '${String(payload.iss)}' is not the issuer of its tenant (${expectedIssuer}).`);
  }
  if (typeof payload.iat !== 'number') return fail('iat', 'The access token has no iat claim.');
  if (ctx.accessTokens.isRevoked(payload.uti, payload.iat)) {
    return fail('revoked', 'The access token was issued before access tokens were revoked; acquire a new one.');
  }
  const oid = claimString(payload, 'oid');
  const user = oid ? ctx.directory.userByOid(oid) : undefined;
  if (!user || user.tenantId !== tid) return fail('user', `The user '${oid ?? ''}' of the access token does not exist in the tenant.`);

  const scopes = new Set((claimString(payload, 'scp') ?? '').split(' ').filter(Boolean));
  const appId = claimString(payload, 'appid') ?? claimString(payload, 'azp') ?? '';
  return { ok: true, user, scopes, appId, tenantId: tid };
}
