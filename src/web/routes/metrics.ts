import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { loadMetricsView, metricsCsv } from '../pages/metricsPage';
import { noStore } from '../security';

/** The SOC lead's metrics over the analyst's own index, and each figure as CSV. */
export function metricsRouter(services: Services): express.Router {
  const router = express.Router();
  const { sync } = services;
  const { slaTargets } = services.config;
  router.use(['/metrics', '/metrics.csv'], requireSignIn, noStore);

  router.get('/metrics', async (req: Request, res: Response) => {
    res.render('metrics', await loadMetricsView(sync, accountOf(req), req.query, slaTargets, sync.now()));
  });

  router.get('/metrics.csv', async (req: Request, res: Response) => {
    const { name, body } = await metricsCsv(sync, accountOf(req), req.query, slaTargets, sync.now());
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${name}"`);
    res.send(body);
  });
  return router;
}
