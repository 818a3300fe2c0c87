import { ConsentError, explainAadsts, IdentityProviderError, isConsentError, SignInError } from '../../auth/errors';
import { LOOP_LIMIT } from '../../auth/signInLoop';
import type { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../../incidents/sources/errors';
import type { SecurityApi } from '../../config/config';
import { t } from '../../i18n/i18n';
import type { InvalidInputError } from '../inputErrors';
import type { Problem, ProblemPage } from './problemPage';

/**
 * The wording of every error page, one function per kind of error. The error handler picks the
 * function; routes and features only throw typed errors. Pages are built when they are rendered,
 * so their words come in the language of the request.
 */

const signInAgain = (returnTo = '/') => ({ href: `/auth/signin?returnTo=${encodeURIComponent(returnTo)}`, label: t('auth:action.signInAgain') });
const backToConsent = () => ({ href: '/admin/consent', label: t('auth:action.backToConsent') });
const toQueue = () => ({ href: '/incidents', label: t('errors:action.incidentQueue') });

/** What Entra answered, as the pages quote it: the OAuth error and the AADSTS code (codes are not translated). */
const entraCode = (error: string | undefined, aadsts: number | undefined) => `${error ?? 'error'}${aadsts ? `, AADSTS${aadsts}` : ''}`;

export function signInProblem(err: SignInError): Problem {
  const { returnTo, error, aadsts } = err.details;
  const explained = explainAadsts(aadsts);
  switch (err.failure) {
    case 'cancelled':
      return [401, { title: t('auth:signIn.cancelled.title'), what: t('auth:signIn.cancelled.what'), actions: [signInAgain(returnTo)] }];
    case 'refused':
      if (isConsentError(error, aadsts)) {
        return [403, {
          title: explained?.title ?? t('auth:signIn.needsAdmin.title'),
          what: explained?.what ?? t('auth:signIn.needsAdmin.what'),
          todo: explained?.todo ?? t('auth:signIn.needsAdmin.todo'),
          admin: true,
          actions: [{ href: '/admin/consent', label: t('auth:action.openConsent') }, signInAgain(returnTo)],
        }];
      }
      return [401, {
        title: explained?.title ?? t('auth:signIn.failed.title'),
        what: explained?.what ?? t('auth:signIn.failed.what', { code: entraCode(error, aadsts) }),
        todo: explained?.todo ?? t('auth:signIn.failed.todo'),
        admin: explained?.admin,
        actions: [signInAgain(returnTo)],
      }];
    case 'unmatched-browser':
      return [400, {
        title: t('auth:signIn.unmatchedBrowser.title'),
        what: t('auth:signIn.unmatchedBrowser.what'),
        todo: t('auth:signIn.unmatchedBrowser.todo'),
        actions: [signInAgain()],
      }];
    case 'unknown-state':
      return [400, {
        title: t('auth:signIn.unknownState.title'),
        what: t('auth:signIn.unknownState.what'),
        todo: t('auth:signIn.unknownState.todo'),
        actions: [signInAgain()],
      }];
    case 'no-code':
      return [400, { title: t('auth:signIn.noCode.title'), what: t('auth:signIn.noCode.what'), actions: [signInAgain(returnTo)] }];
  }
}

export function consentProblem(err: ConsentError): Problem {
  const { error, aadsts } = err.details;
  switch (err.failure) {
    case 'unconfirmed':
      return [400, {
        title: t('auth:consent.unconfirmed.title'),
        what: t('auth:consent.unconfirmed.what'),
        // Named as the top bar names the page.
        todo: t('auth:consent.unconfirmed.todo', { myToken: t('common:nav.token') }),
        actions: [backToConsent()],
      }];
    case 'refused': {
      const explained = explainAadsts(aadsts);
      const notAdmin = aadsts === 90094 || aadsts === 90008 || error === 'access_denied';
      return [403, {
        title: aadsts === 65004 || error === 'permission_denied' ? t('auth:consent.declined') : notAdmin ? t('auth:consent.needsGlobalAdmin') : t('auth:consent.notGranted'),
        what: explained?.what && aadsts !== 90094
          ? explained.what
          : `${t('auth:consent.refused.what', { code: entraCode(error, aadsts) })}${notAdmin ? ` ${t('auth:consent.refused.onlyAdmin')}` : ''}`,
        todo: t('auth:consent.refused.todo'),
        actions: [backToConsent()],
      }];
    }
    case 'unexpected':
      return [400, { title: t('auth:consent.unexpected.title'), what: t('auth:consent.unexpected.what'), actions: [backToConsent()] }];
    case 'tenant-mismatch':
      return [400, {
        title: t('auth:consent.tenantMismatch.title'),
        what: t('auth:consent.tenantMismatch.what', { requested: err.details.requestedTenant ?? '?', returned: err.details.returnedTenant ?? '?' }),
        todo: t('auth:consent.tenantMismatch.todo'),
        actions: [backToConsent()],
      }];
  }
}

export function identityProviderProblem(err: IdentityProviderError): Problem {
  const explained = explainAadsts(err.aadsts);
  const status = err.kind === 'unavailable' ? 503 : err.kind === 'misconfigured' ? 500 : 502;
  return [status, {
    title: explained?.title ?? (err.kind === 'unavailable' ? t('auth:identityProvider.unavailable') : t('auth:identityProvider.failed')),
    what: explained?.what ?? err.describe(),
    todo: explained?.todo ?? (err.kind === 'misconfigured' ? t('auth:identityProvider.misconfigured') : t('auth:identityProvider.tryLater')),
    admin: explained?.admin,
    retryAfterSec: err.kind === 'unavailable' ? (err.retryAfterSec ?? 10) : undefined,
    actions: [{ href: '/auth/signin', label: t('auth:action.trySignInAgain') }],
  }];
}

/** After a token kept failing even through sign-in, or a write's sign-in expired: stop and explain. */
export function signInStuckProblem(reason: string, aadsts: number | undefined, method: string, returnTo: string): Problem {
  const explained = explainAadsts(aadsts);
  const get = method === 'GET';
  return [401, {
    title: get ? t('auth:signIn.loop.title') : t('auth:signIn.expired.title'),
    what: explained?.what ?? (get ? t('auth:signIn.loop.what', { times: LOOP_LIMIT, reason }) : t('auth:signIn.expired.what')),
    todo: explained?.todo ?? (get ? t('auth:signIn.loop.todo') : t('auth:signIn.expired.todo')),
    admin: explained?.admin ?? get,
    actions: [signInAgain(returnTo)],
  }];
}

export const signInRequiredProblem = (): Problem => [401, {
  title: t('auth:signIn.required.title'),
  what: t('auth:signIn.required.what'),
  actions: [signInAgain()],
}];

export function inputProblem(err: InvalidInputError): Problem {
  switch (err.problem) {
    case 'incident-id':
      return [404, { title: t('errors:input.incidentId'), what: err.detail, actions: [{ href: err.resetHref, label: t('errors:action.incidentQueue') }] }];
    case 'filter':
      return [400, { title: t('errors:input.filter'), what: err.detail, actions: [{ href: err.resetHref, label: t('errors:action.resetFilters') }] }];
    case 'cursor':
      return [400, { title: t('errors:input.cursor'), what: err.detail, actions: [{ href: err.resetHref, label: t('errors:action.startListAgain') }] }];
    case 'job-id':
      return [404, { title: t('errors:input.jobId'), what: err.detail, actions: [{ href: err.resetHref, label: t('errors:action.bulkJobs') }] }];
    case 'selection':
      return [400, { title: t('errors:input.selection'), what: err.detail, actions: [{ href: err.resetHref, label: t('errors:action.queue') }] }];
  }
}

/** The API's name as sentences use it ("The Microsoft Graph security API refused…"). */
const apiName = (api: SecurityApi): string => (api === 'graph' ? t('errors:api.name.graph') : t('errors:api.name.defender'));
const quota = (api: SecurityApi): string => (api === 'graph' ? t('errors:api.throttled.graph') : t('errors:api.throttled.defender'));
/** Microsoft's own words, quoted after ours (never translated): empty when it said nothing. */
const microsoftSaid = (apiMessage: string | undefined): string => (apiMessage ? ` ${t('errors:api.microsoftSaid', { message: apiMessage })}` : '');
const tryAgainIn = (seconds: number): string => t('errors:tryAgainIn', { seconds });

export function apiProblem(err: SecurityApiError): Problem {
  const api = apiName(err.api);
  const { apiMessage, trackingId, retryAfterSec } = err.details;
  const quote = microsoftSaid(apiMessage);
  const status = err.status ?? '?';
  switch (err.kind) {
    case 'forbidden':
      // Reached only outside IncidentAccess (which explains 403s from the token's scopes).
      return [403, { title: t('errors:api.refused'), what: `${t('errors:api.forbidden', { api })}${quote}`, trackingId }];
    case 'not-found':
      return [404, { title: t('errors:api.notFound.title'), what: `${t('errors:api.notFound.what')}${quote}`, actions: [toQueue()] }];
    case 'throttled':
      return [429, {
        title: t('errors:api.throttled.title'),
        what: `${quota(err.api)}${quote}`,
        todo: tryAgainIn(retryAfterSec ?? 60),
        retryAfterSec: retryAfterSec ?? 60,
        trackingId,
      }];
    case 'unavailable':
      return [503, {
        title: t('errors:api.unavailable.title'),
        what: t('errors:api.unavailable.what', { api, status }),
        todo: t('errors:api.unavailable.todo'),
        retryAfterSec: retryAfterSec ?? 30,
        trackingId,
      }];
    case 'timeout':
      return [504, { title: t('errors:api.timeout.title'), what: t('errors:api.timeout.what', { api }), todo: t('errors:api.timeout.todo'), retryAfterSec: 10 }];
    case 'network':
      return [502, { title: t('errors:api.network.title'), what: t('errors:api.network.what', { api }), todo: t('errors:api.network.todo', { api }), retryAfterSec: 10 }];
    case 'malformed':
      // The detail here is ThreatDesk's own (sources word it in the reader's language).
      return [502, { title: t('errors:api.malformed.title'), what: `${t('errors:api.malformed.what', { api })} ${apiMessage ?? ''}`.trim(), todo: t('errors:api.malformed.todo') }];
    case 'unauthorized':
    case 'bad-request':
      return [502, { title: t('errors:api.refused'), what: `${t('errors:api.rejected.what', { api, status })}${quote}`, todo: t('errors:api.rejected.todo'), trackingId }];
  }
}

/** No call could be sent for this page: the tenant's shared budget is used up, or Microsoft asked the tenant to wait. */
export function budgetProblem(err: BudgetExhaustedError): Problem {
  const retryAfterSec = Math.max(1, Math.ceil((err.retryAtMs - Date.now()) / 1000));
  return [503, {
    title: err.reason === 'paused' ? t('errors:budget.paused.title') : t('errors:budget.busy.title'),
    what: err.reason === 'paused' ? t('errors:budget.paused.what', { api: apiName(err.api) }) : t('errors:budget.busy.what', { api: apiName(err.api) }),
    todo: tryAgainIn(retryAfterSec),
    retryAfterSec,
  }];
}

/**
 * A 403 explained from what the analyst's token was granted: a missing delegated permission is
 * fixed by consent; with the permission granted, it is the analyst's role.
 */
export function forbiddenPage(err: ApiForbiddenError): ProblemPage {
  const trackingId = err.refusal.details.trackingId;
  const permission = err.permission;
  if (!err.permissionGranted) {
    return {
      title: t('errors:forbidden.permission.title', { permission }),
      what: t('errors:forbidden.permission.what', { permission }),
      todo: t('errors:forbidden.permission.todo'),
      admin: true,
      trackingId,
    };
  }
  const role = err.api === 'graph'
    ? err.write
      ? t('errors:forbidden.role.graphWrite')
      : t('errors:forbidden.role.graphRead')
    : t('errors:forbidden.role.defender');
  return {
    title: t('errors:forbidden.role.title'),
    what: t('errors:forbidden.role.what', { permission, role }),
    todo: err.api === 'graph' ? t('errors:forbidden.role.graphTodo') : t('errors:forbidden.role.defenderTodo'),
    trackingId,
  };
}

export const storeUnavailableProblem = (): Problem => [503, {
  title: t('errors:store.title'),
  what: t('errors:store.what'),
  todo: t('errors:store.todo'),
  retryAfterSec: 5,
}];

export const csrfProblem = (): Problem => [403, {
  title: t('errors:csrf.title'),
  what: t('errors:csrf.what'),
  todo: t('errors:reloadAndSubmit'),
}];

export const tooLargeProblem = (): Problem => [413, { title: t('errors:tooLarge.title'), what: t('errors:tooLarge.what'), todo: t('errors:tooLarge.todo') }];

export const badRequestProblem = (): Problem => [400, { title: t('errors:badRequest.title'), what: t('errors:badRequest.what') }];

/** A request Express could not read: the status it named, with words for the ones a browser can meet. */
export function clientErrorProblem(status: number): Problem {
  switch (status) {
    case 415:
      return [415, {
        title: t('errors:unreadableForm.title'),
        what: t('errors:unreadableForm.what'),
        todo: t('errors:reloadAndSubmit'),
      }];
    case 416:
      return [416, { title: t('errors:range.title'), what: t('errors:range.what') }];
    case 404:
      return notFoundProblem();
    default:
      return [status >= 400 && status < 500 ? status : 400, badRequestProblem()[1]];
  }
}

export const notFoundProblem = (): Problem => [404, { title: t('errors:notFound.title'), what: t('errors:notFound.what'), actions: [{ href: '/', label: t('errors:action.home') }] }];

export const unexpectedProblem = (): Problem => [500, { title: t('errors:unexpected.title'), what: t('errors:unexpected.what'), todo: t('errors:unexpected.todo') }];
