import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { t } from '../../i18n/i18n';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { loadHandoverView, parseHours, parseNote } from '../pages/handoverPage';
import { noStore } from '../security';
import { keepStaleForm } from '../staleForm';

/** The shift handover: what changed, who holds what, and the notes one shift leaves the next. */
export function handoverRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  const { sync, notes } = services;
  const { slaTargets } = services.config;
  router.use('/handover', requireSignIn, noStore);

  router.get('/handover', async (req: Request, res: Response) => {
    res.render('handover', await loadHandoverView(sync, notes, accountOf(req), parseHours(req.query.hours), slaTargets, sync.now()));
  });

  router.post('/handover/notes', keepStaleForm(csrfProtection), async (req: Request, res: Response) => {
    const account = accountOf(req);
    const { text, problem } = parseNote((req.body as Record<string, unknown>).note, res.locals.staleForm === true);
    if (problem !== undefined) {
      return res.status(res.locals.staleForm === true ? 403 : 400).render('handover', await loadHandoverView(sync, notes, account, parseHours(undefined), slaTargets, sync.now(), { note: text, noteError: problem }));
    }
    const note = await notes.forTenant(account.tenantId).add(account.username, text.trim(), new Date(sync.now()));
    audit(req, 'handover.note', { noteId: note.id, length: note.text.length });
    req.session.flash = { kind: 'success', text: t('handover:notes.saved') };
    res.redirect(303, '/handover');
  });
  return router;
}
