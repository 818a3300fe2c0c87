import { ConfidentialClientApplication, LogLevel, type Configuration, type ICachePlugin, type INetworkModule } from '@azure/msal-node';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { AuthorityInfo } from './authority';
import type { IdTokenExpectations } from './idToken';

/**
 * Builds one ConfidentialClientApplication per use. Each instance sees only the cache partition it is
 * given, so one analyst's tokens can never surface in another's request (prior-art §1.5), and lookups
 * stay O(one user) instead of O(all users) (ux-and-security §4.5).
 */
export class MsalClientFactory {
  constructor(
    private readonly config: Config,
    private readonly network: INetworkModule,
    private readonly authority: AuthorityInfo,
    private readonly logger: Logger,
  ) {}

  /** What an id_token from this authority must say (checked after each code redemption). */
  get idTokenExpectations(): IdTokenExpectations {
    return { clientId: this.config.clientId, issuerTemplate: this.authority.issuerTemplate, tenant: this.config.tenant };
  }

  create(cachePlugin?: ICachePlugin): ConfidentialClientApplication {
    const { config, authority } = this;
    const credential =
      config.credential.kind === 'secret'
        ? { clientSecret: config.credential.secret }
        : { clientCertificate: { thumbprintSha256: config.credential.thumbprintSha256, privateKey: config.credential.privateKey } };
    const msalConfig: Configuration = {
      auth: {
        clientId: config.clientId,
        authority: config.authority,
        knownAuthorities: authority.knownAuthorities,
        authorityMetadata: authority.authorityMetadata,
        ...credential,
      },
      cache: cachePlugin ? { cachePlugin } : undefined,
      system: {
        networkClient: this.network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => {
            if (level <= LogLevel.Warning) this.logger.warn({ msal: message.slice(0, 500) }, 'msal');
          },
        },
      },
    };
    return new ConfidentialClientApplication(msalConfig);
  }
}
