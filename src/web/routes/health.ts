import express from 'express';
import type { Services } from '../../services';

/** Probes live outside session and auth middleware: cheap, unauthenticated, no details in the body. */
export function healthRouter(services: Services): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain').send('ok');
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain');
    if (services.state.shuttingDown) return void res.status(503).send('shutting down');
    try {
      await Promise.race([
        services.store.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 300).unref()),
      ]);
      res.send('ready');
    } catch {
      res.set('Retry-After', '5').status(503).send('session store unavailable');
    }
  });
  return router;
}
