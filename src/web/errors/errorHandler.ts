import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ConsentError, IdentityProviderError, InteractionRequiredError, SignInError, SignInRequiredError } from '../../auth/errors';
import { safeReturnTo } from '../../auth/returnTo';
import { includesWrite } from '../../auth/scopes';
import { recordTrip } from '../../auth/signInLoop';
import { ApiForbiddenError, SecurityApiError } from '../../incidents/sources/errors';
import { describeError } from '../../logging/logger';
import { StoreUnavailableError } from '../../store/store';
import { InvalidInputError } from '../inputErrors';
import {
  badRequestProblem,
  consentProblem,
  csrfProblem,
  apiProblem,
  forbiddenPage,
  identityProviderProblem,
  inputProblem,
  notFoundProblem,
  signInProblem,
  signInRequiredProblem,
  signInStuckProblem,
  storeUnavailableProblem,
  tooLargeProblem,
  unexpectedProblem,
} from './pages';
import type { Problem, ProblemPage } from './problemPage';

export function renderProblem(req: Request, res: Response, [status, page]: Problem): void {
  if (page.retryAfterSec !== undefined) res.set('Retry-After', String(page.retryAfterSec));
  res.set('Cache-Control', 'no-store');
  res.status(status);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: { title: page.title, detail: page.what, requestId: res.locals.requestId as unknown } });
    return;
  }
  res.render('problem', { page } satisfies { page: ProblemPage });
}

/** Where a non-GET request came from, as a path on this site (the Referer is the browser's word, not ours). */
function refererPath(req: Request): string {
  const referer = req.get('referer');
  if (!referer) return '/';
  try {
    const url = new URL(referer);
    return safeReturnTo(url.pathname, url.origin);
  } catch {
    return '/';
  }
}

/** Sends a browser back through sign-in for the needed scopes, unless that already failed repeatedly. */
function interaction(req: Request, res: Response, err: InteractionRequiredError): void {
  const target = req.originalUrl;
  if (req.method !== 'GET') return renderProblem(req, res, signInStuckProblem(err.reason, err.aadsts, req.method, refererPath(req)));
  if (recordTrip(req, target).exceeded) return renderProblem(req, res, signInStuckProblem(err.reason, err.aadsts, req.method, target));
  const params = new URLSearchParams({ returnTo: target });
  if (includesWrite(err.scopes)) params.set('scope', 'write');
  res.redirect(303, `/auth/signin?${params.toString()}`);
}

/** Maps an error to its page (and, for a few, a log line). Only errors it does not know are 500s. */
function problemFor(err: unknown, logger: Logger): Problem {
  if (err instanceof SignInError) return signInProblem(err);
  if (err instanceof ConsentError) return consentProblem(err);
  if (err instanceof InvalidInputError) return inputProblem(err);
  if (err instanceof SignInRequiredError) return signInRequiredProblem();
  if (err instanceof ApiForbiddenError) {
    logger.warn({ api: err.api, permission: err.permission, permissionGranted: err.permissionGranted, trackingId: err.refusal.details.trackingId }, 'api refused the analyst');
    return [403, forbiddenPage(err)];
  }
  if (err instanceof SecurityApiError) {
    logger.warn({ api: err.api, kind: err.kind, status: err.status, apiCode: err.details.apiCode, trackingId: err.details.trackingId }, 'api call failed');
    return apiProblem(err);
  }
  if (err instanceof StoreUnavailableError) {
    logger.error({ error: describeError(err.cause) }, 'session store unavailable');
    return storeUnavailableProblem();
  }
  if (err instanceof IdentityProviderError) {
    logger.warn({ kind: err.kind, aadsts: err.aadsts }, 'identity provider error');
    return identityProviderProblem(err);
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; status?: unknown; type?: unknown };
  if (e.code === 'EBADCSRFTOKEN') return csrfProblem();
  if (e.type === 'entity.too.large' || e.status === 413) return tooLargeProblem();
  if (e.status === 400 && e.type) return badRequestProblem();
  logger.error({ error: describeError(err) }, 'unhandled error');
  return unexpectedProblem();
}

/** The one error handler: every error page is chosen here, and nothing in it may throw. */
export function errorHandler(logger: Logger) {
  // Express recognises error middleware by its four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    try {
      if (err instanceof InteractionRequiredError) return interaction(req, res, err);
      renderProblem(req, res, problemFor(err, logger));
    } catch (failure) {
      // Last resort: a plain page, never Express's default one with its stack trace.
      logger.error({ error: describeError(failure), original: describeError(err) }, 'error page failed');
      if (!res.headersSent) res.status(500).set('Cache-Control', 'no-store').type('text/plain').send('Something went wrong. Try again.');
    }
  };
}

export function notFound(req: Request, res: Response): void {
  renderProblem(req, res, notFoundProblem());
}
