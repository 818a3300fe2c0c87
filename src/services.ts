import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { resolveAuthority, type AuthorityInfo } from './auth/authority';
import { MsalClientFactory } from './auth/msalClient';
import { MsalNetworkClient } from './auth/msalNetwork';
import { TokenCacheStore } from './auth/tokenCacheStore';
import { TokenService } from './auth/tokenService';
import type { Config } from './config/config';
import { createUpstreamAgent } from './http/upstream';
import { IncidentAccess } from './incidents/access';
import { DefenderSource } from './incidents/sources/defender';
import { GraphSource } from './incidents/sources/graph';
import { ApiHttp } from './incidents/sources/http';
import type { IncidentSource } from './incidents/sources/source';
import { createLogger } from './logging/logger';
import { MemoryStore } from './store/memoryStore';
import { RedisStore } from './store/redisStore';
import type { KeyValueStore } from './store/store';

/** Everything the app is built from; tests build it against the emulator and swap parts. */
export interface Services {
  config: Config;
  logger: Logger;
  store: KeyValueStore;
  agent: Agent;
  authority: AuthorityInfo;
  clients: MsalClientFactory;
  tokens: TokenService;
  tokenCache: TokenCacheStore;
  incidents: IncidentAccess;
  /** Set when shutdown begins, so /readyz takes the instance out of rotation first. */
  state: { shuttingDown: boolean };
  close(): Promise<void>;
}

export async function createServices(config: Config, parts: { logger?: Logger; store?: KeyValueStore } = {}): Promise<Services> {
  const logger = parts.logger ?? createLogger(config.logLevel);
  const store = parts.store ?? (await createStore(config, logger));
  const agent = createUpstreamAgent(config.extraCaPem, config.apiTimeoutMs);
  const network = new MsalNetworkClient(agent, config.msalTimeoutMs);
  const authority = await resolveAuthority(config, network);
  const clients = new MsalClientFactory(config, network, authority, logger);
  // Without configured keys (embedded store only) tokens are still sealed, with a key that dies with the process.
  const tokenCache = new TokenCacheStore(store, config.tokenCacheKeys ?? [randomBytes(32)]);
  const tokens = new TokenService(clients, tokenCache, store, logger, config.clientId);
  const incidents = new IncidentAccess(tokens, incidentSource(config, agent, logger));
  if (config.securityApi === 'defender') {
    logger.warn('SECURITY_API=defender: the legacy Defender API stops working on 1 February 2027 (MC1220762); switch to graph before then');
  }
  return {
    config,
    logger,
    store,
    agent,
    authority,
    clients,
    tokens,
    tokenCache,
    incidents,
    state: { shuttingDown: false },
    async close() {
      await store.close();
      await agent.close();
    },
  };
}

function incidentSource(config: Config, agent: Agent, logger: Logger): IncidentSource {
  if (config.securityApi === 'defender') return new DefenderSource(new ApiHttp('defender', config.defenderApiBase, agent, config.apiTimeoutMs, logger));
  // Without it Graph hides awaitingAction and newer members behind unknownFutureValue.
  const prefer = { prefer: 'include-unknown-enum-members' };
  return new GraphSource(new ApiHttp('graph', config.graphApiBase, agent, config.apiTimeoutMs, logger, prefer));
}

async function createStore(config: Config, logger: Logger): Promise<KeyValueStore> {
  if (config.sessionStore === 'redis') {
    return RedisStore.connect(config.redisUrl as string, logger, {
      keyPrefix: config.redisKeyPrefix,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      lockTtlMs: config.lockTtlMs,
      lockWaitMs: config.lockWaitMs,
    });
  }
  return new MemoryStore({ preSignIn: { maxEntries: config.preSignInSessions } });
}
