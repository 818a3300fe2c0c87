import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Clock } from './clock';
import { controlRouter, inProcessControl, type EmulatorControl } from './control';
import { DEFAULT_QUOTAS, type EmulatorContext, type EmulatorOptions, type EmulatorUrls } from './context';
import { createDefender } from './defender';
import { Directory } from './directory';
import { createEntra } from './entra';
import { FaultRegistry } from './faults';
import { SigningKeys } from './keys';
import { generateTls } from './tls';
import { RequestLog } from './requestLog';
import { AccessTokenLedger } from './tokenLedger';

export type { EmulatorOptions, EmulatorUrls, Quotas } from './context';
export { CONTROL_ROUTES, ControlError, EmulatorControlClient } from './control';
export type * from './control/types';
export { DETERMINATIONS, DEVICE_GROUPS } from './defender';
export { CONTOSO_ID, DEFENDER_RESOURCE, DEFENDER_SCOPES, FABRIKAM_ID, THREATDESK_CLIENT_ID, defaultRedirectUris, type User } from './directory';

/** A running emulator. Everything beyond its addresses and certificate goes through `control`. */
export interface Emulator {
  urls: EmulatorUrls;
  /** PEM of the back channel's self-signed certificate: what clients must trust. */
  caCertPem: string;
  /** A temporary file holding `caCertPem` (removed on close), for apps configured by file path. */
  caFile: string;
  /** The control face, by direct calls (the same operations as EmulatorControlClient over HTTP). */
  control: EmulatorControl;
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
  const clock = new Clock(options.now?.getTime());
  const startedAt = new Date(clock.now());
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
      now: options.now ?? startedAt,
    },
    urls,
    clock,
    directory,
    keys,
    faults: new FaultRegistry(),
    stats: { grants: { authorization_code: 0, refresh_token: 0 }, defenderRequests: new RequestLog() },
    accessTokens: new AccessTokenLedger(clock),
  };

  const entra = createEntra(ctx);
  const defender = createDefender(ctx);
  const control = inProcessControl({ ctx, entra, defender });
  const controlRoutes = controlRouter(control);

  for (const app of [backApp, frontApp]) {
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use('/_emulator', controlRoutes);
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
    control,
    async close() {
      await Promise.all([closeServer(backServer), closeServer(frontServer)]);
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}
