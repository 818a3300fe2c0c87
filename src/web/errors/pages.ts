import { ConsentError, explainAadsts, IdentityProviderError, isConsentError, SignInError } from '../../auth/errors';
import { LOOP_LIMIT } from '../../auth/signInLoop';
import type { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../../incidents/sources/errors';
import type { InvalidInputError } from '../inputErrors';
import type { Problem, ProblemPage } from './problemPage';

/**
 * The wording of every error page, one function per kind of error. The error handler picks the
 * function; routes and features only throw typed errors.
 */

const signInAgain = (returnTo = '/') => ({ href: `/auth/signin?returnTo=${encodeURIComponent(returnTo)}`, label: 'Sign in again' });
const backToConsent = { href: '/admin/consent', label: 'Back to the admin consent page' };

export function signInProblem(err: SignInError): Problem {
  const { returnTo, error, aadsts } = err.details;
  const explained = explainAadsts(aadsts);
  switch (err.failure) {
    case 'cancelled':
      return [401, { title: 'Sign-in cancelled', what: 'You cancelled signing in, so ThreatDesk cannot show your incidents.', actions: [signInAgain(returnTo)] }];
    case 'refused':
      if (isConsentError(error, aadsts)) {
        return [403, {
          title: explained?.title ?? "ThreatDesk needs an administrator's approval",
          what: explained?.what ?? 'Your organization has not granted ThreatDesk the permissions it needs.',
          todo: explained?.todo ?? 'Ask a global administrator to grant consent from the admin consent page, then sign in again.',
          admin: true,
          actions: [{ href: '/admin/consent', label: 'Open the admin consent page' }, signInAgain(returnTo)],
        }];
      }
      return [401, {
        title: explained?.title ?? 'Sign-in failed',
        what: explained?.what ?? `Microsoft Entra ID could not sign you in (${error ?? 'error'}${aadsts ? `, AADSTS${aadsts}` : ''}).`,
        todo: explained?.todo ?? 'Try again. If it keeps failing, give your administrator the time and the request id below.',
        admin: explained?.admin,
        actions: [signInAgain(returnTo)],
      }];
    case 'unmatched-browser':
      return [400, {
        title: 'Your sign-in could not be matched to this browser',
        what: 'ThreatDesk keeps a record of each sign-in it starts, but none came with this response. This happens when cookies are blocked, the sign-in started in another browser, or it took too long and the record expired.',
        todo: 'Start sign-in again from this browser.',
        actions: [signInAgain()],
      }];
    case 'unknown-state':
      return [400, {
        title: 'This sign-in response is not valid here',
        what: 'The response does not belong to a sign-in started in this browser, or it was already used or expired (sign-ins must finish within 10 minutes).',
        todo: 'Start sign-in again.',
        actions: [signInAgain()],
      }];
    case 'no-code':
      return [400, { title: 'Incomplete sign-in response', what: 'The response from Microsoft Entra ID carried no authorization code.', actions: [signInAgain(returnTo)] }];
  }
}

export function consentProblem(err: ConsentError): Problem {
  const { error, aadsts } = err.details;
  switch (err.failure) {
    case 'unconfirmed':
      return [400, {
        title: 'This consent response cannot be confirmed',
        what: 'It does not match a consent link opened in this browser (or it was already used, or is more than 10 minutes old). The grant itself may still have happened at Microsoft: this page just cannot vouch for it.',
        todo: 'Open the admin consent page again in this browser and follow its link. To check the current grants, sign in and open "My token".',
        actions: [backToConsent],
      }];
    case 'refused': {
      const explained = explainAadsts(aadsts);
      const notAdmin = aadsts === 90094 || aadsts === 90008 || error === 'access_denied';
      return [403, {
        title: aadsts === 65004 || error === 'permission_denied' ? 'Consent was declined' : notAdmin ? 'Consent needs a global administrator' : 'Consent was not granted',
        what: explained?.what && aadsts !== 90094
          ? explained.what
          : `Microsoft Entra ID did not grant the permissions (${error ?? 'error'}${aadsts ? `, AADSTS${aadsts}` : ''}).${notAdmin ? ' Only a global administrator (or a privileged role administrator) of the tenant can grant consent for everyone.' : ''}`,
        todo: 'Ask a global administrator of the tenant to open this page and follow the consent link, then accept the permission request.',
        actions: [backToConsent],
      }];
    }
    case 'unexpected':
      return [400, { title: 'Unexpected consent response', what: 'The response from Microsoft Entra ID did not say that consent was granted.', actions: [backToConsent] }];
    case 'tenant-mismatch':
      return [400, {
        title: 'Consent came from another tenant',
        what: `The link was made for tenant ${err.details.requestedTenant ?? '?'}, but Microsoft Entra ID says tenant ${err.details.returnedTenant ?? '?'} answered. ThreatDesk does not report that as consent for the tenant you asked for.`,
        todo: 'Open the admin consent page again, make the link for the tenant you administer, and sign in at Microsoft with an administrator of that tenant.',
        actions: [backToConsent],
      }];
  }
}

export function identityProviderProblem(err: IdentityProviderError): Problem {
  const explained = explainAadsts(err.aadsts);
  const status = err.kind === 'unavailable' ? 503 : err.kind === 'misconfigured' ? 500 : 502;
  return [status, {
    title: explained?.title ?? (err.kind === 'unavailable' ? 'Microsoft sign-in is unavailable' : 'Microsoft sign-in failed'),
    what: explained?.what ?? err.message,
    todo: explained?.todo ?? (err.kind === 'misconfigured' ? "An administrator must check ThreatDesk's client credentials." : 'Try again in a moment.'),
    admin: explained?.admin,
    retryAfterSec: err.kind === 'unavailable' ? (err.retryAfterSec ?? 10) : undefined,
    actions: [{ href: '/auth/signin', label: 'Try signing in again' }],
  }];
}

/** After a token kept failing even through sign-in, or a write's sign-in expired: stop and explain. */
export function signInStuckProblem(reason: string, aadsts: number | undefined, method: string, returnTo: string): Problem {
  const explained = explainAadsts(aadsts);
  const get = method === 'GET';
  return [401, {
    title: get ? 'Signing in again did not help' : 'Your sign-in needs refreshing',
    what: explained?.what ?? (get
      ? `ThreatDesk sent you to sign in ${LOOP_LIMIT} times for this page and still could not get a usable token from Microsoft Entra ID (${reason}).`
      : 'Your Microsoft sign-in expired before this change could be sent.'),
    todo: explained?.todo ?? (get ? "Sign out and in again. If it keeps happening, ask your administrator to check the app's consent and your access." : 'Sign in again, then repeat the change.'),
    admin: explained?.admin ?? get,
    actions: [signInAgain(returnTo)],
  }];
}

export const signInRequiredProblem = (): Problem => [401, {
  title: 'Sign-in required',
  what: 'This needs a signed-in analyst, and your session has ended or never began.',
  actions: [signInAgain()],
}];

export function inputProblem(err: InvalidInputError): Problem {
  switch (err.problem) {
    case 'incident-id':
      return [404, { title: 'Incident not found', what: err.detail, actions: [{ href: err.resetHref, label: 'Back to the incident queue' }] }];
    case 'filter':
      return [400, { title: 'That filter is not valid', what: err.detail, actions: [{ href: err.resetHref, label: 'Reset the filters' }] }];
    case 'cursor':
      return [400, { title: 'That page link is not valid', what: err.detail, actions: [{ href: err.resetHref, label: 'Start the list again' }] }];
    case 'job-id':
      return [404, { title: 'Bulk job not found', what: err.detail, actions: [{ href: err.resetHref, label: 'Your bulk jobs' }] }];
    case 'selection':
      return [400, { title: 'Nothing to change', what: err.detail, actions: [{ href: err.resetHref, label: 'Back to the queue' }] }];
  }
}

const API_NAME = { graph: 'Microsoft Graph security API', defender: 'Microsoft Defender API' } as const;
const QUOTA = {
  graph: 'Your organization has used its Microsoft Graph security API quota for now (it is shared by every analyst and every ThreatDesk instance).',
  defender: 'Your organization has used its Defender API quota for now (50 list calls a minute, 100 incident reads a minute, 1,500 an hour, shared by everyone).',
} as const;

export function apiProblem(err: SecurityApiError): Problem {
  const name = API_NAME[err.api];
  const { apiMessage, trackingId, retryAfterSec } = err.details;
  const quote = apiMessage ? ` Microsoft said: “${apiMessage}”` : '';
  switch (err.kind) {
    case 'forbidden':
      // Reached only outside IncidentAccess (which explains 403s from the token's scopes).
      return [403, { title: 'Microsoft refused the request', what: `The ${name} refused this request for your account.${quote}`, trackingId }];
    case 'not-found':
      return [404, { title: 'Not found', what: `Microsoft Defender has no such incident, or it is outside what your role lets you see.${quote}`, actions: [{ href: '/incidents', label: 'Back to the incident queue' }] }];
    case 'throttled':
      return [429, {
        title: 'Microsoft is throttling requests',
        what: `${QUOTA[err.api]}${quote}`,
        todo: `Try again in ${retryAfterSec ?? 60} seconds.`,
        retryAfterSec: retryAfterSec ?? 60,
        trackingId,
      }];
    case 'unavailable':
      return [503, {
        title: 'Microsoft Defender is having trouble',
        what: `The ${name} answered with an error (HTTP ${err.status ?? '?'}).`,
        todo: 'Try again in a minute. If it persists, check the Microsoft 365 service health page.',
        retryAfterSec: retryAfterSec ?? 30,
        trackingId,
      }];
    case 'timeout':
      return [504, { title: 'Microsoft did not answer in time', what: `The ${name} took too long to respond.`, todo: 'Try again; narrowing the filter also helps.', retryAfterSec: 10 }];
    case 'network':
      return [502, { title: 'Microsoft could not be reached', what: `ThreatDesk could not connect to the ${name}.`, todo: `Try again in a moment. If it persists, an administrator should check the network path to the ${name}.`, retryAfterSec: 10 }];
    case 'malformed':
      return [502, { title: 'Microsoft sent an unreadable answer', what: `ThreatDesk could not read the ${name}'s response. ${apiMessage ?? ''}`.trim(), todo: 'Try again. If it persists, report it with the request id below.' }];
    case 'unauthorized':
    case 'bad-request':
      return [502, { title: 'Microsoft refused the request', what: `The ${name} did not accept ThreatDesk's request (HTTP ${err.status ?? '?'}).${quote}`, todo: 'Report it with the request id below.', trackingId }];
  }
}

/** No call could be sent for this page: the tenant's shared budget is used up, or Microsoft asked the tenant to wait. */
export function budgetProblem(err: BudgetExhaustedError): Problem {
  const retryAfterSec = Math.max(1, Math.ceil((err.retryAtMs - Date.now()) / 1000));
  return [503, {
    title: err.reason === 'paused' ? 'Microsoft asked ThreatDesk to wait' : 'The tenant\u2019s API budget is in use',
    what: err.reason === 'paused'
      ? `Microsoft throttled your organisation's calls to the ${API_NAME[err.api]}; ThreatDesk holds every call until it allows them again, for all analysts.`
      : `Your organisation's calls to the ${API_NAME[err.api]} are shared by every analyst, and none is free for this page right now.`,
    todo: `Try again in ${retryAfterSec} seconds.`,
    retryAfterSec,
  }];
}

/**
 * A 403 explained from what the analyst's token was granted: a missing delegated permission is
 * fixed by consent; with the permission granted, it is the analyst's role.
 */
export function forbiddenPage(err: ApiForbiddenError): ProblemPage {
  const trackingId = err.refusal.details.trackingId;
  if (!err.permissionGranted) {
    return {
      title: `ThreatDesk lacks the ${err.permission} permission`,
      what: `Your token does not carry the delegated permission ${err.permission}, which this needs.`,
      todo: 'A global administrator can grant it from the admin consent page; then sign in again.',
      admin: true,
      trackingId,
    };
  }
  const role = err.api === 'graph'
    ? err.write
      ? 'Changing incidents needs the Microsoft Entra role Security Operator or Security Administrator (or a Defender XDR unified RBAC role with manage rights).'
      : 'Reading incidents needs the Microsoft Entra role Security Reader or higher (or a Defender XDR unified RBAC role with read rights).'
    : 'Your Defender role or device-group access does not cover it.';
  return {
    title: 'Your role does not allow this',
    what: `ThreatDesk has the ${err.permission} permission, but Microsoft refused the call for your account. ${role}`,
    todo: err.api === 'graph' ? 'Ask your administrator for that role (Microsoft Entra admin center → Roles, or Defender portal → Permissions).' : 'Ask your Defender administrator for a role with access (Microsoft Defender portal → Permissions → Roles).',
    trackingId,
  };
}

export const storeUnavailableProblem = (): Problem => [503, {
  title: 'Session store unavailable',
  what: 'ThreatDesk cannot reach the store that keeps sign-in sessions, so it cannot tell who you are right now. You have not been signed out.',
  todo: 'Try again in a few seconds.',
  retryAfterSec: 5,
}];

export const csrfProblem = (): Problem => [403, {
  title: 'This form has expired',
  what: 'The form was sent without a valid security token, for example because it was opened before you signed in again, or came from another site.',
  todo: 'Go back, reload the page, and submit again.',
}];

export const tooLargeProblem = (): Problem => [413, { title: 'Too much text', what: 'The form was larger than ThreatDesk accepts.', todo: 'Shorten the text (comments may be up to 30,000 characters) and try again.' }];

export const badRequestProblem = (): Problem => [400, { title: 'Bad request', what: 'The request could not be read.' }];

/** A request Express could not read: the status it named, with words for the ones a browser can meet. */
export function clientErrorProblem(status: number): Problem {
  switch (status) {
    case 415:
      return [415, {
        title: 'This form could not be read',
        what: 'It was sent in a character set or with a compression ThreatDesk does not read (forms must be UTF-8, uncompressed or gzip/deflate/br).',
        todo: 'Go back, reload the page, and submit again.',
      }];
    case 416:
      return [416, { title: 'Range not satisfiable', what: 'The part of the file asked for does not exist.' }];
    case 404:
      return notFoundProblem();
    default:
      return [status >= 400 && status < 500 ? status : 400, badRequestProblem()[1]];
  }
}

export const notFoundProblem = (): Problem => [404, { title: 'Page not found', what: 'There is no page at this address.', actions: [{ href: '/', label: 'Go to ThreatDesk' }] }];

export const unexpectedProblem = (): Problem => [500, { title: 'Something went wrong', what: 'ThreatDesk hit an unexpected error. Nothing was changed.', todo: 'Try again. If it happens again, report the request id below.' }];
