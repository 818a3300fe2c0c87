import express, { type NextFunction, type Request, type Response } from 'express';
import { InteractionRequiredError } from '../../auth/errors';
import { PERMISSIONS } from '../../auth/scopes';
import { PENDING_MANAGE_TTL_MS } from '../../auth/session';
import type { SessionAccount } from '../../auth/tokenService';
import { DefenderApiError } from '../../defender/errors';
import { assetsOf, portalLink } from '../../defender/incidentView';
import { buildPatch, changesSince, CLASSIFICATIONS, DETERMINATIONS, MAX_COMMENT, ManageInputError, parseManageForm, SETTABLE_STATUSES, snapshotOf, type Snapshot } from '../../defender/manage';
import { decodeCursor, encodeCursor, loadQueue, sortRows, type Cursor, type QueuePage } from '../../defender/queue';
import { FilterError, parseFilter, SAVED_VIEWS, serializeFilter, SEVERITIES, STATUSES, type QueueFilter } from '../../defender/queueFilter';
import type { Incident } from '../../defender/types';
import type { Services } from '../../services';
import { forbiddenPage } from '../errorHandler';
import { PageError } from '../problems';
import { csvOf, incidentStats } from '../csv';
import { summaryChart } from '../summaryChart';

const PAGE_SIZE = 50;
/** Upstream list calls one queue view may spend (the tenant's quota is 50 a minute, shared by everyone). */
const VIEW_BUDGET = 5;
const CSV_BUDGET = 10;
const CSV_MAX_ROWS = 5_000;

const ID = /^\d{1,15}$/;

function incidentId(req: Request): number {
  const raw = req.params.id;
  if (typeof raw !== 'string' || !ID.test(raw)) {
    throw new PageError(404, { title: 'Incident not found', what: `“${String(raw).slice(0, 40)}” is not an incident id.`, actions: [{ href: '/incidents', label: 'Back to the incident queue' }] });
  }
  return Number(raw);
}

function filterOr400(req: Request): QueueFilter {
  try {
    return parseFilter(req.query as Record<string, unknown>);
  } catch (err) {
    if (err instanceof FilterError) {
      throw new PageError(400, { title: 'That filter is not valid', what: err.message, actions: [{ href: '/incidents', label: 'Reset the filters' }] });
    }
    throw err;
  }
}

/** The queue string an incident page links back to: re-serialized, never echoed as given. */
function backQuery(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 1000) return '';
  try {
    const query: Record<string, string[]> = {};
    // Repeated keys (status=Active&status=Resolved) must all survive, so no Object.fromEntries here.
    for (const [k, v] of new URLSearchParams(raw)) (query[k] ??= []).push(v);
    return serializeFilter(parseFilter(query));
  } catch {
    return '';
  }
}

function formFields(body: Record<string, unknown>): Record<string, string> {
  const keep = ['action', 'base', 'seen', 'assign', 'assignTo', 'status', 'verdict', 'classification', 'determination', 'tags', 'comment', 'back'];
  return Object.fromEntries(keep.filter((k) => typeof body[k] === 'string').map((k) => [k, body[k] as string]));
}

function decodeSeen(raw: string | undefined, fallback: Snapshot): Snapshot {
  try {
    const s = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as Partial<Snapshot>;
    if (typeof s.status === 'string' && Array.isArray(s.tags)) {
      return { assignedTo: String(s.assignedTo ?? ''), status: s.status, classification: String(s.classification ?? ''), determination: String(s.determination ?? ''), tags: s.tags.map(String) };
    }
  } catch {
    // fall through
  }
  return fallback;
}

