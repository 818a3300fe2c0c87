import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { intl, t } from '../../i18n/i18n';
import { savedText } from '../../incidents/manage';
import { manageForm, manageIncident } from '../../incidents/manageIncident';
import { dropPendingChange, keepPendingChange, pendingChangeFor } from '../../incidents/pendingChange';
import { rememberWriteRefusal, writeRefusalOf } from '../../incidents/writeRefusal';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf, runAs } from '../analyst';
import { forbiddenPage } from '../errors/pages';
import { loadIncidentView, parseIncidentId } from '../pages/incidentPage';
import { backQuery, loadQueueView, parseQueueRequest, queueCsv } from '../pages/queuePage';
import { asQuery, EXTRA_COLUMN_NAMES, viewName } from '../pages/queueViews';
import { MAX_VIEWS } from '../../settings/settingsStore';
import { noStore } from '../security';
import { keepStaleForm, staleFormText } from '../staleForm';

export function incidentsRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const { sync } = services;
  const { resolveRequires, slaTargets } = services.config;
  // A manage form sent after the session ended (idle, restart, signed out in another tab): what was
  // typed is kept for the analyst who typed it (the form names them), through sign-in and back to
  // the incident. Nothing is sent. Cross-site posts never get here (rejectCrossSite).
  router.post('/incidents/:id/manage', (req: Request, res: Response, next: express.NextFunction) => {
    if (req.session.account) return next();
    const id = parseIncidentId(req.params.id);
    const form = manageForm(req.body);
    if (!form.analyst) return next();
    keepPendingChange(req, id, form, form.analyst);
    res.redirect(303, `/auth/signin?returnTo=${encodeURIComponent(`/incidents/${id}`)}`);
  });
  router.use(['/incidents', '/incidents.csv'], requireSignIn, noStore);

  router.get('/incidents', async (req: Request, res: Response) => {
    const account = accountOf(req);
    const filter = parseQueueRequest(req.query);
    const settings = await services.settings.forAnalyst(account).get();
    // A link without columns shows the analyst's own default ones.
    if (req.query.more === undefined && settings.columns !== null) filter.more = settings.columns;
    const previewId = typeof req.query.preview === 'string' ? parseIncidentId(req.query.preview) : undefined;
    res.render('incidents', await loadQueueView(sync, account, filter, slaTargets, { settings, sharedName: viewName(req.query.name), baseUrl: services.config.baseUrl.toString().replace(/\/$/, ''), previewId }));
  });

  // The analyst's own views and columns (settings.ts): each form goes back to the queue it came from.
  const backTo = (raw: unknown) => {
    const back = backQuery(raw);
    return back ? `/incidents?${back}` : '/incidents';
  };
  router.post('/incidents/views', csrfProtection, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const name = viewName(body.name);
    const query = backQuery(body.view);
    if (name === undefined || name === '') {
      req.session.flash = { kind: 'error', text: t('incident:views.nameNeeded') };
    } else if (await services.settings.forAnalyst(accountOf(req)).saveView({ name, query })) {
      req.session.flash = { kind: 'success', text: t('incident:views.saved', { name }) };
    } else {
      req.session.flash = { kind: 'error', text: t('incident:views.tooMany', { max: MAX_VIEWS }) };
    }
    res.redirect(303, backTo(body.view));
  });

  router.post('/incidents/views/delete', csrfProtection, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const name = viewName(body.name);
    if (name !== undefined) await services.settings.forAnalyst(accountOf(req)).deleteView(name);
    req.session.flash = { kind: 'success', text: t('incident:views.deleted', { name: name ?? '' }) };
    res.redirect(303, backTo(body.back));
  });

  router.post('/incidents/columns', csrfProtection, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const back = backQuery(body.back);
    const columns = parseQueueRequest(asQuery(back)).more;
    await services.settings.forAnalyst(accountOf(req)).saveColumns(columns);
    req.session.flash = { kind: 'success', text: columns.length ? t('incident:views.columns', { columns: columns.map((c) => EXTRA_COLUMN_NAMES[c]).join(', ') }) : t('incident:views.noColumns') };
    res.redirect(303, back ? `/incidents?${back}` : '/incidents');
  });

  // Refresh: a sync now rather than at the interval, without waiting for it (the page shows its age).
  router.post('/incidents/refresh', csrfProtection, (req: Request, res: Response) => {
    void sync.start(accountOf(req));
    const back = backQuery((req.body as Record<string, unknown> | undefined)?.back);
    res.redirect(303, back ? `/incidents?${back}` : '/incidents');
  });

  router.get('/incidents.csv', async (req: Request, res: Response) => {
    const filter = parseQueueRequest(req.query);
    const account = accountOf(req);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="threatdesk-incidents-${new Date().toISOString().slice(0, 10)}.csv"`);
    // Streamed from the index with back-pressure: a large export never sits whole in memory.
    await pipeline(Readable.from(queueCsv(sync, account, filter, slaTargets)), res);
  });

  router.get('/incidents/:id', async (req: Request, res: Response) => {
    const id = parseIncidentId(req.params.id);
    res.render('incident', await loadIncidentView(runAs(req, services), sync, accountOf(req), id, { resolveRequires, back: req.query.back, pending: pendingChangeFor(req, id), writeRefusal: writeRefusalOf(req) }));
  });

  const staleFormKept = keepStaleForm(csrfProtection);

  router.post('/incidents/:id/manage', staleFormKept, async (req: Request, res: Response) => {
    const id = parseIncidentId(req.params.id);
    const account = accountOf(req);
    const form = manageForm(req.body);
    const run = runAs(req, services);
    const again = async (status: number, panel: Record<string, unknown>) =>
      res.status(status).render('incident', await loadIncidentView(run, sync, account, id, { resolveRequires, form, pending: pendingChangeFor(req, id), ...panel }));
    if (res.locals.staleForm === true) {
      return again(403, { manageError: { field: 'api', text: staleFormText('save') } });
    }
    if (form.action === 'discard') {
      dropPendingChange(req);
      return res.redirect(303, `/incidents/${id}`);
    }
    const outcome = await manageIncident(run, id, form, account.username, resolveRequires);
    // Who changed which incident, and which fields: names only, never what was typed.
    audit(req, 'incident.write', {
      oid: account.oid,
      tid: account.tenantId,
      incidentId: id,
      outcome: outcome.kind,
      changed: outcome.kind === 'saved' ? [...Object.keys(outcome.change), ...(outcome.commented ? ['comment'] : [])] : undefined,
    });
    switch (outcome.kind) {
      case 'invalid':
        return again(400, { manageError: { field: outcome.field, text: outcome.text } });
      case 'rejected':
        return again(400, { manageError: { field: 'api', text: outcome.text } });
      case 'conflict':
        dropPendingChange(req);
        // The page comes back with the version the change collided with, so that it can be re-applied on top.
        await sync.record(account, outcome.incident, false);
        return again(409, { conflict: outcome.changes });
      case 'needs-sign-in':
        // Keep what was typed; after the (incremental) sign-in the incident page offers to apply it.
        keepPendingChange(req, id, form, account.oid);
        return res.redirect(303, `/auth/signin?scope=write&returnTo=${encodeURIComponent(`/incidents/${id}`)}`);
      case 'busy': {
        // Nothing was sent: the text stays on the page with when it can go.
        const wait = Math.max(1, Math.ceil((outcome.retryAtMs - Date.now()) / 1000));
        res.set('Retry-After', String(wait));
        return again(503, { manageError: { field: 'api', text: t('incident:busy', { at: intl().time(outcome.retryAtMs), seconds: wait }) } });
      }
      case 'failed':
        res.set('Retry-After', '30');
        return again(503, { manageError: { field: 'api', text: outcome.text } });
      case 'forbidden': {
        // The text stays on the page (`form`), but a change Microsoft refused this analyst is not
        // kept for later: nothing would make it succeed, and the browser may change hands.
        dropPendingChange(req);
        const page = forbiddenPage(outcome.error);
        if (outcome.error.permissionGranted) rememberWriteRefusal(req, id, `${page.what} ${page.todo ?? ''}`.trim());
        return again(403, { forbidden: page });
      }
      case 'unchanged':
      case 'saved': {
        dropPendingChange(req);
        // The index shows the change at once, recorded in history as made by this analyst.
        if (outcome.kind === 'saved') await sync.record(account, outcome.incident, true);
        req.session.flash = { kind: 'success', text: outcome.kind === 'unchanged' ? t('incident:unchanged') : savedText(outcome.change, outcome.commented) };
        const back = backQuery(form.back);
        // Saved from the queue's preview pane: back to the same view, the incident still previewed.
        if (form.from === 'preview') return res.redirect(303, `/incidents?${back ? `${back}&` : ''}preview=${encodeURIComponent(id)}`);
        return res.redirect(303, `/incidents/${id}${back ? `?back=${encodeURIComponent(back)}` : ''}`);
      }
    }
  });

  return router;
}
