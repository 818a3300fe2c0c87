import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { explainAadsts, IdentityProviderError, InteractionRequiredError } from '../auth/errors';
import { PERMISSIONS, scopeFor } from '../auth/scopes';
import { DefenderApiError } from '../defender/errors';
import { describeError } from '../logging/logger';
import { StoreUnavailableError } from '../store/store';
import { PageError, type ProblemPage } from './problems';

/** How many trips to sign-in for the same page, within LOOP_WINDOW_MS, before we stop and explain. */
const LOOP_LIMIT = 2;
const LOOP_WINDOW_MS = 5 * 60_000;

export function renderProblem(req: Request, res: Response, status: number, page: ProblemPage): void {
  if (page.retryAfterSec !== undefined) res.set('Retry-After', String(page.retryAfterSec));
  res.set('Cache-Control', 'no-store');
  res.status(status);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: { title: page.title, detail: page.what, requestId: res.locals.requestId } });
    return;
  }
  res.render('problem', { page });
}

function defenderProblem(err: DefenderApiError): [number, ProblemPage] {
  const quote = err.apiMessage ? ` Defender said: “${err.apiMessage}”` : '';
  switch (err.kind) {
    case 'forbidden':
      return [403, forbiddenPage(err)];
    case 'not-found':
      return [404, { title: 'Not found', what: `Microsoft Defender has no such incident, or it is outside the device groups you may see.${quote}`, actions: [{ href: '/incidents', label: 'Back to the incident queue' }] }];
    case 'throttled':
      return [429, {
        title: 'Microsoft Defender is throttling requests',
        what: `Your organization has used its Defender API quota for now (50 list calls a minute, 100 incident reads a minute).${quote}`,
        todo: `Try again in ${err.retryAfterSec ?? 60} seconds.`,
        retryAfterSec: err.retryAfterSec ?? 60,
        trackingId: err.trackingId,
      }];
    case 'unavailable':
      return [503, {
        title: 'Microsoft Defender is having trouble',
        what: `The Defender API answered with an error (HTTP ${err.status}).`,
        todo: 'Try again in a minute. If it persists, check the Microsoft 365 service health page.',
        retryAfterSec: err.retryAfterSec ?? 30,
        trackingId: err.trackingId,
      }];
    case 'timeout':
      return [504, { title: 'Microsoft Defender did not answer in time', what: 'The Defender API took too long to respond.', todo: 'Try again; narrowing the filter also helps.', retryAfterSec: 10 }];
    case 'network':
      return [502, { title: 'Microsoft Defender could not be reached', what: 'ThreatDesk could not connect to the Defender API.', todo: 'Try again in a moment. If it persists, an administrator should check the network path to the Defender API.', retryAfterSec: 10 }];
    case 'malformed':
      return [502, { title: 'Microsoft Defender sent an unreadable answer', what: `ThreatDesk could not read the Defender API's response. ${err.apiMessage ?? ''}`.trim(), todo: 'Try again. If it persists, report it with the request id below.' }];
    case 'unauthorized':
    case 'bad-request':
    default:
      return [502, { title: 'Microsoft Defender refused the request', what: `The Defender API did not accept ThreatDesk's request (HTTP ${err.status ?? '?'}).${quote}`, todo: 'Report it with the request id below.', trackingId: err.trackingId }];
  }
}

/** A Defender 403 is either a missing app permission (consent) or a missing Defender role; say which. */
export function forbiddenPage(err: DefenderApiError): ProblemPage {
  const message = err.apiMessage ?? '';
  // Whole names only: 'Incident.ReadWrite' contains 'Incident.Read'.
  const permission = Object.values(PERMISSIONS).find((p) => new RegExp(`(?<![\\w.])${p.replace('.', '\\.')}(?![\\w.])`).test(message));
  if (permission) {
    return {
      title: `ThreatDesk lacks the ${permission} permission`,
      what: `Microsoft Defender refused the call because your token does not carry the delegated permission ${permission}. Defender said: “${message}”`,
      todo: 'A global administrator can grant it from the admin consent page; then sign in again.',
      admin: true,
      trackingId: err.trackingId,
    };
  }
  return {
    title: 'Your Defender role does not allow this',
    what: `ThreatDesk has the permission, but Microsoft Defender refused the call for your account: your Defender role or device-group access does not cover it.${message ? ` Defender said: “${message}”` : ''}`,
    todo: 'Ask your Defender administrator for a role with access (Microsoft Defender portal → Permissions → Roles).',
    trackingId: err.trackingId,
  };
}

