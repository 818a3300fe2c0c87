import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { RESOLVE_REQUIREMENTS } from '../incidents/manage';
import { DEFAULT_SLA, parseSlaTargets } from '../incidents/sla';

/** Real Microsoft endpoints, used unless configuration points elsewhere (the emulator). */
export const MICROSOFT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFENDER_API_BASE = 'https://api.security.microsoft.com';
/** Microsoft Graph: the resource its scopes name, and the default base URL of its API. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const SECURITY_APIS = ['graph', 'defender'] as const;
export type SecurityApi = (typeof SECURITY_APIS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

const parsesAs = (v: string, protocols: string[]) => {
  try {
    const u = new URL(v);
    return protocols.includes(u.protocol) && !u.username && !u.password && !u.hash;
  } catch {
    return false;
  }
};
const httpUrl = (what: string) => z.string().refine((v) => parsesAs(v, ['https:', 'http:']), `must be an absolute http(s) URL (${what})`);
const httpsUrl = (what: string) => z.string().refine((v) => parsesAs(v, ['https:']), `must be an absolute https URL (${what})`);
const withoutTrailingSlash = (v: string) => v.replace(/\/+$/, '');
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
/** A whole number of milliseconds within bounds, with today's behaviour as the default. */
const ms = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
/** Upstream calls a tenant may make in one window of the quota governor. */
const calls = (fallback: number) => z.coerce.number().int().min(1).max(100_000).default(fallback);

/** Reads a file named by a variable; a missing or unreadable file is a problem of that variable. */
const fileText = (mustContain: string, what: string) =>
  z.string().min(1).transform((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return z.NEVER;
    }
    if (!text.includes(mustContain)) {
      ctx.addIssue({ code: 'custom', message: `does not contain ${what}` });
      return z.NEVER;
    }
    return text;
  });

