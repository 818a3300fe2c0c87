import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { MAX_NOTE } from '../../handover/shiftNotes';
import { audit } from '../../logging/audit';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { loadHandoverView, parseHours } from '../pages/handoverPage';
import { noStore } from '../security';
import { keepStaleForm, STALE_FORM } from '../staleForm';

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
    const raw = (req.body as Record<string, unknown>).note;
    const text = typeof raw === 'string' ? raw.trim() : '';
    const noteError =
      res.locals.staleForm === true ? STALE_FORM
      : text === '' ? 'Write the note first: it is empty.'
      : text.length > MAX_NOTE ? `A note holds at most ${MAX_NOTE} characters; this one has ${text.length}. Nothing was saved; your text is below.`
      : undefined;
    if (noteError !== undefined) {
      return res.status(res.locals.staleForm === true ? 403 : 400).render('handover', await loadHandoverView(sync, notes, account, parseHours(undefined), slaTargets, sync.now(), { note: typeof raw === 'string' ? raw : '', noteError }));
    }
    const note = await notes.forTenant(account.tenantId).add(account.username, text, new Date(sync.now()));
    audit(req, 'handover.note', { noteId: note.id, length: text.length });
    req.session.flash = { kind: 'success', text: 'Your note is saved: the next shift sees it first on this page.' };
    res.redirect(303, '/handover');
  });
  return router;
}
