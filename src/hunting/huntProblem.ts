import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';
import { apiProblem, budgetProblem } from '../web/errors/pages';
import type { ProblemPage } from '../web/errors/problemPage';
import { HuntingUnavailableError } from './hunter';

/** A query that did not run, said on the Hunting page itself, beside the query that stays in the editor. */
export interface HuntProblem extends ProblemPage {
  status: number;
  /** Where in the query the service says the error is (line and column from 1), when it says. */
  position?: { line: number; column: number };
}

/**
 * Kusto, which runs hunting queries, reports a syntax error as "Query could not be parsed at 'x' on
 * line [2,7]". Graph documents no position for its hunting errors, so one is shown only when the
 * message holds one.
 */
export function positionIn(message: string | undefined): HuntProblem['position'] {
  const m = message?.match(/on line \[(\d{1,6}),\s*(\d{1,6})\]/);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** The Hunting page's words for each way a query can fail; undefined for errors that are not the query's (they go to the error handler). */
export function huntProblem(err: unknown, timeoutMs: number, now = Date.now()): HuntProblem | undefined {
  if (err instanceof HuntingUnavailableError) {
    return {
      status: 501,
      title: 'Advanced hunting needs the Microsoft Graph security API',
      what: 'This ThreatDesk speaks the legacy Defender API (SECURITY_API=defender), whose hunting stops returning data on 1 February 2027.',
      todo: 'An administrator can switch ThreatDesk to SECURITY_API=graph; incidents work the same there.',
    };
  }
  if (err instanceof ApiForbiddenError) {
    return err.permissionGranted
      ? {
          status: 403,
          title: 'Your role does not allow advanced hunting',
          what: 'ThreatDesk has the ThreatHunting.Read.All permission, but Microsoft refused the query for your account. Hunting needs the Microsoft Entra role Security Reader or higher, or a Defender XDR unified RBAC role with read access to security data.',
          todo: 'Ask your administrator for that role (Microsoft Entra admin center → Roles, or Defender portal → Permissions).',
          trackingId: err.refusal.details.trackingId,
        }
      : {
          status: 403,
          title: 'ThreatDesk may not hunt for your organisation yet',
          what: `Your token does not carry the delegated permission ${err.permission}, which advanced hunting needs.`,
          todo: 'A global administrator can grant it from the admin consent page; then sign in again.',
          admin: true,
          trackingId: err.refusal.details.trackingId,
        };
  }
  if (err instanceof BudgetExhaustedError) {
    const [status, page] = budgetProblem(err);
    return { status, ...page, todo: `Nothing was sent. Run it again after ${clock(err.retryAtMs)} (in about ${page.retryAfterSec ?? 1} s).` };
  }
  if (!(err instanceof SecurityApiError)) return undefined;
  const { apiMessage, trackingId, retryAfterSec } = err.details;
  const quote = apiMessage ? ` Microsoft said: “${apiMessage}”` : '';
  if (err.kind === 'bad-request' && /result size|too many rows|row limit/i.test(apiMessage ?? '')) {
    return {
      status: 400,
      title: 'The query returns too many rows',
      what: `Microsoft returns at most 100,000 rows for one query, and this one has more.${quote}`,
      todo: 'Narrow the time range, filter with where, or count with summarize instead of listing every row.',
      trackingId,
    };
  }
  if (err.kind === 'bad-request') {
    return { status: 400, title: 'Microsoft could not run this query', what: apiMessage ?? 'The query was refused without a reason.', todo: 'Correct the query and run it again.', position: positionIn(apiMessage), trackingId };
  }
  if (err.kind === 'throttled') {
    const wait = retryAfterSec ?? 60;
    return {
      status: 429,
      title: 'Your organisation’s hunting quota is used up for now',
      what: `Microsoft allows each organisation a number of hunting queries a minute and an amount of query processing every 15 minutes, shared by all its analysts and tools.${quote}`,
      todo: `Run it again after ${clock(now + wait * 1000)} (in about ${wait} s). Heavy queries use the processing quota fastest: a shorter range or fewer tables helps.`,
      retryAfterSec: wait,
      trackingId,
    };
  }
  if (err.kind === 'timeout' || (err.kind === 'unavailable' && err.status === 504)) {
    return {
      status: 504,
      title: 'The query ran out of time',
      what: `Microsoft stops a hunting query after 3 minutes${err.kind === 'timeout' ? `, and this one had no answer after ${Math.round(timeoutMs / 1000)} s` : ''}.${quote}`,
      todo: 'Narrow the time range, filter early with where, or summarize; then run it again.',
      trackingId,
    };
  }
  const [status, page] = apiProblem(err);
  return { status, ...page };
}