const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx): false | number | string => {
    if (v === 'false') return false;
    // `true` makes the left-most X-Forwarded-For entry the client address, which the client writes
    // itself: every rate limit keyed on it could be bypassed with a made-up header.
    if (v === 'true') {
      ctx.addIssue({
        code: 'custom',
        message: 'must not be true (it trusts an X-Forwarded-For the client can write itself): give the number of proxies in front (e.g. 1) or their addresses/subnets (e.g. loopback, 10.0.0.0/8)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(v)) return Number(v);
    if (/^[0-9a-f.:/, ]+$/i.test(v) || /^(loopback|linklocal|uniquelocal)(,|$)/.test(v)) return v;
    ctx.addIssue({ code: 'custom', message: 'must be false, a hop count, or a list of proxy addresses/subnets' });
    return z.NEVER;
  });

/**
 * Every environment variable ThreatDesk reads, validated, and the configuration derived from them.
 * `Config` is this schema's output type: the shape is written once, here.
 */
export const envSchema = z
  .object({
    TENANT: z
      .string({ error: 'is required: the tenant id (GUID), a verified domain, or "organizations" for a multi-tenant app' })
      .refine((v) => GUID.test(v) || DOMAIN.test(v) || v === 'organizations', {
        message: 'must be a tenant id (GUID), a verified domain such as contoso.com, or "organizations" ("common" would admit personal accounts)',
      }),
    CLIENT_ID: z.string({ error: 'is required: the Application (client) ID of the app registration' }).regex(GUID, 'must be a GUID (the Application (client) ID)'),
    CLIENT_SECRET: z.string().min(1).optional(),
    CLIENT_CERT_PRIVATE_KEY_FILE: fileText('PRIVATE KEY', 'a PEM private key').optional(),
    CLIENT_CERT_THUMBPRINT_SHA256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, "must be the certificate's SHA-256 thumbprint (64 hex characters)")
      .optional(),
    BASE_URL: httpUrl('the public address analysts open, e.g. https://threatdesk.example.com'),
    SESSION_SECRETS: list.pipe(
      z
        .array(z.string().min(32, 'each secret must be at least 32 characters'))
        .min(1, 'is required: one or more comma-separated secrets (first signs, all verify)'),
    ),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
    AUTHORITY_HOST: httpsUrl('msal-node only accepts https authorities').default(MICROSOFT_AUTHORITY_HOST).transform(withoutTrailingSlash),
    SECURITY_API: z.enum(SECURITY_APIS, { error: 'must be "graph" (the Microsoft Graph security API) or "defender" (the legacy Defender API, which stops working on 1 February 2027)' }).default('graph'),
    GRAPH_API_BASE: httpsUrl('the Microsoft Graph base URL').default(GRAPH_RESOURCE).transform(withoutTrailingSlash),
    DEFENDER_API_BASE: httpsUrl('the Defender API base URL').default(DEFENDER_API_BASE).transform(withoutTrailingSlash),
    API_TIMEOUT_MS: ms(100, 120_000, 10_000),
    // Graph stops a hunting query after 3 minutes and answers 504; ThreatDesk waits a little longer.
    HUNTING_TIMEOUT_MS: ms(100, 600_000, 200_000),
    MSAL_TIMEOUT_MS: ms(100, 120_000, 10_000),
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
    REDIS_COMMAND_TIMEOUT_MS: ms(20, 10_000, 500),
    LOCK_TTL_MS: ms(1_000, 120_000, 15_000),
    LOCK_WAIT_MS: ms(100, 120_000, 10_000),
    TOKEN_CACHE_KEYS: list
      .pipe(z.array(z.string().refine((k) => Buffer.from(k, 'base64').length === 32, 'each key must be 32 bytes, base64-encoded')))
      .transform((keys) => keys.map((k) => Buffer.from(k, 'base64')))
      .optional(),
    SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(60),
    ADMIN_CONSENT_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
    // Sign-ins in flight the embedded store keeps at once (their own budget: they never evict a
    // signed-in analyst's session or tokens).
    PRE_SIGN_IN_SESSIONS: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    // How old an analyst's index may be before their next page starts a delta sync (in the background).
    SYNC_INTERVAL_S: z.coerce.number().int().min(5).max(3600).default(30),
    // How often each analyst's open incidents are listed whole, to drop those they no longer see.
    SYNC_RECONCILE_S: z.coerce.number().int().min(5).max(86_400).default(900),
    // An analyst not seen for this long has their index purged (a later sign-in starts a new one).
    INDEX_IDLE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    // Queue rows each instance keeps of views already read, for the same view asked again before
    // the index changes (about 1.5 kB each); 0 reads every view from the database.
    // What an incident must have before an analyst may resolve it (the tenant's policy): any of
    // classification, determination, comment (a note typed with the change); empty for nothing.
    RESOLVE_REQUIRES: z
      .string()
      .default('classification,comment')
      .pipe(list)
      .pipe(z.array(z.enum(RESOLVE_REQUIREMENTS, { error: `must list some of ${RESOLVE_REQUIREMENTS.join(', ')}, separated by commas` }))),
    // SLA targets per severity, to be assigned / to be resolved (see src/incidents/sla.ts).
    SLA_TARGETS: z
      .string()
      .default(DEFAULT_SLA)
      .transform((v, ctx) => {
        try {
          return parseSlaTargets(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; for example ${DEFAULT_SLA}` });
          return z.NEVER;
        }
      }),
    INDEX_CACHE_ROWS: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
    // Each tenant's budget of security API calls, shared by every analyst and instance. The defaults
    // are Microsoft's published limits, Graph's with headroom (sources in src/budget/policy.ts).
    QUOTA_GRAPH_PER_MIN: calls(120),
    QUOTA_HUNTING_PER_MIN: calls(40),
    QUOTA_DEFENDER_LIST_PER_MIN: calls(50),
    QUOTA_DEFENDER_LIST_PER_HOUR: calls(1_500),
    QUOTA_DEFENDER_GET_PER_MIN: calls(100),
    QUOTA_DEFENDER_GET_PER_HOUR: calls(1_500),
    QUOTA_DEFENDER_WRITE_PER_MIN: calls(50),
    QUOTA_ANALYST_SHARE: z.coerce.number().refine((v) => v > 0 && v <= 1, 'must be above 0 and at most 1 (the share of each budget one analyst may use)').default(0.5),
    TRUST_PROXY: trustProxy,
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EXTRA_CA_FILE: fileText('BEGIN CERTIFICATE', 'a PEM certificate').optional(),
    // The incident index: PostgreSQL at this URL (several instances share it); without it, the
    // embedded PostgreSQL (PGlite) in DATA_DIR, or in memory when DATA_DIR is unset too.
    DATABASE_URL: z
      .string()
      .refine((v) => {
        try {
          const u = new URL(v);
          return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '' && !u.hash;
        } catch {
          return false;
        }
      }, 'must be a postgres:// or postgresql:// URL with a host, e.g. postgres://user:password@db:5432/threatdesk')
      .optional(),
    // A schema of DATABASE_URL's database for the index's tables (it must exist), when not the default.
    DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier (letters, digits, _)').optional(),
    DATA_DIR: z
      .string()
      .min(1)
      .transform((path, ctx) => {
        const dir = resolve(path);
        // The directory itself when it exists, else the nearest existing parent (the index creates the rest).
        let existing = dir;
        for (;;) {
          try {
            if (!statSync(existing).isDirectory()) {
              ctx.addIssue({ code: 'custom', message: `must be a writable directory: ${existing} is not a directory` });
              return z.NEVER;
            }
            break;
          } catch {
            if (dirname(existing) === existing) break;
            existing = dirname(existing);
          }
        }
        try {
          accessSync(existing, fsConstants.W_OK);
        } catch {
          ctx.addIssue({ code: 'custom', message: `must be a writable directory: ${existing} is not writable` });
          return z.NEVER;
        }
        return dir;
      })
      .optional(),
  })
  .transform((e) => {
    const baseUrl = new URL(withoutTrailingSlash(e.BASE_URL));
    const base = withoutTrailingSlash(baseUrl.toString());
    const credential =
      e.CLIENT_SECRET !== undefined
        ? { kind: 'secret' as const, secret: e.CLIENT_SECRET }
        : // crossFieldProblems() guarantees both certificate variables are set when there is no secret.
          { kind: 'certificate' as const, privateKey: e.CLIENT_CERT_PRIVATE_KEY_FILE ?? '', thumbprintSha256: (e.CLIENT_CERT_THUMBPRINT_SHA256 ?? '').toUpperCase() };
    return {
      tenant: e.TENANT,
      clientId: e.CLIENT_ID,
      credential,
      baseUrl,
      /** Derived from BASE_URL only, never from request headers (a proxy could forge them). */
      redirectUri: `${base}/auth/redirect`,
      adminConsentRedirectUri: `${base}/admin/consent/callback`,
      postLogoutRedirectUri: `${base}/auth/signed-out`,
      secureCookies: baseUrl.protocol === 'https:',
      sessionSecrets: e.SESSION_SECRETS,
      sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
      authorityHost: e.AUTHORITY_HOST,
      /** `${authorityHost}/${tenant}/` as msal-node expects it. */
      authority: `${e.AUTHORITY_HOST}/${e.TENANT}/`,
      securityApi: e.SECURITY_API,
      graphApiBase: e.GRAPH_API_BASE,
      defenderApiBase: e.DEFENDER_API_BASE,
      apiTimeoutMs: e.API_TIMEOUT_MS,
      huntingTimeoutMs: e.HUNTING_TIMEOUT_MS,
      msalTimeoutMs: e.MSAL_TIMEOUT_MS,
      sessionStore: e.SESSION_STORE,
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      lockTtlMs: e.LOCK_TTL_MS,
      lockWaitMs: e.LOCK_WAIT_MS,
      tokenCacheKeys: e.TOKEN_CACHE_KEYS,
      signInRateLimit: e.SIGN_IN_RATE_LIMIT,
      adminConsentRateLimit: e.ADMIN_CONSENT_RATE_LIMIT,
      preSignInSessions: e.PRE_SIGN_IN_SESSIONS,
      syncIntervalMs: e.SYNC_INTERVAL_S * 1000,
      reconcileMs: e.SYNC_RECONCILE_S * 1000,
      indexIdleDays: e.INDEX_IDLE_DAYS,
      indexCacheRows: e.INDEX_CACHE_ROWS,
      resolveRequires: e.RESOLVE_REQUIRES,
      slaTargets: e.SLA_TARGETS,
      /** Per-tenant budgets of upstream calls, in calls per window: see src/budget/policy.ts. */
      quota: {
        graphPerMinute: e.QUOTA_GRAPH_PER_MIN,
        huntingPerMinute: e.QUOTA_HUNTING_PER_MIN,
        defenderListPerMinute: e.QUOTA_DEFENDER_LIST_PER_MIN,
        defenderListPerHour: e.QUOTA_DEFENDER_LIST_PER_HOUR,
        defenderGetPerMinute: e.QUOTA_DEFENDER_GET_PER_MIN,
        defenderGetPerHour: e.QUOTA_DEFENDER_GET_PER_HOUR,
        defenderWritePerMinute: e.QUOTA_DEFENDER_WRITE_PER_MIN,
        analystShare: e.QUOTA_ANALYST_SHARE,
      },
      /** The incident index on PostgreSQL; when unset, the embedded engine in dataDir (or in memory). */
      databaseUrl: e.DATABASE_URL,
      databaseSchema: e.DATABASE_SCHEMA,
      /** Absolute; only used without databaseUrl. */
      dataDir: e.DATA_DIR,
      trustProxy: e.TRUST_PROXY,
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      /**
       * PEM bundle of certificates trusted for upstream calls in addition to the public roots: the
       * emulator's, or a TLS-inspecting proxy's in front of the real services.
       */
      extraCaPem: e.EXTRA_CA_FILE,
    };
  });

export type Config = z.output<typeof envSchema>;
export type ClientCredential = Config['credential'];
export type Env = z.input<typeof envSchema>;
