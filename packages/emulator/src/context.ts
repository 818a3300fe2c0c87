import type { Clock } from './clock';
import type { Directory } from './directory';
import type { FaultRegistry } from './faults';
import type { SigningKeys } from './keys';
import type { RequestLog } from './requestLog';
import type { AccessTokenLedger } from './tokenLedger';

export interface EmulatorUrls {
  /** HTTPS origin serving discovery, keys and token (the msal authority host), e.g. https://localhost:4443 */
  authorityHost: string;
  /** Plain-HTTP origin serving the browser pages (authorize, sign-in, consent, logout), e.g. http://localhost:4080 */
  browserBase: string;
  /** Base URL of the emulated Defender API (append /api/incidents), e.g. https://localhost:4443/defender */
  defenderBase: string;
  /** Origin of the emulated Microsoft Graph (append /v1.0/security/incidents), e.g. https://localhost:4443 */
  graphBase: string;
}

/**
 * The order both incident APIs list in. Microsoft documents none for Graph, and for the Defender API only
 * "most recent at the top", so the default is a seeded shuffle that no client can mistake for a sort:
 * - `shuffled`: a fixed permutation from the seed (stable across requests and changes; new incidents land anywhere),
 * - `lastUpdated`: newest update first, then the higher id (a change moves an incident to the top),
 * - `created`: newest created first, then the higher id.
 */
export const LIST_ORDERS = ['shuffled', 'lastUpdated', 'created'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

/** Page size of each surface when `pageSize` is not set: Graph 50 (its `$top` limit), Defender 100 (its maximum page). */
export const DEFAULT_PAGE_SIZE = { graph: 50, defender: 100 } as const;
export const MAX_PAGE_SIZE = 100;

/** How the incident APIs list: read live, the control face changes it. */
export interface ListingSettings {
  order: ListOrder;
  /** The server's page size when `$top` is absent and its largest page when `$top` is larger; null = each surface's default. */
  pageSize: number | null;
}

export interface EmulatorOptions {
  /** HTTPS port for the back channel and the Defender API; 0 picks a free one. */
  httpsPort?: number;
  /** HTTP port for the browser-facing pages; 0 picks a free one. */
  httpPort?: number;
  clientSecret?: string;
  /** Redirect URIs registered for ThreatDesk; default: those of http://localhost:3000. */
  redirectUris?: string[];
  /** Access-token lifetime in seconds (default 3600). msal-node treats tokens as expired 300 s early. */
  accessTokenLifetimeSec?: number;
  /** Refresh-token lifetime in seconds (default 90 days). */
  refreshTokenLifetimeSec?: number;
  /** Number of incidents generated per tenant (default 300, or EMULATOR_INCIDENTS). */
  incidents?: number;
  /** PRNG seed of the data generator. */
  seed?: number;
  /** Per-minute quotas per tenant and app (service-facts §1.11). */
  quotas?: Partial<Quotas>;
  /**
   * Where the emulator clock starts (default: real time). The generated data covers the 90 days before
   * it, and the clock runs on from it in real time.
   */
  now?: Date;
  /** The order both incident APIs list in (default `shuffled`). */
  listOrder?: ListOrder;
  /**
   * The server's page size (1–100) when `$top` is absent, and the largest page it returns when `$top` is
   * larger (Graph then pages with @odata.nextLink). Default: Graph 50, Defender 100.
   */
  pageSize?: number;
}

/**
 * Per-minute quotas: the Defender API's per operation, Graph's for every call (per tenant and app),
 * and Graph's advanced hunting queries besides (per tenant: "at least 45 calls per minute").
 */
export interface Quotas {
  list: number;
  get: number;
  update: number;
  graph: number;
  hunting: number;
}

export const DEFAULT_QUOTAS: Quotas = { list: 50, get: 100, update: 50, graph: 150, hunting: 45 };

export type ApiName = 'graph' | 'defender';

/** One request to an incidents API (Defender or Graph) as the emulator saw it. */
export interface ApiRequest {
  /** Which surface it reached. */
  api: ApiName;
  method: string;
  /** The path under the surface's base: `/api/incidents…` (Defender), `/v1.0/security/incidents…` (Graph). */
  path: string;
  query: Record<string, string>;
  /** The caller, when the token was valid. */
  upn?: string;
  /** The `Prefer` header, when sent. */
  prefer?: string;
  status: number;
}

/** @deprecated the log holds both surfaces now; use ApiRequest. */
export type DefenderRequest = ApiRequest;

/** Counters tests read to prove what reached the emulator. */
export interface EmulatorStats {
  /** Token requests per grant type that got past fault injection. */
  grants: { authorization_code: number; refresh_token: number };
  /** Every request to the incidents APIs, both surfaces (the most recent ones). */
  apiRequests: RequestLog;
}

export interface EmulatorContext {
  options: Required<Omit<EmulatorOptions, 'quotas' | 'now' | 'listOrder' | 'pageSize'>> & {
    /** Read live: the control face may change them. */
    quotas: Quotas;
    /** Read live: the control face may change them. */
    listing: ListingSettings;
    /** The instant the generated data is relative to: where the clock started. */
    now: Date;
  };
  urls: EmulatorUrls;
  /** The one clock every part reads. */
  clock: Clock;
  directory: Directory;
  keys: SigningKeys;
  faults: FaultRegistry;
  stats: EmulatorStats;
  /** Issue times of access tokens; the Defender API refuses those issued before the last "expire all". */
  accessTokens: AccessTokenLedger;
}
