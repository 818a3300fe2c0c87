import { intl, t } from '../i18n/i18n';
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

/** The Hunting page's words for each way a query can fail; undefined for errors that are not the query's (they go to the error handler). */
export function huntProblem(err: unknown, timeoutMs: number, now = Date.now()): HuntProblem | undefined {
  if (err instanceof HuntingUnavailableError) {
    return {
      status: 501,
      title: t('hunting:problem.unavailable.title'),
      what: t('hunting:problem.unavailable.what'),
      todo: t('hunting:problem.unavailable.todo'),
    };
  }
  if (err instanceof ApiForbiddenError) {
    return err.permissionGranted
      ? {
          status: 403,
          title: t('hunting:problem.role.title'),
          what: t('hunting:problem.role.what'),
          todo: t('hunting:problem.role.todo'),
          trackingId: err.refusal.details.trackingId,
        }
      : {
          status: 403,
          title: t('hunting:problem.consent.title'),
          what: t('hunting:problem.consent.what', { permission: err.permission }),
          todo: t('hunting:problem.consent.todo'),
          admin: true,
          trackingId: err.refusal.details.trackingId,
        };
  }
  if (err instanceof BudgetExhaustedError) {
    const [status, page] = budgetProblem(err);
    return { status, ...page, todo: t('hunting:problem.budget.todo', { time: intl().time(err.retryAtMs), seconds: page.retryAfterSec ?? 1 }) };
  }
  if (!(err instanceof SecurityApiError)) return undefined;
  const { apiMessage, trackingId, retryAfterSec } = err.details;
  // Microsoft's own words, in the language it wrote them: the analyst may need them to search for the error.
  const quote = apiMessage ? ` ${t('hunting:problem.microsoftSaid', { message: apiMessage })}` : '';
  if (err.kind === 'bad-request' && /result size|too many rows|row limit/i.test(apiMessage ?? '')) {
    return {
      status: 400,
      title: t('hunting:problem.tooManyRows.title'),
      what: `${t('hunting:problem.tooManyRows.what', { max: intl().number(100_000) })}${quote}`,
      todo: t('hunting:problem.tooManyRows.todo'),
      trackingId,
    };
  }
  if (err.kind === 'bad-request') {
    return {
      status: 400,
      title: t('hunting:problem.refused.title'),
      what: apiMessage ?? t('hunting:problem.refused.noReason'),
      todo: t('hunting:problem.refused.todo'),
      position: positionIn(apiMessage),
      trackingId,
    };
  }
  if (err.kind === 'throttled') {
    const wait = retryAfterSec ?? 60;
    return {
      status: 429,
      title: t('hunting:problem.throttled.title'),
      what: `${t('hunting:problem.throttled.what')}${quote}`,
      todo: t('hunting:problem.throttled.todo', { time: intl().time(now + wait * 1000), seconds: wait }),
      retryAfterSec: wait,
      trackingId,
    };
  }
  if (err.kind === 'timeout' || (err.kind === 'unavailable' && err.status === 504)) {
    return {
      status: 504,
      title: t('hunting:problem.timeout.title'),
      what: `${err.kind === 'timeout' ? t('hunting:problem.timeout.whatNoAnswer', { seconds: Math.round(timeoutMs / 1000) }) : t('hunting:problem.timeout.what')}${quote}`,
      todo: t('hunting:problem.timeout.todo'),
      trackingId,
    };
  }
  const [status, page] = apiProblem(err);
  return { status, ...page };
}
