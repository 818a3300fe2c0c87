import { RESOURCES, type ResourceKey, type User } from '../directory';
import { accessTokenClaims } from './claims';
import type { EntraRuntime } from './runtime';

export interface MintOptions {
  /** Which resource the token is for (default `defender`). */
  resource?: ResourceKey;
  /** Claims to set or override (`iat`, `exp`, `scp`, `aud`…). */
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  remove?: string[];
}

/** The `scp` a minted token carries unless told otherwise: reading and writing incidents. */
export const MINT_DEFAULT_SCP: Record<ResourceKey, string[]> = {
  defender: ['Incident.Read', 'Incident.ReadWrite'],
  graph: ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'],
};

/**
 * An access token for `user`, shaped and signed as the token endpoint issues them (service-facts §2.8),
 * without a sign-in: for the Defender API (`aud` https://api.security.microsoft.com, default `scp`
 * Incident.Read Incident.ReadWrite) or Microsoft Graph (`aud` https://graph.microsoft.com, default `scp`
 * SecurityIncident.Read.All SecurityIncident.ReadWrite.All), whatever is consented, issued now on the
 * emulator clock for the configured lifetime. It is recorded like an issued token: in the access-token
 * ledger (unless `iat` is overridden, when the ledger goes by that `iat`) and among the issued secrets.
 */
export function mintAccessToken(rt: EntraRuntime, user: User, options: MintOptions = {}): string {
  const { ctx } = rt;
  const resource = options.resource ?? 'defender';
  const claims = options.claims ?? {};
  const payload: Record<string, unknown> = {
    ...accessTokenClaims({
      user,
      clientId: ctx.directory.clientId,
      scp: MINT_DEFAULT_SCP[resource],
      audience: RESOURCES[resource].uri,
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
