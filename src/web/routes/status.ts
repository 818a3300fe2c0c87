import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import type { Backend, BudgetStatus } from '../../budget/governor';
import { policyFor } from '../../budget/policy';
import { t } from '../../i18n/i18n';
import type { Services } from '../../services';
import { showSyncProblem } from '../../sync/syncErrors';
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
    // Graph's hunting has a budget of its own (src/budget/governor.ts), shown beside the API's.
    const backends: Backend[] = backend === 'graph' ? ['graph', 'graph-hunting'] : [backend];
    const [partitions, ...budgets] = await Promise.all([services.sync.index.tenantStatus(account.tenantId), ...backends.map((b) => services.governor.status(account.tenantId, b))]);
    const [budget, hunting] = budgets as [BudgetStatus, BudgetStatus | undefined];
    const until = (s: BudgetStatus | undefined) => (s?.pausedUntilMs != null && s.pausedUntilMs > Date.now() ? new Date(s.pausedUntilMs).toISOString() : undefined);
    res.render('admin-status', {
      title: t('admin:status.title'),
      backend,
      budget,
      // Each bucket with the limit it enforces, as published, and what it counts in words.
      rules: budgets.flatMap((status, b) => {
        const rules = policyFor(backends[b] as Backend, services.config.quota).rules;
        return status.rules.map((r, i) => ({ ...r, what: r.kinds.map((k) => t(`admin:status.callKinds.${k}`)).join(', '), shown: rules[i]?.published ?? { limit: r.limit, windowMs: r.windowMs } }));
      }),
      pausedUntil: until(budget),
      huntingPausedUntil: until(hunting),
      // A problem is stored as words or as a record (src/sync/syncErrors.ts): either way, shown in the reader's.
      analysts: partitions.map((p) => ({ ...p, who: p.oid === account.oid ? t('admin:status.you') : shortOid(p.oid), lastError: showSyncProblem(p.lastError) })),
    });
  });
  return router;
}