/** Sends a browser back through sign-in for the needed scopes, unless that already failed repeatedly. */
function interaction(req: Request, res: Response, err: InteractionRequiredError): void {
  const target = req.originalUrl;
  const now = Date.now();
  const loop = req.session?.signInLoop;
  const sameTarget = loop && loop.target === target && now - loop.since < LOOP_WINDOW_MS;
  const count = sameTarget ? loop.count + 1 : 1;
  const explained = explainAadsts(err.aadsts);
  if (count > LOOP_LIMIT || req.method !== 'GET') {
    if (req.session) delete req.session.signInLoop;
    renderProblem(req, res, 401, {
      title: req.method === 'GET' ? 'Signing in again did not help' : 'Your sign-in needs refreshing',
      what: explained?.what ?? (req.method === 'GET'
        ? `ThreatDesk sent you to sign in ${LOOP_LIMIT} times for this page and still could not get a usable token from Microsoft Entra ID (${err.reason}).`
        : 'Your Microsoft sign-in expired before this change could be sent.'),
      todo: explained?.todo ?? (req.method === 'GET' ? 'Sign out and in again. If it keeps happening, ask your administrator to check the app\'s consent and your access.' : 'Sign in again, then repeat the change.'),
      admin: explained?.admin ?? req.method === 'GET',
      actions: [{ href: `/auth/signin?returnTo=${encodeURIComponent(req.method === 'GET' ? target : req.get('referer') ? new URL(req.get('referer') as string).pathname : '/')}`, label: 'Sign in again' }],
    });
    return;
  }
  if (req.session) req.session.signInLoop = { target, count, since: sameTarget ? loop.since : now };
  const params = new URLSearchParams({ returnTo: target });
  if (err.scopes.includes(scopeFor(PERMISSIONS.write))) params.set('scope', 'write');
  res.redirect(303, `/auth/signin?${params.toString()}`);
}

export function errorHandler(logger: Logger) {
  // Express recognises error middleware by its four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (err instanceof InteractionRequiredError) return interaction(req, res, err);
    if (err instanceof PageError) return renderProblem(req, res, err.status, err.page);
    if (err instanceof DefenderApiError) {
      const [status, page] = defenderProblem(err);
      logger.warn({ kind: err.kind, status: err.status, apiCode: err.apiCode, trackingId: err.trackingId }, 'defender call failed');
      return renderProblem(req, res, status, page);
    }
    if (err instanceof StoreUnavailableError) {
      logger.error({ err: describeError(err.cause) }, 'session store unavailable');
      return renderProblem(req, res, 503, {
        title: 'Session store unavailable',
        what: 'ThreatDesk cannot reach the store that keeps sign-in sessions, so it cannot tell who you are right now. You have not been signed out.',
        todo: 'Try again in a few seconds.',
        retryAfterSec: 5,
      });
    }
    if (err instanceof IdentityProviderError) {
      const explained = explainAadsts(err.aadsts);
      const status = err.kind === 'unavailable' ? 503 : err.kind === 'misconfigured' ? 500 : 502;
      logger.warn({ kind: err.kind, aadsts: err.aadsts }, 'identity provider error');
      return renderProblem(req, res, status, {
        title: explained?.title ?? (err.kind === 'unavailable' ? 'Microsoft sign-in is unavailable' : 'Microsoft sign-in failed'),
        what: explained?.what ?? err.message,
        todo: explained?.todo ?? (err.kind === 'misconfigured' ? 'An administrator must check ThreatDesk\'s client credentials.' : 'Try again in a moment.'),
        admin: explained?.admin,
        retryAfterSec: err.kind === 'unavailable' ? (err.retryAfterSec ?? 10) : undefined,
        actions: [{ href: '/auth/signin', label: 'Try signing in again' }],
      });
    }
    const e = err as { code?: string; status?: number; type?: string };
    if (e.code === 'EBADCSRFTOKEN') {
      return renderProblem(req, res, 403, {
        title: 'This form has expired',
        what: 'The form was sent without a valid security token, for example because it was opened before you signed in again, or came from another site.',
        todo: 'Go back, reload the page, and submit again.',
      });
    }
    if (e.type === 'entity.too.large' || e.status === 413) {
      return renderProblem(req, res, 413, { title: 'Too much text', what: 'The form was larger than ThreatDesk accepts.', todo: 'Shorten the text (comments may be up to 30,000 characters) and try again.' });
    }
    if (e.status === 400 && e.type) {
      return renderProblem(req, res, 400, { title: 'Bad request', what: 'The request could not be read.' });
    }
    logger.error({ err: describeError(err) }, 'unhandled error');
    renderProblem(req, res, 500, { title: 'Something went wrong', what: 'ThreatDesk hit an unexpected error. Nothing was changed.', todo: 'Try again. If it happens again, report the request id below.' });
  };
}

export function notFound(req: Request, res: Response): void {
  renderProblem(req, res, 404, { title: 'Page not found', what: 'There is no page at this address.', actions: [{ href: '/', label: 'Go to ThreatDesk' }] });
}
