import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { controlRouter } from './control';
import { DEFAULT_QUOTAS, type EmulatorContext, type EmulatorOptions, type EmulatorUrls } from './context';
import { createDefender, type Defender } from './defender';
import { Directory, type NewUser, type User } from './directory';
import { createEntra, type Entra } from './entra';
import { FaultRegistry } from './faults';
import { SigningKeys } from './keys';
import { generateTls } from './tls';
import { AccessTokenLedger } from './tokenLedger';

export type { EmulatorOptions, EmulatorUrls } from './context';
export { CONTOSO_ID, DEFENDER_RESOURCE, FABRIKAM_ID, THREATDESK_CLIENT_ID, defaultRedirectUris, type NewUser, type User } from './directory';

export interface Emulator {
  urls: EmulatorUrls;
  /** PEM of the back channel's self-signed certificate: what clients must trust. */
  caCertPem: string;
  /** A temporary file holding `caCertPem` (removed on close), for apps configured by file path. */
  caFile: string;
  context: EmulatorContext;
  entra: Entra;
  defender: Defender;
  addUser(user: NewUser): User;
  /** Registers another redirect URI for ThreatDesk (tests learn their app's port after the emulator starts). */
  addRedirectUris(uris: string[]): void;
  /** Makes every access token issued so far fail at the Defender API with 401. */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const tls = await generateTls();
  const keys = new SigningKeys();
  const directory = Directory.seeded({ clientSecret: options.clientSecret, redirectUris: options.redirectUris });
  const envIncidents = Number(process.env.EMULATOR_INCIDENTS);

  const backApp = express();
  const frontApp = express();
  const backServer = https.createServer({ cert: tls.cert, key: tls.key }, backApp);
  const frontServer = http.createServer(frontApp);
  const httpsPort = await listen(backServer, options.httpsPort ?? 0);
  const httpPort = await listen(frontServer, options.httpPort ?? 0);

  const urls: EmulatorUrls = {
    authorityHost: `https://localhost:${httpsPort}`,
    browserBase: `http://localhost:${httpPort}`,
    defenderBase: `https://localhost:${httpsPort}/defender`,
  };
  const ctx: EmulatorContext = {
    options: {
      httpsPort,
      httpPort,
      clientSecret: directory.clientSecret,
      redirectUris: [...directory.redirectUris],
      accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 3600,
      refreshTokenLifetimeSec: options.refreshTokenLifetimeSec ?? 90 * 24 * 3600,
      incidents: options.incidents ?? (Number.isInteger(envIncidents) && envIncidents > 0 ? envIncidents : 300),
      seed: options.seed ?? 20261124,
      quotas: { ...DEFAULT_QUOTAS, ...options.quotas },
      now: options.now ?? new Date(),
    },
    urls,
    directory,
    keys,
    faults: new FaultRegistry(),
    stats: { grants: { authorization_code: 0, refresh_token: 0 }, defenderRequests: [] },
    accessTokens: new AccessTokenLedger(),
  };

  const entra = createEntra(ctx);
  const defender = createDefender(ctx);
  const expireAccessTokens = () => ctx.accessTokens.revokeAllIssuedUntilNow();
  const control = controlRouter(ctx, { entra, expireAccessTokens });

  for (const app of [backApp, frontApp]) {
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use('/_emulator', control);
  }
  backApp.use('/defender', defender.router);
  backApp.use(entra.backChannel);
  frontApp.use(entra.frontChannel);

  const caDir = mkdtempSync(path.join(tmpdir(), 'threatdesk-emulator-'));
  const caFile = path.join(caDir, 'emulator-ca.pem');
  writeFileSync(caFile, tls.cert);

  return {
    urls,
    caCertPem: tls.cert,
    caFile,
    context: ctx,
    entra,
    defender,
    addUser: (user) => directory.addUser(user),
    addRedirectUris: (uris) => uris.forEach((u) => directory.redirectUris.add(u)),
    expireAccessTokens,
    async close() {
      await Promise.all([closeServer(backServer), closeServer(frontServer)]);
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}
