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
}

export interface Quotas {
  list: number;
  get: number;
  update: number;
}

export const DEFAULT_QUOTAS: Quotas = { list: 50, get: 100, update: 50 };

/** One Defender API request as the emulator saw it. */
export interface DefenderRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The caller, when the token was valid. */
  upn?: string;
  status: number;
}

/** Counters tests read to prove what reached the emulator. */
export interface EmulatorStats {
  /** Token requests per grant type that got past fault injection. */
  grants: { authorization_code: number; refresh_token: number };
  /** Every Defender API request (the most recent ones). */
  defenderRequests: RequestLog;
}

export interface EmulatorContext {
  options: Required<Omit<EmulatorOptions, 'quotas' | 'now'>> & {
    /** Read live: the control face may change them. */
    quotas: Quotas;
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
