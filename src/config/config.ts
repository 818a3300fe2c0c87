import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Real Microsoft endpoints, used unless configuration points elsewhere (the emulator). */
export const MICROSOFT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFENDER_API_BASE = 'https://api.security.microsoft.com';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

const httpUrl = (what: string) =>
  z.string().refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && !u.hash;
    } catch {
      return false;
    }
  }, `must be an absolute http(s) URL (${what})`);

const httpsUrl = (what: string) =>
  z.string().refine((v) => {
    try {
      return new URL(v).protocol === 'https:';
    } catch {
      return false;
    }
  }, `must be an absolute https URL (${what})`);

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const envSchema = z
  .object({
    TENANT: z
      .string({ error: 'is required: the tenant id (GUID), a verified domain, or "organizations" for a multi-tenant app' })
      .refine((v) => GUID.test(v) || DOMAIN.test(v) || v === 'organizations', {
        message: 'must be a tenant id (GUID), a verified domain such as contoso.com, or "organizations" ("common" would admit personal accounts)',
      }),
    CLIENT_ID: z.string({ error: 'is required: the Application (client) ID of the app registration' }).regex(GUID, 'must be a GUID (the Application (client) ID)'),
    CLIENT_SECRET: z.string().min(1).optional(),
    CLIENT_CERT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    CLIENT_CERT_THUMBPRINT_SHA256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'must be the certificate\'s SHA-256 thumbprint (64 hex characters)')
      .optional(),
    BASE_URL: httpUrl('the public address analysts open, e.g. https://threatdesk.example.com'),
    SESSION_SECRETS: list.pipe(
      z
        .array(z.string().min(32, 'each secret must be at least 32 characters'))
        .min(1, 'is required: one or more comma-separated secrets (first signs, all verify)'),
    ),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
    AUTHORITY_HOST: httpsUrl('msal-node only accepts https authorities').default(MICROSOFT_AUTHORITY_HOST),
    DEFENDER_API_BASE: httpsUrl('the Defender API base URL').default(DEFENDER_API_BASE),
    DEFENDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    SESSION_STORE: z.enum(['memory', 'redis'], { error: 'must be "memory" or "redis"' }).default('memory'),
    REDIS_URL: z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
      .optional(),
    // Namespaces every key, so several deployments (or test runs) can share one Redis without
    // reading each other's sessions; empty means no prefix.
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{0,64}$/, 'must be at most 64 letters, digits or : . _ - (for example "threatdesk:")')
      .default('threatdesk:'),
    TOKEN_CACHE_KEYS: list
      .pipe(
        z.array(
          z.string().refine((k) => Buffer.from(k, 'base64').length === 32, 'each key must be 32 bytes, base64-encoded'),
        ),
      )
      .optional(),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v, ctx) => {
        if (v === 'true' || v === 'false') return v === 'true';
        if (/^\d+$/.test(v)) return Number(v);
        if (/^[0-9a-f.:/, ]+$/i.test(v) || /^(loopback|linklocal|uniquelocal)(,|$)/.test(v)) return v;
        ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count, or a list of proxy addresses/subnets' });
        return z.NEVER;
      }),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EMULATOR_CA_FILE: z.string().min(1).optional(),
  });

