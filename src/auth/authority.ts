import type { INetworkModule } from '@azure/msal-node';
import { MICROSOFT_AUTHORITY_HOST, type Config } from '../config/config';

export interface AuthorityInfo {
  /** The discovery document as msal's `authorityMetadata` string, so each per-request client starts without network calls. */
  authorityMetadata?: string;
  knownAuthorities?: string[];
  endSessionEndpoint: string;
  /** Origin of the browser-facing authorize and admin-consent endpoints. */
  authorizeOrigin: string;
  /** Origins the browser is sent to (sign-in, sign-out); allowed as CSP form-action targets. */
  browserOrigins: string[];
  /** The id_token issuer, with `{tenantid}` where the tenant's id goes (multi-tenant discovery documents say so). */
  issuerTemplate: string;
}

interface OpenIdConfiguration {
  authorization_endpoint?: string;
  token_endpoint?: string;
  issuer?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
}

/**
 * For the real Microsoft host msal has the endpoints built in, so nothing is fetched. For any other
 * authority host (the emulator) the discovery document is fetched once here.
 */
export async function resolveAuthority(config: Config, network: INetworkModule): Promise<AuthorityInfo> {
  if (config.authorityHost === MICROSOFT_AUTHORITY_HOST) {
    return {
      endSessionEndpoint: `${config.authority}oauth2/v2.0/logout`,
      authorizeOrigin: MICROSOFT_AUTHORITY_HOST,
      browserOrigins: [MICROSOFT_AUTHORITY_HOST],
      issuerTemplate: `${MICROSOFT_AUTHORITY_HOST}/{tenantid}/v2.0`,
    };
  }
  const url = `${config.authority}v2.0/.well-known/openid-configuration`;
  let doc: OpenIdConfiguration;
  try {
    const res = await network.sendGetRequestAsync<OpenIdConfiguration>(url);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    doc = res.body;
  } catch (err) {
    throw new Error(`Cannot read the identity provider's discovery document at ${url}: ${(err as Error).message}`, { cause: err });
  }
  const missing = (['authorization_endpoint', 'token_endpoint', 'issuer', 'jwks_uri', 'end_session_endpoint'] as const).filter((k) => !doc[k]);
  if (missing.length) throw new Error(`The discovery document at ${url} lacks ${missing.join(', ')}`);
  return {
    authorityMetadata: JSON.stringify(doc),
    knownAuthorities: [new URL(config.authorityHost).host],
    endSessionEndpoint: doc.end_session_endpoint as string,
    authorizeOrigin: new URL(doc.authorization_endpoint as string).origin,
    browserOrigins: [...new Set([new URL(doc.authorization_endpoint as string).origin, new URL(doc.end_session_endpoint as string).origin])],
    issuerTemplate: doc.issuer as string,
  };
}
