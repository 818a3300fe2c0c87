import { THREATDESK_APP_NAME as APP_NAME } from '../directory';
import { guid } from './ids';

/**
 * One Entra error, independent of how it travels: JSON from the token endpoint, query or form
 * parameters on a redirect, or the error page. Codes and wording follow service-facts §2.5 and the
 * AADSTS reference; where the facts give no text the wording is ours but keeps Entra's style.
 */
export interface AadErrorSpec {
  /** The OAuth `error` value. */
  error: string;
  /** The AADSTS number; absent only for the legacy admin-consent decline, which carries plain text. */
  code?: number;
  text: string;
  /** HTTP status on the back channel (Entra answers 400 for most errors, 401 for invalid_client). */
  status: number;
  suberror?: string;
  /** `error_subcode` on redirects, e.g. `cancel`. */
  subcode?: string;
}

/** Thrown by handlers and turned into the right response shape by the caller. */
export class AadError extends Error {
  constructor(readonly spec: AadErrorSpec) {
    super(spec.code ? `AADSTS${spec.code}: ${spec.text}` : spec.text);
    this.name = 'AadError';
  }
}

const spec = (error: string, code: number, text: string, extra: Partial<AadErrorSpec> = {}): AadError =>
  new AadError({ error, code, text, status: 400, ...extra });

/** Entra's `YYYY-MM-DD hh:mm:ssZ`. */
export function aadTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export interface Trace {
  traceId: string;
  correlationId: string;
  timestamp: string;
}

export function newTrace(nowMs: number, correlationId?: string): Trace {
  // Entra echoes the caller's client-request-id as the correlation id; msal sends one on every call.
  return { traceId: guid(), correlationId: correlationId || guid(), timestamp: aadTimestamp(nowMs) };
}

export function describe(err: AadErrorSpec, trace: Trace): string {
  if (err.code === undefined) return err.text;
  return `AADSTS${err.code}: ${err.text}\r\nTrace ID: ${trace.traceId}\r\nCorrelation ID: ${trace.correlationId}\r\nTimestamp: ${trace.timestamp}`;
}

/** The token endpoint's JSON error body (service-facts §2.5). */
export function tokenErrorBody(err: AadErrorSpec, trace: Trace): Record<string, unknown> {
  return {
    error: err.error,
    error_description: describe(err, trace),
    error_codes: err.code === undefined ? [] : [err.code],
    timestamp: trace.timestamp,
    trace_id: trace.traceId,
    correlation_id: trace.correlationId,
    ...(err.code === undefined ? {} : { error_uri: `https://login.microsoftonline.com/error?code=${err.code}` }),
    ...(err.suberror ? { suberror: err.suberror } : {}),
  };
}

/** The parameters an error redirect carries back to the client. */
export function redirectErrorParams(err: AadErrorSpec, trace: Trace): Record<string, string> {
  return {
    error: err.error,
    error_description: describe(err, trace),
    ...(err.subcode ? { error_subcode: err.subcode } : {}),
  };
}


