import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface Jwk {
  kty: string;
  use: string;
  kid: string;
  x5t: string;
  n: string;
  e: string;
  alg: string;
}

/**
 * The emulator's token-signing key. Generated at start and never written anywhere, like the real
 * service's keys it is only published through the JWKS endpoint.
 */
export class SigningKeys {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('base64url').slice(0, 27);
  }

  jwks(): { keys: Jwk[] } {
    const { n, e } = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n, e, alg: 'RS256' }] };
  }

  sign(payload: Record<string, unknown>): string {
    return jwt.sign(payload, this.privateKey, { algorithm: 'RS256', keyid: this.kid, header: { typ: 'JWT', alg: 'RS256', x5t: this.kid } });
  }

  /**
   * Verifies signature, `exp`/`nbf` at `nowSec` (the emulator clock's whole seconds), and optionally
   * `iss`/`aud`. Throws jsonwebtoken's errors.
   */
  verify(token: string, nowSec: number, expect: { audience?: string; issuer?: string | [string, ...string[]] } = {}): jwt.JwtPayload {
    const payload = jwt.verify(token, this.publicKey, {
      algorithms: ['RS256'],
      audience: expect.audience,
      issuer: expect.issuer,
      clockTimestamp: nowSec,
    });
    if (typeof payload === 'string') throw new jwt.JsonWebTokenError('unexpected string payload');
    return payload;
  }
}
