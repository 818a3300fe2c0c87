import { createPublicKey, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Agent, fetch } from 'undici';
import type { Emulator } from '../../src';

/**
 * Verifies a token the emulator issued as a relying party would: signature against the key published at
 * the JWKS endpoint (by `kid`), RS256 only, `exp`/`nbf` at the emulator clock's now, and `aud`/`iss` when given.
 */
export async function verifyToken(
  emu: Pick<Emulator, 'urls' | 'caCertPem' | 'control'>,
  token: string,
  expect: { audience?: string; issuer?: string } = {},
): Promise<jwt.JwtPayload> {
  const agent = new Agent({ connect: { ca: emu.caCertPem } });
  let keys: (JsonWebKey & { kid: string })[];
  try {
    const res = await fetch(`${emu.urls.authorityHost}/organizations/discovery/v2.0/keys`, { dispatcher: agent });
    ({ keys } = (await res.json()) as { keys: (JsonWebKey & { kid: string })[] });
  } finally {
    await agent.close();
  }
  const kid = jwt.decode(token, { complete: true })?.header.kid;
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no published key with kid ${String(kid)}`);
  const payload = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
    algorithms: ['RS256'],
    audience: expect.audience,
    issuer: expect.issuer,
    clockTimestamp: Math.floor((await emu.control.clock.now()) / 1000),
  });
  if (typeof payload === 'string') throw new Error('unexpected string payload');
  return payload;
}
