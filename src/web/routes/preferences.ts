import express, { type Request, type Response } from 'express';
import { requireSignIn } from '../../auth/session';
import { validTimeZone } from '../../i18n/format';
import { isLanguage, LANGUAGES, t } from '../../i18n/i18n';
import type { Services } from '../../services';
import { accountOf } from '../analyst';
import { LANGUAGE_COOKIE } from '../locale';
import { noStore } from '../security';

/** Every zone the runtime lists, UTC first, and the analyst's own (which the runtime may list under an older name). */
const zones = (mine?: unknown): string[] => [...new Set(['UTC', ...(typeof mine === 'string' && validTimeZone(mine) ? [mine] : []), ...Intl.supportedValuesOf('timeZone')])];

/** The analyst's language and time zone, kept in their settings so that every session and instance uses them. */
export function preferencesRouter(services: Services, csrfProtection: express.RequestHandler): express.Router {
  const router = express.Router();
  router.use('/me/preferences', requireSignIn, noStore);

  router.get('/me/preferences', (req: Request, res: Response) => {
    res.render('preferences', { title: t('prefs:title'), chosen: { language: req.session.locale?.language ?? '', timeZone: req.session.locale?.timeZone ?? '' }, langs: LANGUAGES, zones: zones(req.session.locale?.timeZone) });
  });

  router.post('/me/preferences', csrfProtection, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    // '' means "as my browser says"; anything else must be a language or a zone this server knows.
    const language = body.language === '' ? null : isLanguage(body.language) ? body.language : undefined;
    const timeZone = body.timeZone === '' ? null : validTimeZone(body.timeZone);
    if (language === undefined || timeZone === undefined) {
      return res.status(400).render('preferences', { title: t('prefs:title'), chosen: { language: body.language, timeZone: body.timeZone }, langs: LANGUAGES, zones: zones(), invalid: true });
    }
    await services.settings.forAnalyst(accountOf(req)).saveLocale({ language, timeZone });
    req.session.locale = { language, timeZone };
    if (language === null) res.clearCookie(LANGUAGE_COOKIE, { path: '/' });
    // The message is written in the language just chosen, as the next page will be.
    req.session.flash = { kind: 'success', text: t('prefs:saved', { lng: language ?? undefined }) };
    res.redirect(303, '/me/preferences');
  });
  return router;
}
