import express, { type Request, type Response } from 'express';
import { AadError, newTrace, tokenErrorBody } from './errors';
import { sendJsonFault } from './faultResponses';
import { resolveTenant, type EntraRuntime, type TenantRef } from './runtime';

/**
 * The v2.0 discovery document (service-facts §2.1). msal-node reads `authorization_endpoint`,
 * `token_endpoint`, `issuer`, `jwks_uri` and `end_session_endpoint`; the issuer shares the authority's
 * scheme and host, which is what msal's validateIssuer accepts for a host listed in knownAuthorities.
 *
 * The browser endpoints point at the plain-HTTP listener: msal uses them as given (only the authority
 * itself must be https), so pages open in a browser without a certificate warning.
 *
 * Honest rather than copied where the emulator serves less than Entra: only the `code` response type,
 * `query`/`form_post` modes and secret-based client authentication are advertised; `userinfo_endpoint`,
 * `rbac_url`, `device_authorization_endpoint` and `kerberos_endpoint` are left out because nothing here
 * serves them; there is no front-channel logout notification.
 */
export function discoveryDocument(rt: EntraRuntime, tenant: TenantRef): Record<string, unknown> {
  const { authorityHost, browserBase } = rt.ctx.urls;
  // Tenant documents carry the tenant GUID in their endpoints; `organizations` keeps its name and a
  // literal `{tenantid}` in the issuer, which msal replaces with the authority's tenant segment.
  const segment = tenant === 'organizations' ? 'organizations' : tenant.id;
  const issuerTenant = tenant === 'organizations' ? '{tenantid}' : tenant.id;
  return {
    token_endpoint: `${authorityHost}/${segment}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${authorityHost}/${segment}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${authorityHost}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${browserBase}/${segment}/oauth2/v2.0/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: false,
    end_session_endpoint: `${browserBase}/${segment}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    tenant_region_scope: tenant === 'organizations' ? null : 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

function sendTenantError(res: Response, err: unknown, trace: ReturnType<typeof newTrace>): void {
  if (!(err instanceof AadError)) throw err;
  res.status(err.spec.status).set('Cache-Control', 'no-store').json(tokenErrorBody(err.spec, trace));
}

export function discoveryRoutes(rt: EntraRuntime, router: express.Router): void {
  router.get('/:tenant/v2.0/.well-known/openid-configuration', async (req: Request<{ tenant: string }>, res) => {
    const trace = newTrace(rt.clock.now());
    const fault = rt.ctx.faults.take('discovery');
    const sample = () => {
      const tenant = rt.ctx.directory.resolveTenant(req.params.tenant) ?? 'organizations';
      return JSON.stringify(discoveryDocument(rt, tenant));
    };
    if (await sendJsonFault(res, fault, trace, rt.ctx.directory.clientId, sample)) return;
    try {
      const tenant = resolveTenant(rt, req.params.tenant);
      res.set('Cache-Control', 'max-age=86400, private').json(discoveryDocument(rt, tenant));
    } catch (err) {
      sendTenantError(res, err, trace);
    }
  });

  router.get('/:tenant/discovery/v2.0/keys', (req: Request<{ tenant: string }>, res) => {
    try {
      resolveTenant(rt, req.params.tenant);
      res.set('Cache-Control', 'max-age=86400, private').json(rt.ctx.keys.jwks());
    } catch (err) {
      sendTenantError(res, err, newTrace(rt.clock.now()));
    }
  });
}
