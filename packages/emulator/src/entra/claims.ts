import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context';
import { DEFENDER_RESOURCE, type User } from '../directory';
export { GRAPH_APP_ID } from '../directory';
import { opaque } from './ids';
import type { OidcScope } from './scopes';

/** id_tokens live an hour, whatever the access-token lifetime is set to. */
const ID_TOKEN_LIFETIME_SEC = 3600;

/** `client_info` (service-facts §2.6): base64url JSON that msal turns into homeAccountId `uid.utid`. */
export function clientInfo(user: User): string {
  return Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tenantId })).toString('base64url');
}

/** A pairwise subject: stable per user and app, different across apps, like Entra's `sub`. */
function pairwiseSub(user: User, audience: string): string {
  return createHash('sha256').update(`${user.oid}|${audience}`).digest('base64url').slice(0, 43);
}

export interface IdTokenInput {
  user: User;
  clientId: string;
  oidc: Set<OidcScope>;
  nonce?: string;
  sid: string;
  nowSec: number;
}

/** v2.0 id_token claims (service-facts §2.7); `nonce` appears only when the authorize request had one. */
export function idTokenClaims(ctx: EmulatorContext, input: IdTokenInput): Record<string, unknown> {
  const { user, nowSec } = input;
  return {
    aud: input.clientId,
    iss: `${ctx.urls.authorityHost}/${user.tenantId}/v2.0`,
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + ID_TOKEN_LIFETIME_SEC,
    ...(input.oidc.has('profile') ? { name: user.name, preferred_username: user.upn } : {}),
    ...(input.oidc.has('email') ? { email: user.upn } : {}),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    oid: user.oid,
    sid: input.sid,
    sub: pairwiseSub(user, input.clientId),
    tid: user.tenantId,
    uti: opaque(16),
    ver: '2.0',
  };
}

export interface AccessTokenInput {
  user: User;
  clientId: string;
  /** Bare permission names for `scp`. */
  scp: string[];
  audience?: string;
  nowSec: number;
  lifetimeSec: number;
}

/**
 * A v1-style delegated access token (service-facts §2.8): the Defender half checks its signature, `iss`,
 * `aud`, `exp`, `scp` and `iat`.
 */
export function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
  const { user, nowSec } = input;
  const audience = input.audience ?? DEFENDER_RESOURCE;
  return {
    aud: audience,
    iss: `https://sts.windows.net/${user.tenantId}/`,
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + input.lifetimeSec,
    acr: '1',
    amr: ['pwd'],
    appid: input.clientId,
    // 1 = the client authenticated with a secret.
    appidacr: '1',
    name: user.name,
    oid: user.oid,
    scp: input.scp.join(' '),
    sub: pairwiseSub(user, audience),
    tid: user.tenantId,
    unique_name: user.upn,
    upn: user.upn,
    uti: opaque(16),
    ver: '1.0',
  };
}
