import express, { type Request } from 'express';
import { PERMISSIONS } from '../../auth/scopes';
import type { Services } from '../../services';

const PAGE_SIZE = 50;

export function incidentsRouter(services: Services): express.Router {
  const router = express.Router();
  router.get('/', async (req: Request, res) => {
    const account = req.session.account!;
    const incidents = await services.defender.run(account, PERMISSIONS.read, (client, token) => client.listIncidents(token, { top: PAGE_SIZE }));
    delete req.session.signInLoop;
    res.render('incidents', { incidents });
  });
  return router;
}
