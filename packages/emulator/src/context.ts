import type { Directory } from './directory';
import type { FaultRegistry } from './faults';
import type { SigningKeys } from './keys';
import type { AccessTokenLedger } from './tokenLedger';

export interface EmulatorUrls {
  /** HTTPS origin serving discovery, keys and token (the msal authority host), e.g. https://localhost:4443 */
  authorityHost: string;
  /** Plain-HTTP origin serving the browser pages (authorize, sign-in, consent, logout), e.g. http://localhost:4080 */
  browserBase: string;
  /** Base URL of the emulated Defender API (append /api/incidents), e.g. https://localhost:4443/defender */
  defenderBase: string;
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
  /** The fixed "now" the generated data is relative to (default: start time). */
  now?: Date;
}

export interface Quotas {
  list: number;
  get: number;
  update: number;
}

export const DEFAULT_QUOTAS: Quotas = { list: 50, get: 100, update: 50 };

/** Counters tests read to prove what reached the emulator. */
export interface EmulatorStats {
  grants: { authorization_code: number; refresh_token: number };
  /** Every Defender API request: method, path, query and the caller's upn. */
  defenderRequests: { method: string; path: string; query: Record<string, string>; upn?: string; status: number }[];
}

export interface EmulatorContext {
  options: Required<Omit<EmulatorOptions, 'quotas' | 'now'>> & { quotas: Quotas; now: Date };
  urls: EmulatorUrls;
  directory: Directory;
  keys: SigningKeys;
  faults: FaultRegistry;
  stats: EmulatorStats;
  /** Issue times of access tokens; the Defender API refuses those issued before the last "expire all". */
  accessTokens: AccessTokenLedger;
}
