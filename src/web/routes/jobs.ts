import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { t } from '../../i18n/i18n';
import { ManageInputError } from '../../incidents/manage';
import { changedFields, parseBulkForm } from '../../jobs/bulkAction';
import { JobUnderWayError } from '../../jobs/jobStore';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { loadBulkView, loadJobList, loadJobView, newJob, parseJobId, parseSelection } from '../pages/jobPage';
import { noStore } from '../security';

/** The fields of the bulk form kept when it comes back with an error. */
const BULK_FIELDS = ['assign', 'assignTo', 'status', 'verdict', 'addTags', 'removeTags', 'comment'];

const fieldsOf = (body: unknown): Record<string, string> => {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(BULK_FIELDS.filter((k) => typeof b[k] === 'string').map((k) => [k, b[k] as string]));
};

/** Bulk changes: the form for a selection, starting a job, its progress page, cancel and continue. */
export function jobsRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const { sync, jobs, runner } = services;
  const { resolveRequires, slaTargets } = services.config;
  router.use(['/bulk', '/jobs'], requireSignIn, noStore);
  /** The id of one of the analyst's own jobs; any other is not found. */
  const ownJob = async (account: ReturnType<typeof accountOf>, raw: unknown): Promise<string> => {
    const id = parseJobId(raw);
    if (!(await jobs.forAnalyst(account).exists(id))) parseJobId(undefined);
    return id;
  };

  router.get('/bulk', async (req: Request, res: Response) => {
    const account = accountOf(req);
    const sel = parseSelection(req.query);
    res.render('bulk', await loadBulkView(sync, account, sel, slaTargets, { underWay: await jobs.forAnalyst(account).underWay() }));
  });

  router.post('/jobs', csrfProtection, async (req: Request, res: Response) => {
    const account = accountOf(req);
    const body = req.body as Record<string, unknown>;
    const sel = parseSelection(body);
    const form = fieldsOf(body);
    const again = async (status: number, extras: Parameters<typeof loadBulkView>[4]) => res.status(status).render('bulk', await loadBulkView(sync, account, sel, slaTargets, { form, ...extras }));
    let action;
    try {
      action = parseBulkForm(body, account.username, resolveRequires);
    } catch (err) {
      if (err instanceof ManageInputError) return again(400, { error: { field: err.field, text: err.message } });
      throw err;
    }
    const job = await newJob(sync, account, sel, slaTargets, randomUUID(), action);
    try {
      await jobs.forAnalyst(account).create(job);
    } catch (err) {
      if (err instanceof JobUnderWayError) return again(409, { underWay: err.jobId, error: { field: 'job', text: t('jobs:form.error.underWay') } });
      throw err;
    }
    audit(req, 'bulk.started', { oid: account.oid, tid: account.tenantId, jobId: job.id, incidents: job.items.length, fields: changedFields(action) });
    runner.wake();
    res.redirect(303, `/jobs/${job.id}`);
  });

  router.get('/jobs', async (req: Request, res: Response) => {
    res.render('jobs', await loadJobList(jobs, accountOf(req)));
  });

  router.get('/jobs/:id', async (req: Request, res: Response) => {
    res.render('job', await loadJobView(jobs, accountOf(req), parseJobId(req.params.id), req.query));
  });

  router.post('/jobs/:id/cancel', csrfProtection, async (req: Request, res: Response) => {
    const account = accountOf(req);
    const id = await ownJob(account, req.params.id);
    const cancelled = await jobs.forAnalyst(account).cancel(id);
    if (cancelled) audit(req, 'bulk.cancelled', { oid: account.oid, tid: account.tenantId, jobId: id });
    req.session.flash = cancelled ? { kind: 'success', text: t('jobs:flash.cancelled') } : { kind: 'error', text: t('jobs:flash.alreadyEnded') };
    res.redirect(303, `/jobs/${id}`);
  });

  router.post('/jobs/:id/resume', csrfProtection, async (req: Request, res: Response) => {
    const account = accountOf(req);
    const id = await ownJob(account, req.params.id);
    const resumed = await jobs.forAnalyst(account).resume(id);
    if (resumed) runner.wake();
    req.session.flash = resumed ? { kind: 'success', text: t('jobs:flash.resumed') } : { kind: 'error', text: t('jobs:flash.notPaused') };
    res.redirect(303, `/jobs/${id}`);
  });

  return router;
}
