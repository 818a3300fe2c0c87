import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Config } from '../../config/config';
import { aadstsCode, ConsentError } from '../../auth/errors';
import { API_PERMISSIONS, defaultScopeFor, permissionName } from '../../auth/scopes';
import { t } from '../../i18n/i18n';
import { audit } from '../../logging/audit';
import { noStore } from '../security';
import { TransientCookie } from '../transientCookie';

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
    name: api === 'graph' ? 'Microsoft Graph' : t('admin:consent.threatProtection'),
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

/** One consent link this browser was given: which state (hashed), for which tenant. */
interface ConsentLink {
  /** SHA-256 of the link's state, base64url: the cookie never carries the state itself. */
  s: string;
  /** The tenant the link was made for: a tenant id, a domain, or organizations. */
  t: string;
  /** When it was made (epoch ms); links older than 10 minutes are dropped. */
  c: number;
}

const CONSENT_TTL_MS = 10 * 60_000;
/** Links kept per browser: a few tabs, each with one or two links. */
const MAX_CONSENT_LINKS = 6;
const hashState = (state: string) => createHash('sha256').update(state).digest('base64url');
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The admin consent page (reachable without sign-in) and its callback. Visitors get no server-side
 * session: each link's state is bound to this browser by a short-lived, signed, HttpOnly cookie
 * (as express-openid-connect binds a sign-in's), so a callback forged or replayed from elsewhere is
 * refused, and anonymous visitors cost the store nothing. The callback also checks that the tenant
 * Microsoft names is the one the link was made for.
 */
export function adminRouter(config: Config, authorizeOrigin: string): express.Router {
  const router = express.Router();
  router.use('/admin', noStore);
  const links = new TransientCookie<ConsentLink[]>(config.secureCookies ? '__Host-threatdesk-consent' : 'threatdesk.consent', config.sessionSecrets, {
    secure: config.secureCookies,
    maxAgeMs: CONSENT_TTL_MS,
  });
  const liveLinks = (req: Request, now: number) => (links.read(req, now) ?? []).filter((l) => now - l.c < CONSENT_TTL_MS);

  router.get('/admin/consent', (req: Request, res: Response) => {
    const requested = req.query.tenant;
    const otherTenant = requested === undefined || requested === '' ? undefined : requested;
    const invalidTenant = otherTenant !== undefined && !validTenant(otherTenant);
    const tenant = otherTenant !== undefined && validTenant(otherTenant) ? otherTenant : config.tenant;
    const now = Date.now();
    const made: ConsentLink[] = [];
    const apis = consentedApis(config).map((a) => {
      const state = randomBytes(32).toString('base64url');
      made.push({ s: hashState(state), t: tenant, c: now });
      return { ...a, link: consentLink(config, authorizeOrigin, tenant, state, defaultScopeFor(a.api)) };
    });
    links.write(res, [...liveLinks(req, now), ...made].slice(-MAX_CONSENT_LINKS), now);
    res.status(invalidTenant ? 400 : 200).render('admin-consent', {
      title: t('admin:consent.title'),
      config,
      tenant,
      invalidTenant,
      requestedTenant: typeof otherTenant === 'string' ? otherTenant : '',
      apis,
      redirectUris: [config.redirectUri, config.adminConsentRedirectUri, config.postLogoutRedirectUri],
      frontChannelLogoutUrl: `${config.baseUrl.origin}/auth/frontchannel-logout`,
    });
  });

  router.get('/admin/consent/callback', (req: Request, res: Response) => {
    const q = req.query;
    const state = str(q.state);
    const now = Date.now();
    const held = liveLinks(req, now);
    const link = state === undefined ? undefined : held.find((l) => l.s === hashState(state));
    const refuse = (err: ConsentError, details: Record<string, unknown> = {}) => {
      audit(req, 'consent.refused', { reason: err.failure, error: err.details.error?.slice(0, 64), aadsts: err.details.aadsts, linkTenant: link?.t, ...details });
      return err;
    };
    if (!link) throw refuse(new ConsentError('unconfirmed'));
    // Single use: the link's entry leaves the cookie, so a replayed callback is refused.
    const rest = held.filter((l) => l !== link);
    if (rest.length) links.write(res, rest, now);
    else links.clear(res);
    const error = str(q.error);
    if (error) throw refuse(new ConsentError('refused', { error, aadsts: aadstsCode(str(q.error_description)) }));
    const tenant = str(q.tenant);
    if (str(q.admin_consent)?.toLowerCase() !== 'true' || !tenant || !GUID.test(tenant)) throw refuse(new ConsentError('unexpected'));
    // A link made for one tenant id must come back from that tenant; one made for organizations or a
    // domain says which tenant actually consented.
    if (GUID.test(link.t) && link.t.toLowerCase() !== tenant.toLowerCase()) {
      throw refuse(new ConsentError('tenant-mismatch', { requestedTenant: link.t, returnedTenant: tenant }), { returnedTenant: tenant });
    }
    const granted = (str(q.scope) ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map(permissionName);
    audit(req, 'consent.granted', { tenant, linkTenant: link.t, permissions: granted });
    res.render('admin-consent-granted', { title: t('admin:granted.title'), tenant, linkTenant: GUID.test(link.t) ? undefined : link.t, granted });
  });

  return router;
}
