const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an id_token must say to be ThreatDesk's: for this app, from this authority, for this tenant. */
export interface IdTokenExpectations {
  clientId: string;
  /** The issuer, `{tenantid}` standing for the token's `tid` (multi-tenant authorities). */
  issuerTemplate: string;
  /** TENANT: a tenant id is enforced; a domain or `organizations` admits any tenant. */
  tenant: string;
}

/** Clock skew tolerated on `exp`, as msal allows for access tokens. */
const SKEW_SEC = 300;

/**
 * Checks the claims of the id_token msal returned from a code redemption (OIDC Core §3.1.3.7, ASVS
 * 10.5.3/10.5.4). msal-node checks the `nonce` against the one sent, and the token arrives straight
 * from the token endpoint over verified TLS (so its signature may go unchecked, §3.1.3.7 item 6);
 * it does not check `aud`, `iss`, `tid` or `exp`, so they are checked here. Returns what is
 * wrong, or undefined.
 */
export function idTokenProblem(claims: Record<string, unknown> | undefined, expected: IdTokenExpectations, nowSec: number): string | undefined {
  if (!claims) return 'no id_token';
  const { aud, iss, tid, exp } = claims;
  if (aud !== expected.clientId && !(Array.isArray(aud) && aud.length === 1 && aud[0] === expected.clientId)) return 'aud is not this app';
  if (typeof tid !== 'string' || !GUID.test(tid)) return 'no tenant id';
  if (GUID.test(expected.tenant) && tid.toLowerCase() !== expected.tenant.toLowerCase()) return 'tid is not the configured tenant';
  if (iss !== expected.issuerTemplate.replace('{tenantid}', tid)) return 'iss is not the authority (for that tenant)';
  // `exp` is required (§3.1.3.7 item 9). `iat` and `nbf` are not checked: a token minted a moment ago by
  // an authority whose clock runs ahead of ours is still the answer to this very request (state and
  // nonce prove it), and refusing it would only lock analysts out over clock skew.
  if (typeof exp !== 'number' || exp + SKEW_SEC <= nowSec) return 'expired';
  return undefined;
}
