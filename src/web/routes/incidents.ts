import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { manageForm, manageIncident } from '../../incidents/manageIncident';
import { dropPendingChange, keepPendingChange, pendingChangeFor } from '../../incidents/pendingChange';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf, runAs } from '../analyst';
import { forbiddenPage } from '../errors/pages';
import { loadIncidentView, parseIncidentId } from '../pages/incidentPage';
import { backQuery, exportQueueCsv, loadQueueView, parseQueueRequest } from '../pages/queuePage';
import { noStore } from '../security';

/** The fields a save changed, in words for the confirmation. */
const FIELD_WORDS: Record<string, string> = { assignedTo: 'assignee', status: 'status', classification: 'classification', determination: 'determination', customTags: 'tags', comment: 'comment' };

/** Form fields that are not part of the change itself. */
const BOOKKEEPING = new Set(['action', 'base', 'seen', 'back']);

export function incidentsRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const { config } = services;
  router.use(['/incidents', '/incidents.csv'], requireSignIn, noStore);

  router.get('/incidents', async (req: Request, res: Response) => {
    const request = parseQueueRequest(req.query);
    res.render('incidents', await loadQueueView(runAs(req, services), accountOf(req), request, config.queueViewCallBudget, config.securityApi));
  });

  router.get('/incidents.csv', async (req: Request, res: Response) => {
    const request = parseQueueRequest(req.query);
    const { csv, partial } = await exportQueueCsv(runAs(req, services), accountOf(req), request, config.queueCsvCallBudget);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="threatdesk-incidents-${new Date().toISOString().slice(0, 10)}.csv"`);
    if (partial) res.set('X-ThreatDesk-Partial', partial);
    res.send(csv);
  });

  router.get('/incidents/:id', async (req: Request, res: Response) => {
    const id = parseIncidentId(req.params.id);
    res.render('incident', await loadIncidentView(runAs(req, services), accountOf(req), id, { back: req.query.back, pending: pendingChangeFor(req, id) }));
  });

  router.post('/incidents/:id/manage', csrfProtection, async (req: Request, res: Response) => {
    const id = parseIncidentId(req.params.id);
    const account = accountOf(req);
    const form = manageForm(req.body);
    const run = runAs(req, services);
    const again = async (status: number, panel: Record<string, unknown>) =>
      res.status(status).render('incident', await loadIncidentView(run, account, id, { form, pending: pendingChangeFor(req, id), ...panel }));
    if (form.action === 'discard') {
      dropPendingChange(req);
      return res.redirect(303, `/incidents/${id}`);
    }
    const outcome = await manageIncident(run, id, form, account.username);
    // Who changed which incident, and which fields: names only, never what was typed.
    audit(req, 'incident.write', {
      oid: account.oid,
      tid: account.tenantId,
      incidentId: id,
      action: form.action,
      fields: Object.keys(form).filter((k) => !BOOKKEEPING.has(k)),
      outcome: outcome.kind,
      changed: outcome.kind === 'saved' ? outcome.fields : undefined,
    });
    switch (outcome.kind) {
      case 'invalid':
        return again(400, { manageError: { field: outcome.field, text: outcome.text } });
      case 'rejected':
        return again(400, { manageError: { field: 'api', text: outcome.text } });
      case 'conflict':
        dropPendingChange(req);
        return again(409, { conflict: outcome.changes });
      case 'needs-sign-in':
        // Keep what was typed; after the (incremental) sign-in the incident page offers to apply it.
        keepPendingChange(req, id, form, account.oid);
        return res.redirect(303, `/auth/signin?scope=write&returnTo=${encodeURIComponent(`/incidents/${id}`)}`);
      case 'forbidden':
        // The text stays on the page (`form`), but a change Microsoft refused this analyst is not
        // kept for later: nothing would make it succeed, and the browser may change hands.
        dropPendingChange(req);
        return again(403, { forbidden: forbiddenPage(outcome.error) });
      case 'unchanged':
      case 'saved': {
        dropPendingChange(req);
        req.session.flash = outcome.kind === 'unchanged'
          ? { kind: 'success', text: 'Nothing to change: the incident already had those values.' }
          : { kind: 'success', text: `Saved: ${outcome.fields.map((f) => FIELD_WORDS[f] ?? f).join(', ')}.` };
        const back = backQuery(form.back);
        return res.redirect(303, `/incidents/${id}${back ? `?back=${encodeURIComponent(back)}` : ''}`);
      }
    }
  });

  return router;
}
