import express, { type Request, type Response } from 'express';
import { THREATDESK_APP_NAME } from '../directory';
import { AadError, Errors, newTrace, type Trace } from './errors';
import type { PendingAdminConsent } from './grants';
import { currentSession, showConsent, showSignIn, type Flow } from './interaction';
import { Params } from './params';
import { deliver, deliverError, showError, type ClientTarget } from './respond';
import { checkClientRequest, tenantName, type EntraRuntime, type TenantRef } from './runtime';
import { ALL_CONFIGURED, consentItem, parseScopes, requestedPermissions } from './scopes';

/*
 * Admin consent (service-facts §2.11): GET /{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state
 * and the legacy GET /{tenant}/adminconsent?client_id&redirect_uri&state (all configured permissions).
 *
 * `organizations` means "the tenant of whoever signs in"; `common` is refused on the error page.
 * An SSO session is honoured only when its user is an administrator of the tenant; otherwise the picker
 * shows (with a notice), so an administrator can still take over in a browser where an analyst is signed in.
 * A non-administrator who signs in gets the error form: `consent_required` with AADSTS90094 (v2) or
 * `permission_denied` (legacy). A decline gets `consent_required` + AADSTS65004 (v2) or
 * `permission_denied` + "The admin canceled the request" (legacy). v2 error redirects carry
 * `admin_consent=True`, as the documented failure callback does.
 */

const ADMIN_PARAMS = ['client_id', 'redirect_uri', 'scope', 'state'] as const;

const targetOf = (p: PendingAdminConsent): ClientTarget => ({ redirectUri: p.redirectUri, responseMode: 'query', state: p.state });

export function adminConsentFlow(rt: EntraRuntime): Flow<PendingAdminConsent> {
  const { directory } = rt.ctx;

  const fail = (res: Response, pending: PendingAdminConsent, err: AadError, trace: Trace): void => {
    rt.pending.finish(pending.id);
    deliverError(res, targetOf(pending), err, trace, pending.legacy ? {} : { admin_consent: 'True' });
  };
  const decline = (res: Response, pending: PendingAdminConsent, trace: Trace): void =>
    fail(res, pending, pending.legacy ? Errors.adminDeclinedLegacy() : Errors.adminDeclined(), trace);

  return {
    proceed(res, pending, user, session, trace) {
      if (!user.isGlobalAdmin) return fail(res, pending, Errors.notAdmin(pending.legacy), trace);
      pending.oid = user.oid;
      pending.session = session;
      showConsent(rt, res, pending, user, true, pending.permissions.map(consentItem));
    },
    consent(res, pending, user, accepted, trace) {
      if (!accepted) return decline(res, pending, trace);
      if (!user.isGlobalAdmin) return fail(res, pending, Errors.notAdmin(pending.legacy), trace);
      directory.grantAdminConsent(user.tenantId, pending.permissions);
      rt.pending.finish(pending.id);
      const params: Record<string, string> = pending.legacy
        ? { tenant: user.tenantId, admin_consent: 'True' }
        : { admin_consent: 'True', tenant: user.tenantId, scope: pending.permissions.join(' ') };
      deliver(res, targetOf(pending), params);
    },
    cancel(res, pending, trace) {
      decline(res, pending, trace);
    },
  };
}

export function adminConsentRoutes(rt: EntraRuntime, router: express.Router, flow: Flow<PendingAdminConsent>): void {

  const handle = (legacy: boolean) => (req: Request<{ tenant: string }>, res: Response) => {
    const params = Params.fromUrl(req.originalUrl);
    const trace = newTrace(rt.clock.now());
    let tenant: TenantRef;
    let redirectUri: string;
    try {
      if (req.params.tenant.toLowerCase() === 'common') throw Errors.commonNotAllowed('Admin consent');
      ({ tenant, redirectUri } = checkClientRequest(rt, req.params.tenant, params, ADMIN_PARAMS));
    } catch (err) {
      if (!(err instanceof AadError)) throw err;
      return showError(res, err, trace);
    }

    const state = params.get('state');
    let permissions = [...ALL_CONFIGURED];
    if (!legacy) {
      try {
        const raw = params.get('scope');
        if (!raw?.trim()) throw Errors.missingParameter('scope');
        // OIDC scopes are allowed alongside and simply not part of the grant.
        permissions = requestedPermissions(parseScopes(raw, tenantName(tenant)));
        if (!permissions.length) throw Errors.invalidScope(raw, `Admin consent needs at least one permission of a resource.`);
      } catch (err) {
        if (!(err instanceof AadError)) throw err;
        return deliverError(res, { redirectUri, responseMode: 'query', state }, err, trace, { admin_consent: 'True' });
      }
    }

    const pending = rt.pending.add<PendingAdminConsent>({
      kind: 'adminconsent',
      tenantSegment: req.params.tenant,
      tenant,
      redirectUri,
      state,
      legacy,
      permissions,
    });
    const current = currentSession(rt, req, tenant);
    if (current?.user.isGlobalAdmin) return flow.proceed(res, pending, current.user, current.session, trace);
    showSignIn(rt, res, pending, {
      heading: current ? 'Pick an account' : 'Sign in',
      subtitle: `An administrator must sign in to grant ${THREATDESK_APP_NAME} access for the organization.`,
      signedInUpn: current?.user.upn,
      notice: current ? `You're signed in as ${current.user.upn}, who is not an administrator. Pick an administrator account.` : undefined,
    });
  };

  router.get('/:tenant/v2.0/adminconsent', handle(false));
  router.get('/:tenant/adminconsent', handle(true));
}
