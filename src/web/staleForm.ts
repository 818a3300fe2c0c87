import type express from 'express';
import { t } from '../i18n/i18n';
import { audit } from '../logging/audit';

/**
 * What a form whose token went stale says: nothing was sent, the text is kept, and what to do
 * again: press Save, or run the query.
 */
export const staleFormText = (again: 'save' | 'runIt'): string => t('errors:staleForm.text', { again: t(`errors:staleForm.${again}`) });

/**
 * CSRF protection for a form whose text must not be lost: a token gone stale (a restart, a sign-in
 * in another tab) marks the request (res.locals.staleForm) for the route to show the form again
 * with what was typed, instead of an error page; nothing is sent. Cross-site posts never get here
 * (rejectCrossSite), and any other CSRF error goes on to the error handler.
 */
export function keepStaleForm(csrfProtection: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => {
    csrfProtection(req, res, (err?: unknown) => {
      if ((err as { code?: unknown } | undefined)?.code !== 'EBADCSRFTOKEN') return next(err);
      audit(req, 'csrf.refused', { method: req.method, path: req.path });
      res.locals.staleForm = true;
      next();
    });
  };
}
