import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { resolveAuthority, type AuthorityInfo } from './auth/authority';
import { MsalClientFactory } from './auth/msalClient';
import { MsalNetworkClient } from './auth/msalNetwork';
import { TokenCacheStore } from './auth/tokenCacheStore';
import { TokenService } from './auth/tokenService';
import type { QuotaGovernor } from './budget/governor';
import { MemoryGovernor } from './budget/memoryGovernor';
import { policyFor } from './budget/policy';
import { RedisGovernor } from './budget/redisGovernor';
import type { Config } from './config/config';
import { createUpstreamAgent } from './http/upstream';
import { IncidentAccess } from './incidents/access';
import { DefenderSource } from './incidents/sources/defender';
import { GraphSource } from './incidents/sources/graph';
import { ApiHttp } from './incidents/sources/http';
import type { IncidentSource } from './incidents/sources/source';
import { IncidentIndex } from './index/incidentIndex';
import { createLogger, describeError } from './logging/logger';
import { MemoryStore } from './store/memoryStore';
import { RedisStore } from './store/redisStore';
import type { KeyValueStore } from './store/store';
import { IndexSync } from './sync/indexSync';
import { JobRunner } from './jobs/jobRunner';
import type { JobStore } from './jobs/jobStore';
import type { SettingsStore } from './settings/settingsStore';
import type { ShiftNotes } from './handover/shiftNotes';
import { Hunter } from './hunting/hunter';
import type { SavedQueries } from './hunting/savedQueries';

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
  /** The tenant's API budget, shared by every instance when the store is. */
  governor: QuotaGovernor;
  /** Each analyst's incident index and the syncs that keep it fresh. */
  sync: IndexSync;
  /** Bulk jobs (in the index's database) and what runs them. */
  jobs: JobStore;
  runner: JobRunner;
  /** Analysts' queue settings (saved views, default columns), in the index's database. */
  settings: SettingsStore;
  /** Shift notes, per tenant, in the index's database. */
  notes: ShiftNotes;
  /** Advanced hunting as the analyst, and their saved queries (in the index's database). */
  hunter: Hunter;
  huntingQueries: SavedQueries;
  /** Set when shutdown begins, so /readyz takes the instance out of rotation first. */
  state: { shuttingDown: boolean };
  close(): Promise<void>;
}

/** Idle analysts' indexes are looked for this often. */
const PURGE_EVERY_MS = 3_600_000;

export async function createServices(config: Config, parts: { logger?: Logger; store?: KeyValueStore; now?: () => number } = {}): Promise<Services> {
  const logger = parts.logger ?? createLogger(config.logLevel);
  const store = parts.store ?? (await createStore(config, logger));
  const agent = createUpstreamAgent(config.extraCaPem, config.apiTimeoutMs);
  const network = new MsalNetworkClient(agent, config.msalTimeoutMs);
  const authority = await resolveAuthority(config, network);
  const clients = new MsalClientFactory(config, network, authority, logger);
  // Without configured keys (embedded store only) tokens are still sealed, with a key that dies with the process.
  const tokenCache = new TokenCacheStore(store, config.tokenCacheKeys ?? [randomBytes(32)]);
  const tokens = new TokenService(clients, tokenCache, store, logger, config.clientId);
  const policy = (backend: Parameters<typeof policyFor>[0]) => policyFor(backend, config.quota);
  const send = store.sendCommand?.bind(store);
  const governor: QuotaGovernor = send ? new RedisGovernor(send, store.keyPrefix ?? '', policy) : new MemoryGovernor(policy);
  const incidents = new IncidentAccess(tokens, incidentSource(config, agent, logger), governor);
  const hunter = new Hunter(
    incidents,
    governor,
    config.securityApi === 'graph' ? new ApiHttp('graph', config.graphApiBase, agent, config.apiTimeoutMs, logger) : undefined,
    config.huntingTimeoutMs,
  );
  const index = await IncidentIndex.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema, cacheRows: config.indexCacheRows });
  const sync = new IndexSync(index, incidents, logger, { intervalMs: config.syncIntervalMs, reconcileMs: config.reconcileMs, now: parts.now });
  const runner = new JobRunner(index.jobs, incidents, sync, logger, config.resolveRequires);
  runner.start();
  const purge = setInterval(() => {
    index.purgeIdle(config.indexIdleDays).then(
      (n) => n > 0 && logger.info({ purged: n }, 'purged the indexes of analysts not seen for INDEX_IDLE_DAYS'),
      (err: unknown) => logger.warn({ err: describeError(err) }, 'purging idle indexes failed'),
    );
  }, PURGE_EVERY_MS).unref();
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
    governor,
    sync,
    jobs: index.jobs,
    runner,
    settings: index.settings,
    notes: index.notes,
    hunter,
    huntingQueries: index.huntingQueries,
    state: { shuttingDown: false },
    async close() {
      clearInterval(purge);
      // A job stops after the incident it is on; another instance (or the next start) resumes it.
      await runner.stop();
      // Syncs in flight finish their page (each is a transaction) before the database closes.
      sync.stop();
      await sync.idle();
      await index.close();
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
