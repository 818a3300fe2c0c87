import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { policyFor } from '../../budget/policy';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { noStore } from '../security';

const shortOid = (oid: string) => `${oid.slice(0, 8)}…`;

/**
 * /admin/status: the tenant's API budget and each analyst's index (progress and errors, never an
 * incident), for the signed-in analyst's own tenant only. Analysts are named by the start of their
 * object id, the analyst looking by "you".
 */
export function statusRouter(services: Services): express.Router {
  const router = express.Router();
  router.get('/admin/status', requireSignIn, noStore, async (req: Request, res: Response) => {
    const account = accountOf(req);
    const backend = services.config.securityApi;
    const [budget, partitions] = await Promise.all([services.governor.status(account.tenantId, backend), services.sync.index.tenantStatus(account.tenantId)]);
    const rules = policyFor(backend, services.config.quota).rules;
    res.render('admin-status', {
      title: 'ThreatDesk status',
      backend,
      budget,
      // Each bucket with the limit it enforces, as published.
      rules: budget.rules.map((r, i) => ({ ...r, shown: rules[i]?.published ?? { limit: r.limit, windowMs: r.windowMs } })),
      pausedUntil: budget.pausedUntilMs !== null && budget.pausedUntilMs > Date.now() ? new Date(budget.pausedUntilMs).toISOString() : undefined,
      analysts: partitions.map((p) => ({ ...p, who: p.oid === account.oid ? 'You' : shortOid(p.oid) })),
    });
  });
  return router;
}