export function incidentsRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const read = <T>(account: SessionAccount, call: Parameters<Services['defender']['run']>[2]) =>
    services.defender.run(account, PERMISSIONS.read, call) as Promise<T>;

  async function queue(req: Request, filter: QueueFilter, cursor: Cursor | undefined, pageSize: number, budget: number): Promise<QueuePage> {
    const account = req.session.account!;
    return read<QueuePage>(account, (client, token) =>
      loadQueue((odata, top, skip) => client.listIncidents(token, { filter: odata, top, skip }), filter, { upn: account.username, now: Date.now() }, cursor, { pageSize, budget }),
    );
  }

  router.get('/incidents', async (req: Request, res: Response) => {
    const filter = filterOr400(req);
    const cursor = req.query.after === undefined ? undefined : decodeCursor(req.query.after);
    if (req.query.after !== undefined && !cursor) {
      throw new PageError(400, { title: 'That page link is not valid', what: 'The “continue” link was changed or cut short.', actions: [{ href: `/incidents?${serializeFilter(filter)}`, label: 'Start the list again' }] });
    }
    const page = await queue(req, filter, cursor, PAGE_SIZE, VIEW_BUDGET);
    delete req.session.signInLoop;
    const query = serializeFilter(filter);
    res.render('incidents', {
      title: 'Incidents',
      filter,
      query,
      page,
      rows: sortRows(page.rows, filter.sort),
      nextHref: page.next ? `/incidents?${query ? `${query}&` : ''}after=${encodeCursor(page.next)}` : undefined,
      continued: Boolean(cursor),
      chart: summaryChart(page.counts, filter.severity),
      savedViews: SAVED_VIEWS,
      statuses: STATUSES,
      severities: SEVERITIES,
      tenantId: req.session.account!.tenantId,
      portalLink,
      incidentStats,
    });
  });

  router.get('/incidents.csv', async (req: Request, res: Response) => {
    const filter = filterOr400(req);
    const page = await queue(req, filter, undefined, CSV_MAX_ROWS, CSV_BUDGET);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="threatdesk-incidents-${new Date().toISOString().slice(0, 10)}.csv"`);
    if (page.next) res.set('X-ThreatDesk-Partial', `examined ${page.examined}; more incidents match`);
    res.send(csvOf(page.rows, req.session.account!.tenantId, page.next ? page.examined : undefined));
  });

  async function renderIncident(req: Request, res: Response, id: number, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
    const account = req.session.account!;
    const incident = await read<Incident>(account, (client, token) => client.getIncident(token, id));
    delete req.session.signInLoop;
    const stored = req.session.pendingManage;
    const pending = stored?.incidentId === id && Date.now() - stored.createdAt < PENDING_MANAGE_TTL_MS ? stored : undefined;
    const snapshot = snapshotOf(incident);
    res.status(status).render('incident', {
      title: `#${incident.incidentId} ${incident.incidentName ?? ''}`,
      incident,
      assets: assetsOf(incident),
      portal: portalLink(incident, account.tenantId),
      back: backQuery(req.query.back ?? (pending?.form.back as string | undefined) ?? (extra.form as Record<string, string> | undefined)?.back),
      snapshot,
      seen: Buffer.from(JSON.stringify(snapshot)).toString('base64url'),
      classifications: CLASSIFICATIONS,
      determinations: DETERMINATIONS,
      statuses: SETTABLE_STATUSES,
      maxComment: MAX_COMMENT,
      pending,
      form: pending?.form,
      ...extra,
    });
  }

  router.get('/incidents/:id', async (req: Request, res: Response) => {
    await renderIncident(req, res, incidentId(req));
  });

  router.post('/incidents/:id/manage', csrfProtection, async (req: Request, res: Response, next: NextFunction) => {
    const id = incidentId(req);
    const account = req.session.account!;
    const form = formFields(req.body ?? {});
    if (form.action === 'discard') {
      delete req.session.pendingManage;
      return res.redirect(303, `/incidents/${id}`);
    }
    let request;
    try {
      request = parseManageForm(form, account.username);
    } catch (err) {
      if (err instanceof ManageInputError) return renderIncident(req, res, id, { form, manageError: { field: err.field, text: err.message } }, 400);
      throw err;
    }
    try {
      const outcome = await services.defender.run(account, PERMISSIONS.write, async (client, token) => {
        const current = await client.getIncident(token, id);
        if (current.lastUpdateTime !== request.base) {
          return { conflict: changesSince(decodeSeen(form.seen, snapshotOf(current)), current) };
        }
        const patch = buildPatch(request, current);
        if (Object.keys(patch).length === 0) return { unchanged: true };
        await client.updateIncident(token, id, patch);
        return { updated: Object.keys(patch) };
      });
      delete req.session.pendingManage;
      if ('conflict' in outcome) {
        return renderIncident(req, res, id, { form, conflict: outcome.conflict }, 409);
      }
      req.session.flash = 'unchanged' in outcome
        ? { kind: 'success', text: 'Nothing to change: the incident already had those values.' }
        : { kind: 'success', text: `Saved: ${outcome.updated.join(', ')}.` };
      const back = backQuery(form.back);
      res.redirect(303, `/incidents/${id}${back ? `?back=${encodeURIComponent(back)}` : ''}`);
    } catch (err) {
      if (err instanceof InteractionRequiredError) {
        // Keep what was typed; after the (incremental) sign-in the incident page offers to apply it.
        req.session.pendingManage = { incidentId: id, form, createdAt: Date.now() };
        const returnTo = `/incidents/${id}`;
        return res.redirect(303, `/auth/signin?scope=write&returnTo=${encodeURIComponent(returnTo)}`);
      }
      if (err instanceof DefenderApiError && err.kind === 'forbidden') {
        req.session.pendingManage = { incidentId: id, form, createdAt: Date.now() };
        return renderIncident(req, res, id, { form, forbidden: forbiddenPage(err) }, 403);
      }
      if (err instanceof DefenderApiError && (err.kind === 'bad-request' || err.kind === 'not-found')) {
        return renderIncident(req, res, id, { form, manageError: { field: 'api', text: `Defender refused the change: ${err.apiMessage ?? err.apiCode ?? `HTTP ${err.status}`}` } }, 400);
      }
      next(err);
    }
  });

  return router;
}
