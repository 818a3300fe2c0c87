import express from 'express';
import type { EmulatorContext } from '../context';

/** Contract with startEmulator(); implemented in this folder. */
export interface Entra {
  /** Served over HTTPS: /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys, /{tenant}/oauth2/v2.0/token */
  backChannel: express.Router;
  /** Served over plain HTTP for the browser: authorize, sign-in/consent pages, logout, admin consent. */
  frontChannel: express.Router;
  /** Revokes every refresh token of the user (they then fail with AADSTS700082); returns how many. */
  revokeRefreshTokens(upn: string): number;
}

export function createEntra(_ctx: EmulatorContext): Entra {
  return { backChannel: express.Router(), frontChannel: express.Router(), revokeRefreshTokens: () => 0 };
}
