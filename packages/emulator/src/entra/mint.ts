import type { User } from '../directory';
import { accessTokenClaims } from './claims';
import type { EntraRuntime } from './runtime';

export interface MintOptions {
  /** Claims to set or override (`iat`, `exp`, `scp`, `aud`…). */
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  remove?: string[];
}

/**
 * A Defender access token for `user`, shaped and signed as the token endpoint issues them (service-facts
 * §2.8), without a sign-in: by default with `scp` Incident.Read Incident.ReadWrite whatever is consented,
 * issued now on the emulator clock for the configured lifetime. It is recorded like an issued token:
 * in the access-token ledger (unless `iat` is overridden, when the ledger goes by that `iat`) and among
 * the issued secrets.
 */
export function mintAccessToken(rt: EntraRuntime, user: User, options: MintOptions = {}): string {
  const { ctx } = rt;
  const claims = options.claims ?? {};
  const payload: Record<string, unknown> = {
    ...accessTokenClaims({
      user,
      clientId: ctx.directory.clientId,
      scp: ['Incident.Read', 'Incident.ReadWrite'],
      nowSec: rt.clock.nowSec(),
      lifetimeSec: ctx.options.accessTokenLifetimeSec,
    }),
    ...claims,
  };
  for (const name of options.remove ?? []) delete payload[name];
  if (typeof payload.uti === 'string' && claims.iat === undefined) ctx.accessTokens.recordIssued(payload.uti);
  const token = ctx.keys.sign(payload);
  rt.issued.record(token);
  return token;
}
