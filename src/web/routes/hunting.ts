import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response } from 'express';
import { InteractionRequiredError } from '../../auth/errors';
import { requireSignIn } from '../../auth/session';
import { parseHuntForm, timespanOf, type HuntForm } from '../../hunting/huntForm';
import { keepHuntDraft, takeHuntDraft } from '../../hunting/huntDraft';
import { HuntCancelledError, type HuntOutcome } from '../../hunting/hunter';
import { huntProblem } from '../../hunting/huntProblem';
import { MAX_SAVED } from '../../hunting/savedQueries';
import { t } from '../../i18n/i18n';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf, endAnalystSession } from '../analyst';
import { huntCsv, loadHuntingView, parseDraft, type HuntingExtras } from '../pages/huntingPage';
import { noStore } from '../security';
import { keepStaleForm, staleFormText } from '../staleForm';

const SAVED_ID = /^[0-9a-f-]{36}$/;

/**
 * Advanced hunting: the analyst's KQL on Graph's runHuntingQuery, as them. A query runs on a form
 * post (it spends the tenant's budget); its results live only in this response, or in the CSV the
 * analyst downloads, which runs it again.
 */
export function huntingRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const { hunter, huntingQueries } = services;
  const { huntingTimeoutMs } = services.config;
  const formGuard = keepStaleForm(csrfProtection);
  router.use(['/hunting', '/hunting.csv'], requireSignIn, noStore);

  const render = async (req: Request, res: Response, status: number, form: HuntForm, extras: HuntingExtras = {}) =>
    res.status(status).render('hunting', await loadHuntingView(huntingQueries, accountOf(req), form, extras));

  router.get('/hunting', async (req: Request, res: Response) => {
    const account = accountOf(req);
    const savedId = typeof req.query.saved === 'string' && SAVED_ID.test(req.query.saved) ? req.query.saved : undefined;
    const saved = savedId === undefined ? undefined : await huntingQueries.forAnalyst(account).get(savedId);
    if (saved) return render(req, res, 200, parseHuntForm({ query: saved.query, range: saved.range }).form, { openedId: saved.id, draft: saved });
    if (req.query.saved !== undefined) {
      // Another analyst's private query, another tenant's, or one deleted since the link was made.
      res.locals.flash = { kind: 'error', text: t('hunting:saved.notFound') };
      return render(req, res, 404, parseHuntForm({}).form);
    }
    const draft = takeHuntDraft(req);
    if (draft) return render(req, res, 200, draft, { restored: true });
    const { form, problem } = parseHuntForm(req.query);
    return render(req, res, problem ? 400 : 200, form, { formProblem: problem });
  });

  /**
   * Runs the posted query, or renders the page with why it did not run. The call is aborted when
   * the browser goes away (Cancel, a closed tab) before the answer.
   */
  const runPosted = async (req: Request, res: Response, then: (form: HuntForm, outcome: HuntOutcome) => Promise<unknown>) => {
    const account = accountOf(req);
    const { form, problem } = parseHuntForm(req.body as Record<string, unknown>);
    if (res.locals.staleForm === true) return render(req, res, 403, form, { formProblem: { field: 'query', text: staleFormText('runIt') } });
    if (problem) return render(req, res, 400, form, { formProblem: problem });
    if (form.query.trim() === '') return render(req, res, 400, form, { formProblem: { field: 'query', text: t('hunting:editor.writeFirst') } });
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new HuntCancelledError());
    });
    let outcome: HuntOutcome;
    try {
      outcome = await hunter.run(account, { query: form.query, timespan: timespanOf(form) }, gone.signal);
    } catch (err) {
      if (err instanceof HuntCancelledError) {
        audit(req, 'hunting.run', { outcome: 'cancelled', queryLength: form.query.length });
        return;
      }
      if (err instanceof InteractionRequiredError) {
        // The first query asks for the hunting permission; the query comes back after the consent.
        keepHuntDraft(req, form, account.oid);
        if (err.tokensGone) endAnalystSession(req, err.reason);
        return res.redirect(303, `/auth/signin?scope=hunting&returnTo=${encodeURIComponent('/hunting')}`);
      }
      const shown = huntProblem(err, huntingTimeoutMs);
      if (!shown) throw err;
      audit(req, 'hunting.run', { outcome: 'failed', status: shown.status, queryLength: form.query.length });
      if (shown.retryAfterSec !== undefined) res.set('Retry-After', String(shown.retryAfterSec));
      return render(req, res, shown.status, form, { problem: shown });
    }
    audit(req, 'hunting.run', { outcome: 'ran', rows: outcome.result.rows.length, ms: outcome.elapsedMs, queryLength: form.query.length });
    return then(form, outcome);
  };

  router.post('/hunting', formGuard, (req: Request, res: Response) => runPosted(req, res, (form, outcome) => render(req, res, 200, form, { outcome })));

  router.post('/hunting.csv', formGuard, (req: Request, res: Response) =>
    runPosted(req, res, async (_form, outcome) => {
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="threatdesk-hunt-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv"`);
      // Written row by row with back-pressure, straight from this request's answer; nothing is kept.
      await pipeline(Readable.from(huntCsv(outcome.result)), res);
    }),
  );

  router.post('/hunting/queries', formGuard, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const { form, problem } = parseHuntForm(body);
    const { draft, problem: saveProblem } = parseDraft(body, form);
    if (res.locals.staleForm === true) return render(req, res, 403, form, { draft, formProblem: { field: 'save', text: staleFormText('save') } });
    const invalid = problem ?? (saveProblem === undefined ? undefined : { field: 'save' as const, text: saveProblem });
    if (invalid) return render(req, res, 400, form, { draft, formProblem: invalid });
    const outcome = await huntingQueries.forAnalyst(accountOf(req)).save(draft);
    if (outcome.kind === 'full') return render(req, res, 400, form, { draft, formProblem: { field: 'save', text: t('hunting:save.full', { max: MAX_SAVED }) } });
    audit(req, 'hunting.saved', { queryId: outcome.query.id, shared: outcome.query.shared });
    const { name, shared } = outcome.query;
    req.session.flash = { kind: 'success', text: shared ? t('hunting:saved.savedShared', { name }) : t('hunting:saved.savedMine', { name }) };
    res.redirect(303, `/hunting?saved=${outcome.query.id}`);
  });

  router.post('/hunting/queries/delete', csrfProtection, async (req: Request, res: Response) => {
    const id = (req.body as Record<string, unknown>).id;
    const deleted = typeof id === 'string' && SAVED_ID.test(id) && (await huntingQueries.forAnalyst(accountOf(req)).delete(id));
    if (deleted) audit(req, 'hunting.deleted', { queryId: id });
    req.session.flash = deleted ? { kind: 'success', text: t('hunting:saved.deleted') } : { kind: 'error', text: t('hunting:saved.notDeleted') };
    res.redirect(303, '/hunting');
  });
  return router;
}
