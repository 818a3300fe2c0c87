import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Config } from '../../config/config';
import { aadstsCode, ConsentError } from '../../auth/errors';
import { API_PERMISSIONS, defaultScopeFor, permissionName } from '../../auth/scopes';
import { addPending, saveSession, takePending } from '../../auth/session';
import { noStore } from '../security';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

/**
 * The APIs a deployment needs consent for: Microsoft Graph always; the legacy Defender API only while
 * it is configured (one refresh token serves both, so consenting to both lets an installation move
 * to Graph without signing anyone out).
 */
export function consentedApis(config: Config) {
  const apis = config.securityApi === 'defender' ? (['graph', 'defender'] as const) : (['graph'] as const);
  return apis.map((api) => ({
    api,
    name: api === 'graph' ? 'Microsoft Graph' : 'Microsoft Threat Protection (legacy Defender API, stops working on 1 February 2027)',
    resource: API_PERMISSIONS[api].resource,
    permissions: API_PERMISSIONS[api].permissions,
  }));
}

/** A tenant id, a verified domain, or organizations; `common` is refused by the admin consent endpoint. */
export function validTenant(value: unknown): value is string {
  return typeof value === 'string' && (GUID.test(value) || DOMAIN.test(value) || value === 'organizations');
}

function consentLink(config: Config, authorizeOrigin: string, tenant: string, state: string, scope: string): string {
  const url = new URL(`${authorizeOrigin}/${encodeURIComponent(tenant)}/v2.0/adminconsent`);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('scope', scope);
  url.searchParams.set('redirect_uri', config.adminConsentRedirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}

/**
 * The admin consent page (reachable without sign-in) and its callback. The state in each link is bound
 * to this browser's session, so a callback forged or replayed from elsewhere is refused.
 */
export function adminRouter(config: Config, authorizeOrigin: string): express.Router {
  const router = express.Router();
  router.use('/admin', noStore);

  router.get('/admin/consent', async (req: Request, res: Response) => {
    const requested = req.query.tenant;
    const otherTenant = requested === undefined || requested === '' ? undefined : requested;
    const invalidTenant = otherTenant !== undefined && !validTenant(otherTenant);
    const tenant = otherTenant !== undefined && !invalidTenant ? (otherTenant) : config.tenant;
    const apis = consentedApis(config).map((a) => {
      const state = randomBytes(32).toString('base64url');
      req.session.pendingConsents = addPending(req.session.pendingConsents, state, { tenant, createdAt: Date.now() });
      return { ...a, link: consentLink(config, authorizeOrigin, tenant, state, defaultScopeFor(a.api)) };
    });
    await saveSession(req);
    res.status(invalidTenant ? 400 : 200).render('admin-consent', {
      title: 'Admin consent',
      config,
      tenant,
      invalidTenant,
      requestedTenant: typeof otherTenant === 'string' ? otherTenant : '',
      apis,
      redirectUris: [config.redirectUri, config.adminConsentRedirectUri, config.postLogoutRedirectUri],
      frontChannelLogoutUrl: `${config.baseUrl.origin}/auth/frontchannel-logout`,
    });
  });

  router.get('/admin/consent/callback', async (req: Request, res: Response) => {
    const q = req.query;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const pending = takePending(req.session.pendingConsents, q.state);
    if (pending) await saveSession(req);
    if (!pending) throw new ConsentError('unconfirmed');
    const error = str(q.error);
    if (error) throw new ConsentError('refused', { error, aadsts: aadstsCode(str(q.error_description)) });
    const tenant = str(q.tenant);
    if (str(q.admin_consent)?.toLowerCase() !== 'true' || !tenant || !GUID.test(tenant)) throw new ConsentError('unexpected');
    // `tenant` is only displayed: the Entra docs warn it is not proof of anything.
    const granted = (str(q.scope) ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map(permissionName);
    res.render('admin-consent-granted', { title: 'Consent granted', tenant, granted });
  });

  return router;
}
