import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import type { Backend, BudgetStatus, CallKind } from '../../budget/governor';
import { policyFor } from '../../budget/policy';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { noStore } from '../security';

const shortOid = (oid: string) => `${oid.slice(0, 8)}…`;

const CALL_WORDS: Record<CallKind, string> = { list: 'incident lists', get: 'incident reads', write: 'changes', hunt: 'hunting queries' };

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
    // Graph's hunting has a budget of its own (src/budget/governor.ts), shown beside the API's.
    const backends: Backend[] = backend === 'graph' ? ['graph', 'graph-hunting'] : [backend];
    const [partitions, ...budgets] = await Promise.all([services.sync.index.tenantStatus(account.tenantId), ...backends.map((b) => services.governor.status(account.tenantId, b))]);
    const [budget, hunting] = budgets as [BudgetStatus, BudgetStatus | undefined];
    const until = (s: BudgetStatus | undefined) => (s?.pausedUntilMs != null && s.pausedUntilMs > Date.now() ? new Date(s.pausedUntilMs).toISOString() : undefined);
    res.render('admin-status', {
      title: 'ThreatDesk status',
      backend,
      budget,
      // Each bucket with the limit it enforces, as published, and what it counts in words.
      rules: budgets.flatMap((status, b) => {
        const rules = policyFor(backends[b] as Backend, services.config.quota).rules;
        return status.rules.map((r, i) => ({ ...r, what: r.kinds.map((k) => CALL_WORDS[k]).join(', '), shown: rules[i]?.published ?? { limit: r.limit, windowMs: r.windowMs } }));
      }),
      pausedUntil: until(budget),
      huntingPausedUntil: until(hunting),
      analysts: partitions.map((p) => ({ ...p, who: p.oid === account.oid ? 'You' : shortOid(p.oid) })),
    });
  });
  return router;
}
