import { envSchema, type Config } from './schema';

export { DEFENDER_API_BASE, GRAPH_RESOURCE, MICROSOFT_AUTHORITY_HOST, SECURITY_APIS, type ClientCredential, type Config, type Env, type SecurityApi } from './schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
  }
}

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
  return problems;
}

/** Validates the environment and derives everything else from it; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const cross = crossFieldProblems(env);
  if (parsed.success && !cross.length) return parsed.data;
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
