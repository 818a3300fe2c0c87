import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Clock } from './clock';
import { controlRouter, inProcessControl, type EmulatorControl } from './control';
import { DEFAULT_QUOTAS, LIST_ORDERS, MAX_PAGE_SIZE, type EmulatorContext, type EmulatorOptions, type EmulatorUrls } from './context';
import { createDefender, IncidentStoreImpl, QuotaTracker } from './defender';
import { Directory } from './directory';
import { createEntra } from './entra';
import { FaultRegistry } from './faults';
import { createGraph } from './graph';
import { SigningKeys } from './keys';
import { generateTls } from './tls';
import { RequestLog } from './requestLog';
import { AccessTokenLedger } from './tokenLedger';

export type { EmulatorOptions, EmulatorUrls, ListOrder, ListingSettings, Quotas } from './context';
export { DEFAULT_PAGE_SIZE, LIST_ORDERS } from './context';
export { CONTROL_ROUTES, ControlError, EmulatorControlClient } from './control';
export type * from './control/types';
export { DETERMINATIONS, DEVICE_GROUPS } from './defender';
export {
  CONTOSO_ID,
  DEFENDER_RESOURCE,
  DEFENDER_SCOPES,
  ENTRA_ROLES,
  FABRIKAM_ID,
  GRAPH_RESOURCE,
  GRAPH_SCOPES,
  THREATDESK_CLIENT_ID,
  defaultRedirectUris,
  type EntraRole,
  type User,
} from './directory';

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

function checkListingOptions(options: EmulatorOptions): void {
  if (options.listOrder !== undefined && !LIST_ORDERS.includes(options.listOrder)) {
    throw new RangeError(`listOrder must be one of ${LIST_ORDERS.join(', ')} (got ${String(options.listOrder)})`);
  }
  const size = options.pageSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${String(size)})`);
  }
}

/** PEM text ending in a newline, so CA bundles can be built with `cat`. */
const withFinalNewline = (pem: string) => (pem.endsWith('\n') ? pem : `${pem}\n`);

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkListingOptions(options);
  const tls = await generateTls();
  const caPem = withFinalNewline(tls.cert);
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
    graphBase: `https://localhost:${httpsPort}`,
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
      listing: { order: options.listOrder ?? 'shuffled', pageSize: options.pageSize ?? null },
      now: options.now ?? startedAt,
    },
    urls,
    clock,
    directory,
    keys,
    faults: new FaultRegistry(),
    stats: { grants: { authorization_code: 0, refresh_token: 0 }, apiRequests: new RequestLog() },
    accessTokens: new AccessTokenLedger(clock),
  };

  const entra = createEntra(ctx);
  // One store and one quota tracker behind both incident APIs: a change through one is seen through the other.
  const store = new IncidentStoreImpl(ctx);
  const quota = new QuotaTracker(clock);
  const defender = createDefender(ctx, store, quota);
  const graph = createGraph(ctx, store, quota);
  const control = inProcessControl({ ctx, entra, defender });
  const controlRoutes = controlRouter(control);

  for (const app of [backApp, frontApp]) {
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use('/_emulator', controlRoutes);
  }
  backApp.use('/defender', defender.router);
  backApp.use('/v1.0', graph.router);
  backApp.use(entra.backChannel);
  frontApp.use(entra.frontChannel);

  const caDir = mkdtempSync(path.join(tmpdir(), 'threatdesk-emulator-'));
  const caFile = path.join(caDir, 'emulator-ca.pem');
  writeFileSync(caFile, caPem);

  return {
    urls,
    caCertPem: caPem,
    caFile,
    control,
    async close() {
      await Promise.all([closeServer(backServer), closeServer(frontServer)]);
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}
