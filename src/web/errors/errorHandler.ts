import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ConsentError, IdentityProviderError, InteractionRequiredError, SignInError, SignInRequiredError } from '../../auth/errors';
import { safeReturnTo } from '../../auth/returnTo';
import { includesWrite } from '../../auth/scopes';
import { recordTrip } from '../../auth/signInLoop';
import { t } from '../../i18n/i18n';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../../incidents/sources/errors';
import { audit } from '../../logging/audit';
import { describeError } from '../../logging/logger';
import { StoreUnavailableError } from '../../store/store';
import { endAnalystSession } from '../analyst';
import { InvalidInputError } from '../inputErrors';
import {
  clientErrorProblem,
  consentProblem,
  csrfProblem,
  apiProblem,
  budgetProblem,
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
  // A page that may work a moment later offers to load it again (only a GET can be repeated as is).
  const retry = req.method === 'GET' && (status === 429 || status >= 500) && !page.actions?.length;
  const withRetry: ProblemPage = retry ? { ...page, actions: [{ href: safeReturnTo(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`), label: t('errors:action.tryAgain') }] } : page;
  res.render('problem', { page: withRetry } satisfies { page: ProblemPage });
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

/**
 * Sends a browser back through sign-in for the needed scopes, unless that already failed repeatedly.
 * When the refresh token itself is gone (revoked, expired), the browser is no longer signed in as
 * that analyst: the session stops naming them first, whatever page follows.
 */
function interaction(req: Request, res: Response, err: InteractionRequiredError): void {
  if (err.tokensGone) endAnalystSession(req, err.reason);
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
  if (err instanceof BudgetExhaustedError) return budgetProblem(err);
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
  // What Express's own parts refuse to read (an unknown charset or Content-Encoding, a broken gzip
  // body, a bad Range): the client's doing, so a 4xx page and an info line, never an error.
  const status = clientErrorStatus(err);
  if (status !== undefined) {
    logger.info({ error: describeError(err), status }, 'request refused as unreadable');
    return clientErrorProblem(status);
  }
  logger.error({ error: describeError(err) }, 'unhandled error');
  return unexpectedProblem();
}

/** The 4xx status of an error raised by Express, body-parser or send (http-errors), if it is one. */
function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && status >= 400 && status < 500 && e.expose !== false ? status : undefined;
}

/**
 * Errors of static files (a missing file, an impossible Range, a path outside the folder): plain
 * text, without the headers already chosen for the file (its Content-Type above all), so an error is
 * never served as `text/javascript`.
 */
export function assetErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const status = clientErrorStatus(err) ?? 500;
    if (status >= 500) logger.error({ error: describeError(err) }, 'static file failed');
    else logger.info({ status, path: req.path }, 'static file refused');
    for (const name of ['Content-Type', 'Content-Length', 'Content-Range', 'Accept-Ranges', 'Cache-Control', 'Last-Modified', 'ETag']) res.removeHeader(name);
    // A 416 says how long the file is (RFC 9110 §15.5.17).
    const range = (err as { headers?: Record<string, unknown> }).headers?.['Content-Range'];
    if (status === 416 && typeof range === 'string') res.set('Content-Range', range);
    res.status(status).set('Cache-Control', 'no-store').type('text/plain').send(STATUS_CODES[status] ?? 'Error');
  };
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
      if ((err as { code?: unknown } | null)?.code === 'EBADCSRFTOKEN') audit(req, 'csrf.refused', { method: req.method, path: req.path }, logger);
      renderProblem(req, res, problemFor(err, logger));
    } catch (failure) {
      // Last resort: a plain page, never Express's default one with its stack trace.
      logger.error({ error: describeError(failure), original: describeError(err) }, 'error page failed');
      if (!res.headersSent) res.status(500).set('Cache-Control', 'no-store').type('text/plain').send(t('errors:lastResort'));
    }
  };
}

export function notFound(req: Request, res: Response): void {
  renderProblem(req, res, notFoundProblem());
}
