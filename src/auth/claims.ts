/** The claims of an access token, decoded for display only: the app never trusts them for decisions. */
export interface TokenClaims {
  aud?: string;
  iss?: string;
  tid?: string;
  oid?: string;
  name?: string;
  upn?: string;
  unique_name?: string;
  scp?: string;
  roles?: string[];
  appid?: string;
  azp?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  ver?: string;
}

/**
 * Decodes a JWT's payload without verifying it. Safe here because the token came straight from the
 * token endpoint over TLS and is only described to its owner; the API it is for does the verifying.
 */
export function decodeClaims(jwt: string): TokenClaims | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
}

export const scopesOf = (claims: TokenClaims): string[] => (typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : []);
