import express, { type Request, type Response } from 'express';
import type { EmulatorContext } from './context';
import type { Entra } from './entra';
import type { Fault } from './faults';

/**
 * The emulator's own control surface (not part of any Microsoft API): fault injection, extra users,
 * token revocation and expiry, and counters. Tests in other processes and demos drive it over HTTP.
 */
export function controlRouter(ctx: EmulatorContext, deps: { entra: Entra; expireAccessTokens(): void }): express.Router {
  const router = express.Router();
  router.use(express.json());

  const fail = (res: Response, err: unknown) =>
    res.status(400).json({ error: err instanceof Error ? err.message : String(err) });

  router.get('/faults', (_req, res) => {
    res.json(ctx.faults.pending());
  });
  router.post('/faults', (req: Request, res) => {
    try {
      const faults: Fault[] = Array.isArray(req.body) ? req.body : [req.body];
      faults.forEach((f) => ctx.faults.add(f));
      res.status(201).json(ctx.faults.pending());
    } catch (err) {
      fail(res, err);
    }
  });
  router.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.status(204).end();
  });
  router.post('/users', (req, res) => {
    try {
      const user = ctx.directory.addUser(req.body);
      res.status(201).json(user);
    } catch (err) {
      fail(res, err);
    }
  });
  router.post('/users/:upn/revoke', (req, res) => {
    const user = ctx.directory.findUser(req.params.upn);
    if (!user) return void res.status(404).json({ error: 'no such user' });
    res.json({ revoked: deps.entra.revokeRefreshTokens(user.upn) });
  });
  router.post('/tokens/expire', (_req, res) => {
    deps.expireAccessTokens();
    res.status(204).end();
  });
  router.get('/stats', (_req, res) => {
    res.json({ grants: ctx.stats.grants, defenderRequests: ctx.stats.defenderRequests.length });
  });
  return router;
}