export const Errors = {
  tenantNotFound: (segment: string) =>
    spec(
      'invalid_tenant',
      90002,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. ` +
        `The emulator serves the tenant ids, the verified domains and 'organizations'.`,
    ),
  commonNotAllowed: (what: string) =>
    spec(
      'invalid_request',
      9002313,
      `Invalid request. Request is malformed or invalid. - The reason: ${what} needs a tenant id, a verified domain or 'organizations', not 'common'.`,
    ),
  missingParameter: (name: string) =>
    spec('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  malformed: (reason: string) => spec('invalid_request', 9002313, `Invalid request. Request is malformed or invalid. - The reason: ${reason}`),
  postOnly: (method: string) =>
    spec('invalid_request', 900561, `The endpoint only accepts POST requests. Received a ${method} request.`),
  appNotFound: (clientId: string, directory: string) =>
    spec(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application ` +
        `has not been installed by the administrator of the tenant or consented to by any user in the tenant. ` +
        `You may have sent your authentication request to the wrong tenant.`,
    ),
  secretMissing: () =>
    spec('invalid_client', 7000218, `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`, {
      status: 401,
    }),
  secretInvalid: (clientId: string) =>
    spec(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ` +
        `not the client secret ID, for a secret added to app '${clientId}'.`,
      { status: 401 },
    ),
  assertionNotRegistered: (clientId: string) =>
    spec(
      'invalid_client',
      700027,
      `Client assertion failed signature validation. No certificate is registered for app '${clientId}' in the emulator; use the client secret.`,
      { status: 401 },
    ),
  unsupportedGrantType: (grantType: string) =>
    spec('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  codeInvalid: () => spec('invalid_grant', 70000, `The provided value for the 'code' parameter is not valid.`),
  codeRedeemed: () =>
    spec(
      'invalid_grant',
      54005,
      `OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.`,
    ),
  codeExpired: () =>
    spec(
      'invalid_grant',
      70008,
      `The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.`,
    ),
  otherTenant: (what: 'Authorization Code' | 'refresh token') =>
    spec('invalid_grant', 700005, `Provided ${what} is intended to use against other tenant, thus rejected.`),
  redirectUriChanged: (sent: string) =>
    spec(
      'invalid_grant',
      50011,
      `The redirect URI '${sent}' specified in the request does not match the redirect URI used to request the authorization code.`,
    ),
  pkceMismatch: (reason: string) =>
    spec('invalid_grant', 501481, `The Code_Verifier does not match the code_challenge supplied in the authorization request. ${reason}`.trim()),
  refreshTokenExpired: (issuedAt: number) =>
    spec(
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${new Date(issuedAt).toISOString()} and is no longer valid.`,
    ),
  refreshTokenRevoked: (issuedAt: number) =>
    spec(
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity or was revoked. The token was issued on ${new Date(issuedAt).toISOString()}.`,
    ),
  refreshTokenUnknown: () => spec('invalid_grant', 700082, `The refresh token has expired due to inactivity or is not valid.`),
  /** As a token error it carries suberror consent_required, which makes msal raise InteractionRequiredAuthError. */
  consentRequired: (clientId: string, error: 'invalid_grant' | 'consent_required') =>
    spec(
      error,
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${APP_NAME}'. ` +
        `Send an interactive authorization request for this user and resource.`,
      { suberror: error === 'invalid_grant' ? 'consent_required' : undefined },
    ),
  invalidScope: (scope: string, reason: string) =>
    spec('invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' is not valid. ${reason}`.trim()),
  multipleResources: (scope: string) =>
    spec(
      'invalid_scope',
      28000,
      `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  resourceNotFound: (resource: string, tenantName: string) =>
    spec(
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application ` +
        `has not been installed by the administrator of the tenant or consented to by any user in the tenant. ` +
        `You might have sent your authentication request to the wrong tenant.`,
    ),
  redirectUriMismatch: (uri: string, clientId: string) =>
    spec(
      'invalid_request',
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. ` +
        `Make sure the redirect URI sent in the request matches one added to your application registration.`,
    ),
  unsupportedResponseType: (responseType: string) =>
    spec(
      'unsupported_response_type',
      700054,
      `response_type '${responseType}' is not enabled for the application. The emulator supports the authorization code flow ('code') only.`,
    ),
  loginRequired: () =>
    spec(
      'login_required',
      50058,
      `A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request or the session has ended.`,
    ),
  /** The user pressed Cancel on the sign-in or consent page. */
  userCanceled: () =>
    spec('access_denied', 65004, `User declined to consent to access the app.`, { subcode: 'cancel' }),
  adminDeclined: () => spec('consent_required', 65004, `User declined to consent to access the app.`),
  adminDeclinedLegacy: (): AadError => new AadError({ error: 'permission_denied', text: 'The admin canceled the request', status: 400 }),
  notAdmin: (legacy: boolean) =>
    spec(
      legacy ? 'permission_denied' : 'consent_required',
      90094,
      `The grant requires admin permission. Only a global administrator of the tenant can grant consent for the whole organization.`,
    ),
  unknownTransaction: () =>
    spec('invalid_request', 9002313, `Invalid request. Request is malformed or invalid. - The reason: the sign-in request is unknown or has expired. Start again from the application.`),
  unknownUser: (upn: string) => spec('invalid_request', 50034, `The user account ${upn} does not exist in this directory.`),
  serverError: () => spec('server_error', 50000, `There was an error issuing a token or an issue with our sign-in service.`, { status: 500 }),
  temporarilyUnavailable: (status: 429 | 503) =>
    spec('temporarily_unavailable', 90033, `A transient error has occurred. Please try again.`, { status }),
} as const;
