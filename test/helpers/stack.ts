import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { appEnvFor } from './appEnv';
import { onTestDatabase, TEST_DATABASE_URL } from './testDatabase';
import { loadConfig } from '../../src/config/config';
import { startEmulator, type Emulator, type EmulatorOptions } from '@threatdesk/emulator';
import { createLogger } from '../../src/logging/logger';
import { createServices, type Services } from '../../src/services';
import type { KeyValueStore } from '../../src/store/store';

export interface AppInstance {
  url: string;
  services: Services;
  server: http.Server;
  /** Every log line this instance wrote (JSON strings). */
  logs: string[];
  close(): Promise<void>;
}

const UNMETERED = Object.fromEntries(
  ['QUOTA_GRAPH_PER_MIN', 'QUOTA_HUNTING_PER_MIN', 'QUOTA_DEFENDER_LIST_PER_MIN', 'QUOTA_DEFENDER_LIST_PER_HOUR', 'QUOTA_DEFENDER_GET_PER_MIN', 'QUOTA_DEFENDER_GET_PER_HOUR', 'QUOTA_DEFENDER_WRITE_PER_MIN'].map((k) => [k, '100000']),
);

/** Every log line of every instance in this test file, for the "no token in any log" scan. */
export const allLogs: string[] = [];

/**
 * Where an app's incident index lives: by default a fresh schema of the test PostgreSQL (dropped at
 * close), which starts in milliseconds; `pglite` for the embedded engine, as the demo runs it (a
 * few seconds to start); or whatever DATABASE_URL the test sets itself.
 */
async function indexFor(env: Record<string, string | undefined>, engine: 'postgres' | 'pglite'): Promise<{ env: Record<string, string>; drop?: () => Promise<void> }> {
  if (env.DATABASE_URL !== undefined || engine === 'pglite') return { env: {} };
  const schema = `td_${randomBytes(8).toString('hex')}`;
  await onTestDatabase(`create schema ${schema}`);
  return { env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }, drop: () => onTestDatabase(`drop schema ${schema} cascade`) };
}

/** Listens first so BASE_URL (and the redirect URI derived from it) can carry the real port. */
export async function startApp(emu: Emulator, env: Record<string, string | undefined> = {}, parts: { store?: KeyValueStore; index?: 'postgres' | 'pglite'; now?: () => number } = {}): Promise<AppInstance> {
  const index = await indexFor(env, parts.index ?? 'postgres');
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  const config = loadConfig({
    ...(await appEnvFor(emu, env.BASE_URL ?? url)),
    BASE_URL: url,
    SESSION_SECRETS: 'test-session-secret-0123456789-abcdefghijkl',
    LOG_LEVEL: 'debug',
    PORT: String(port),
    // The tenant's API budget is not what most tests test: theirs set it when it is.
    ...UNMETERED,
    ...index.env,
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      const line = chunk.toString();
      logs.push(line);
      allLogs.push(line);
      cb();
    },
  });
  const services = await createServices(config, { logger: createLogger('debug', sink), store: parts.store, now: parts.now });
  server.on('request', createApp(services));
  return {
    url,
    services,
    server,
    logs,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.close();
      await index.drop?.();
    },
  };
}

export async function startStack(options: EmulatorOptions = {}, env: Record<string, string | undefined> = {}, parts: { index?: 'postgres' | 'pglite'; now?: () => number } = {}) {
  const emu = await startEmulator(options);
  const app = await startApp(emu, env, parts);
  return {
    emu,
    app,
    async close() {
      await app.close();
      await emu.close();
    },
  };
}
