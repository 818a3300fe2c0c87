import express from 'express';
import type { EmulatorContext } from '../context';
import type { User } from '../directory';
import { adminConsentFlow, adminConsentRoutes } from './adminConsent';
import { authorizeFlow, authorizeRoutes } from './authorize';
import { discoveryRoutes } from './discovery';
import { CodeStore, IssuedLog, PendingStore, RefreshTokenStore, SessionStore } from './grants';
import { interactionRoutes } from './interaction';
import { logoutRoutes } from './logout';
import { mintAccessToken, type MintOptions } from './mint';
import type { EntraRuntime } from './runtime';
import { tokenRoutes } from './token';

export type { MintOptions } from './mint';

/** Contract with startEmulator(); implemented in this folder. */
export interface Entra {
  /** Served over HTTPS: /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys, /{tenant}/oauth2/v2.0/token */
  backChannel: express.Router;
  /** Served over plain HTTP for the browser: authorize, sign-in/consent pages, logout, admin consent. */
  frontChannel: express.Router;
  /** Revokes every refresh token of the user (they then fail with AADSTS700082); returns how many. */
  revokeRefreshTokens(upn: string): number;
  /** Every authorization code, access token, id_token and refresh token issued so far (the most recent 20,000). */
  issuedSecrets(): string[];
  /** A Defender or Graph access token for the user without a sign-in (see mint.ts). */
  mintAccessToken(user: User, options?: MintOptions): string;
}

/**
 * The Microsoft Entra ID v2.0 endpoints msal-node and a browser exercise (service-facts §2).
 * Routes (all under `/{tenant}` = tenant id, verified domain or `organizations`):
 * - back channel (HTTPS): `v2.0/.well-known/openid-configuration`, `discovery/v2.0/keys`, `oauth2/v2.0/token`
 * - front channel (HTTP): `oauth2/v2.0/authorize`, `login` and `consent` (the emulator's own page posts),
 *   `oauth2/v2.0/logout`, `v2.0/adminconsent`, `adminconsent`
 */
export function createEntra(ctx: EmulatorContext): Entra {
  const { clock } = ctx;
  const rt: EntraRuntime = {
    ctx,
    clock,
    codes: new CodeStore(clock),
    refreshTokens: new RefreshTokenStore(clock, () => ctx.options.refreshTokenLifetimeSec),
    sessions: new SessionStore(clock),
    pending: new PendingStore(clock),
    issued: new IssuedLog(),
  };

  const backChannel = express.Router();
  discoveryRoutes(rt, backChannel);
  tokenRoutes(rt, backChannel);

  const frontChannel = express.Router();
  // Browsers ask for it on every page; answering keeps their consoles free of 404s.
  frontChannel.get('/favicon.ico', (_req, res) => void res.status(204).end());
  const authorize = authorizeFlow(rt);
  const adminconsent = adminConsentFlow(rt);
  authorizeRoutes(rt, frontChannel, authorize);
  adminConsentRoutes(rt, frontChannel, adminconsent);
  interactionRoutes(rt, frontChannel, { authorize, adminconsent });
  logoutRoutes(rt, frontChannel);

  return {
    backChannel,
    frontChannel,
    issuedSecrets: () => rt.issued.all(),
    mintAccessToken: (user, options) => mintAccessToken(rt, user, options),
    revokeRefreshTokens(upn: string): number {
      const user = ctx.directory.findUser(upn);
      return user ? rt.refreshTokens.revokeAll(user.oid) : 0;
    },
  };
}
