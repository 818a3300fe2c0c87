import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Config } from '../../config/config';
import { aadstsCode, ConsentError } from '../../auth/errors';
import { DEFENDER_RESOURCE, PERMISSIONS } from '../../auth/scopes';
import { addPending, saveSession, takePending } from '../../auth/session';
import { noStore } from '../security';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

/** What each delegated permission is for, as the consent page and the token page explain it. */
export const PERMISSION_USES: { name: string; neededBy: string; why: string }[] = [
  { name: PERMISSIONS.read, neededBy: 'Incident queue, incident pages, CSV export, token check', why: 'Read incidents, alerts, devices and entities the analyst may see in Defender.' },
  { name: PERMISSIONS.write, neededBy: 'Manage actions: assign, status, classification, tags, comments', why: 'Update incidents; requested only when an analyst first uses a manage action.' },
  { name: PERMISSIONS.hunting, neededBy: 'Not used by any page yet (reserved for advanced hunting)', why: 'Run advanced hunting queries; granted with .default so a later hunting page needs no new consent.' },
];

/** A tenant id, a verified domain, or organizations; `common` is refused by the admin consent endpoint. */
export function validTenant(value: unknown): value is string {
  return typeof value === 'string' && (GUID.test(value) || DOMAIN.test(value) || value === 'organizations');
}

function consentLink(config: Config, authorizeOrigin: string, tenant: string, state: string): string {
  const url = new URL(`${authorizeOrigin}/${encodeURIComponent(tenant)}/v2.0/adminconsent`);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('scope', `${DEFENDER_RESOURCE}/.default`);
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
    const tenant = otherTenant !== undefined && !invalidTenant ? (otherTenant as string) : config.tenant;
    const state = randomBytes(32).toString('base64url');
    req.session.pendingConsents = addPending(req.session.pendingConsents, state, { tenant, createdAt: Date.now() });
    await saveSession(req);
    res.status(invalidTenant ? 400 : 200).render('admin-consent', {
      title: 'Admin consent',
      config,
      tenant,
      invalidTenant,
      requestedTenant: typeof otherTenant === 'string' ? otherTenant : '',
      link: consentLink(config, authorizeOrigin, tenant, state),
      permissions: PERMISSION_USES,
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
      .map((s) => (s.startsWith(`${DEFENDER_RESOURCE}/`) ? s.slice(DEFENDER_RESOURCE.length + 1) : s));
    res.render('admin-consent-granted', { title: 'Consent granted', tenant, granted });
  });

  return router;
}
