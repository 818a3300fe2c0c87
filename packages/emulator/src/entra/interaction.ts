import express, { type Request, type Response } from 'express';
import { THREATDESK_APP_NAME, type User } from '../directory';
import { Errors, newTrace, type Trace } from './errors';
import type { BrowserSession, PendingAdminConsent, PendingAuthorize, PendingRequest } from './grants';
import { consentPage, sendPage, signInPage, type ConsentPageInput } from './pages';
import { Params } from './params';
import { showError } from './respond';
import { userInTenant, type EntraRuntime, type TenantRef } from './runtime';
import { readSessionId, setSessionCookie } from './sso';

/**
 * The sign-in and consent pages shared by /authorize and admin consent. A started request is stored
 * server-side under a random id carried in a hidden `txn` field; the pages post back here and the
 * owning flow decides what follows.
 */
export interface Flow<P extends PendingRequest> {
  /** The user is known (SSO or just picked): go on to consent, or finish. */
  proceed(res: Response, pending: P, user: User, session: BrowserSession, trace: Trace): void;
  /** The consent page was answered. */
  consent(res: Response, pending: P, user: User, accepted: boolean, trace: Trace): void;
  /** Cancel on the sign-in page. */
  cancel(res: Response, pending: P, trace: Trace): void;
}

export interface Flows {
  authorize: Flow<PendingAuthorize>;
  adminconsent: Flow<PendingAdminConsent>;
}

/** The browser's SSO session, if it belongs to a user who may sign in through `tenant`. */
export function currentSession(rt: EntraRuntime, req: Request, tenant: TenantRef): { session: BrowserSession; user: User } | undefined {
  const session = rt.sessions.get(readSessionId(req));
  const user = session ? rt.ctx.directory.userByOid(session.oid) : undefined;
  if (!session || !user || !userInTenant(user, tenant)) return undefined;
  return { session, user };
}

export const loginPath = (pending: PendingRequest) => `/${encodeURIComponent(pending.tenantSegment)}/login`;
export const consentPath = (pending: PendingRequest) => `/${encodeURIComponent(pending.tenantSegment)}/consent`;

export interface SignInOptions {
  heading: string;
  subtitle: string;
  hint?: string;
  signedInUpn?: string;
  notice?: string;
}

/** The account picker: the tenant's users (every tenant's for `organizations`) as buttons. */
export function showSignIn(rt: EntraRuntime, res: Response, pending: PendingRequest, options: SignInOptions): void {
  const { directory } = rt.ctx;
  const users = directory.usersFor(pending.tenant);
  const hint = options.hint?.toLowerCase();
  const notice =
    options.notice ??
    (hint && !users.some((u) => u.upn === hint) ? `We couldn't find an account named ${options.hint}. Pick one of the accounts below.` : undefined);
  const tenantNames = new Map([...directory.tenants.values()].map((t) => [t.id, t.displayName]));
  sendPage(
    res,
    200,
    signInPage({
      action: loginPath(pending),
      txn: pending.id,
      heading: options.heading,
      subtitle: options.subtitle,
      users,
      tenantNames,
      hint,
      signedInUpn: options.signedInUpn,
      notice,
    }),
  );
}

/** The consent page, for the user alone or (admin) for their whole organization. */
export function showConsent(
  rt: EntraRuntime,
  res: Response,
  pending: PendingRequest,
  user: User,
  admin: boolean,
  permissions: ConsentPageInput['permissions'],
): void {
  pending.awaitingConsent = true;
  sendPage(
    res,
    200,
    consentPage({
      action: consentPath(pending),
      txn: pending.id,
      admin,
      user,
      appName: THREATDESK_APP_NAME,
      tenantName: rt.ctx.directory.tenants.get(user.tenantId)?.displayName ?? user.tenantId,
      permissions,
    }),
  );
}

function proceed(flows: Flows, res: Response, pending: PendingRequest, user: User, session: BrowserSession, trace: Trace): void {
  if (pending.kind === 'authorize') flows.authorize.proceed(res, pending, user, session, trace);
  else flows.adminconsent.proceed(res, pending, user, session, trace);
}

export function interactionRoutes(rt: EntraRuntime, router: express.Router, flows: Flows): void {
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  router.post('/:tenant/login', form, (req, res) => {
    const trace = newTrace(rt.clock.now());
    const params = Params.fromBody(req.body);
    const pending = rt.pending.get(params.get('txn'));
    if (!pending) return showError(res, Errors.unknownTransaction(), trace);
    if (params.get('action') === 'cancel') {
      rt.pending.finish(pending.id);
      if (pending.kind === 'authorize') flows.authorize.cancel(res, pending, trace);
      else flows.adminconsent.cancel(res, pending, trace);
      return;
    }
    const upn = params.get('upn') ?? '';
    const user = rt.ctx.directory.findUser(upn);
    if (!user || !userInTenant(user, pending.tenant)) return showError(res, Errors.unknownUser(upn), trace);
    // Signing in replaces whatever session the browser had (Entra would add an account to the picker).
    rt.sessions.end(readSessionId(req));
    const { id, session } = rt.sessions.create(user.oid);
    setSessionCookie(res, id);
    pending.awaitingConsent = false;
    proceed(flows, res, pending, user, session, trace);
  });

  router.post('/:tenant/consent', form, (req, res) => {
    const trace = newTrace(rt.clock.now());
    const params = Params.fromBody(req.body);
    const pending = rt.pending.get(params.get('txn'));
    const user = pending?.oid ? rt.ctx.directory.userByOid(pending.oid) : undefined;
    if (!pending || !pending.awaitingConsent || !user) return showError(res, Errors.unknownTransaction(), trace);
    const action = params.get('action');
    if (action !== 'accept' && action !== 'cancel') return showError(res, Errors.malformed(`unknown action '${action ?? ''}'.`), trace);
    pending.awaitingConsent = false;
    if (pending.kind === 'authorize') flows.authorize.consent(res, pending, user, action === 'accept', trace);
    else flows.adminconsent.consent(res, pending, user, action === 'accept', trace);
  });
}