/**
 * Rules spanning several variables. They run on the raw environment, apart from the schema, so that
 * one start-up reports every problem at once (zod skips refinements when any field already failed).
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const set = (name: string) => Boolean(env[name]);
  const hasCert = set('CLIENT_CERT_PRIVATE_KEY_FILE') || set('CLIENT_CERT_THUMBPRINT_SHA256');
  if (set('CLIENT_SECRET') && hasCert) problems.push('CLIENT_SECRET set either CLIENT_SECRET or the client certificate, not both');
  else if (!set('CLIENT_SECRET') && !hasCert) problems.push('CLIENT_CERT_PRIVATE_KEY_FILE is required (with CLIENT_CERT_THUMBPRINT_SHA256), or set CLIENT_SECRET: the app needs one credential');
  else if (hasCert && !set('CLIENT_CERT_PRIVATE_KEY_FILE')) problems.push('CLIENT_CERT_PRIVATE_KEY_FILE is required with CLIENT_CERT_THUMBPRINT_SHA256');
  else if (hasCert && !set('CLIENT_CERT_THUMBPRINT_SHA256')) problems.push('CLIENT_CERT_THUMBPRINT_SHA256 is required with CLIENT_CERT_PRIVATE_KEY_FILE');
  if (env.SESSION_STORE === 'redis') {
    if (!set('REDIS_URL')) problems.push('REDIS_URL is required when SESSION_STORE=redis');
    if (!set('TOKEN_CACHE_KEYS')) problems.push('TOKEN_CACHE_KEYS is required when SESSION_STORE=redis: tokens in a shared store must be encrypted (32-byte base64 keys, first encrypts)');
  }
  if (set('EMULATOR_CA_FILE') && (env.AUTHORITY_HOST ?? MICROSOFT_AUTHORITY_HOST).replace(/\/+$/, '') === MICROSOFT_AUTHORITY_HOST) {
    problems.push('EMULATOR_CA_FILE is only for the emulator: unset it, or point AUTHORITY_HOST and DEFENDER_API_BASE at the emulator');
  }
  return problems;
}

export type Env = z.input<typeof envSchema>;

export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; privateKey: string; thumbprintSha256: string };

export interface Config {
  tenant: string;
  clientId: string;
  credential: ClientCredential;
  baseUrl: URL;
  /** Derived from BASE_URL only, never from request headers (a proxy could forge them). */
  redirectUri: string;
  adminConsentRedirectUri: string;
  postLogoutRedirectUri: string;
  secureCookies: boolean;
  sessionSecrets: string[];
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  authorityHost: string;
  /** `${authorityHost}/${tenant}/` as msal-node expects it. */
  authority: string;
  defenderApiBase: string;
  defenderTimeoutMs: number;
  sessionStore: 'memory' | 'redis';
  redisUrl?: string;
  redisKeyPrefix: string;
  tokenCacheKeys?: Buffer[];
  trustProxy: boolean | number | string;
  port: number;
  logLevel: string;
  /** PEM text of the only extra CA trusted for upstream calls (the emulator's self-signed certificate). */
  extraCaPem?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
  }
}

function readFileOrProblem(path: string, variable: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/** Validates the environment and derives everything else from it; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const cross = crossFieldProblems(env);
  if (!parsed.success || cross.length) {
    const fieldProblems = parsed.success
      ? []
      : parsed.error.issues.map((i) => {
          const name = String(i.path[0] ?? 'environment');
          // zod's "expected string, received undefined" is its way of saying the variable is missing.
          const message = i.code === 'invalid_type' && i.input === undefined && !/required/.test(i.message) ? 'is required' : i.message;
          return `${name} ${message}`;
        });
    throw new ConfigError([...fieldProblems, ...cross]);
  }
  const e = parsed.data;
  const problems: string[] = [];
  let credential: ClientCredential;
  if (e.CLIENT_SECRET) {
    credential = { kind: 'secret', secret: e.CLIENT_SECRET };
  } else {
    const privateKey = readFileOrProblem(e.CLIENT_CERT_PRIVATE_KEY_FILE as string, 'CLIENT_CERT_PRIVATE_KEY_FILE', problems) ?? '';
    if (privateKey && !privateKey.includes('PRIVATE KEY')) problems.push('CLIENT_CERT_PRIVATE_KEY_FILE does not contain a PEM private key');
    credential = { kind: 'certificate', privateKey, thumbprintSha256: (e.CLIENT_CERT_THUMBPRINT_SHA256 as string).toUpperCase() };
  }
  const extraCaPem = e.EMULATOR_CA_FILE ? readFileOrProblem(e.EMULATOR_CA_FILE, 'EMULATOR_CA_FILE', problems) : undefined;
  if (extraCaPem !== undefined && !extraCaPem.includes('BEGIN CERTIFICATE')) problems.push('EMULATOR_CA_FILE does not contain a PEM certificate');
  if (problems.length) throw new ConfigError(problems);

  const baseUrl = new URL(e.BASE_URL.replace(/\/+$/, ''));
  const base = baseUrl.toString().replace(/\/+$/, '');
  const authorityHost = e.AUTHORITY_HOST.replace(/\/+$/, '');
  return {
    tenant: e.TENANT,
    clientId: e.CLIENT_ID,
    credential,
    baseUrl,
    redirectUri: `${base}/auth/redirect`,
    adminConsentRedirectUri: `${base}/admin/consent/callback`,
    postLogoutRedirectUri: `${base}/auth/signed-out`,
    secureCookies: baseUrl.protocol === 'https:',
    sessionSecrets: e.SESSION_SECRETS,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    authorityHost,
    authority: `${authorityHost}/${e.TENANT}/`,
    defenderApiBase: e.DEFENDER_API_BASE.replace(/\/+$/, ''),
    defenderTimeoutMs: e.DEFENDER_TIMEOUT_MS,
    sessionStore: e.SESSION_STORE,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    tokenCacheKeys: e.TOKEN_CACHE_KEYS?.map((k) => Buffer.from(k, 'base64')),
    trustProxy: e.TRUST_PROXY,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    extraCaPem,
  };
}
