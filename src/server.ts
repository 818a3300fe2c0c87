import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config/config';
import { describeError } from './logging/logger';
import { createServices, type Services } from './services';

export interface RunningServer {
  server: http.Server;
  services: Services;
  url: string;
  /** Stops taking traffic, lets in-flight requests finish (up to `graceMs`), then closes the store. */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startServer(config: Config, services?: Services): Promise<RunningServer> {
  const svc = services ?? (await createServices(config));
  const app = createApp(svc);
  const server = http.createServer(app);
  // Longer than typical load-balancer idle timeouts, so they never reuse a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    server,
    services: svc,
    url: `http://localhost:${port}`,
    shutdown(graceMs = 10_000) {
      stopping ??= (async () => {
        svc.state.shuttingDown = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() only drops sockets idle at that moment; keep-alive sockets whose request finishes
        // later would hold shutdown for their whole keep-alive timeout, so sweep them as they go idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.closeIdleConnections();
        await closed;
        clearInterval(sweep);
        clearTimeout(timer);
        await svc.close();
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const running = await startServer(config);
  const { logger } = running.services;
  logger.info({ port: config.port, baseUrl: config.baseUrl.origin, store: config.sessionStore }, 'ThreatDesk listening');
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.shutdown().then(
      () => process.exit(0),
      (err) => {
        logger.error({ error: describeError(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error('ThreatDesk failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
