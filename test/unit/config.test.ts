import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { VALID_ENV } from '../helpers/validEnv';

const valid = VALID_ENV;

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration validation', () => {
  it('derives redirect URIs from BASE_URL and defaults to the real Microsoft services', () => {
    const c = loadConfig(valid);
    expect(c.redirectUri).toBe('https://threatdesk.example.com/auth/redirect');
    expect(c.adminConsentRedirectUri).toBe('https://threatdesk.example.com/admin/consent/callback');
    expect(c.postLogoutRedirectUri).toBe('https://threatdesk.example.com/auth/signed-out');
    expect(c.authority).toBe('https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/');
    expect(c.securityApi).toBe('graph');
    expect(c.graphApiBase).toBe('https://graph.microsoft.com');
    expect(c.defenderApiBase).toBe('https://api.security.microsoft.com');
    // Operational knobs keep today's values unless set.
    expect([c.redisCommandTimeoutMs, c.lockTtlMs, c.lockWaitMs, c.msalTimeoutMs, c.apiTimeoutMs]).toEqual([500, 15_000, 10_000, 10_000, 10_000]);
    expect([c.signInRateLimit, c.syncIntervalMs, c.indexIdleDays]).toEqual([60, 30_000, 14]);
    expect(c.secureCookies).toBe(true);
    expect(c.sessionStore).toBe('memory');
    expect(c.redisKeyPrefix).toBe('threatdesk:');
    expect(loadConfig({ ...valid, REDIS_KEY_PREFIX: '' }).redisKeyPrefix).toBe('');
  });

  it('names every missing variable at once', () => {
    const p = problems({});
    for (const name of ['TENANT', 'CLIENT_ID', 'BASE_URL', 'SESSION_SECRETS']) {
      expect(p.some((line) => line.startsWith(`${name} `))).toBe(true);
    }
  });

  it.each([
    [{ TENANT: 'common' }, 'TENANT'],
    [{ CLIENT_ID: 'not-a-guid' }, 'CLIENT_ID'],
    [{ BASE_URL: 'ftp://x' }, 'BASE_URL'],
    [{ SESSION_SECRETS: 'short' }, 'SESSION_SECRETS'],
    [{ AUTHORITY_HOST: 'http://localhost:4443' }, 'AUTHORITY_HOST'],
    [{ SESSION_STORE: 'postgres' }, 'SESSION_STORE'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY'],
    [{ SESSION_STORE: 'redis' }, 'REDIS_URL'],
    [{ SESSION_STORE: 'redis', REDIS_URL: 'redis://localhost' }, 'TOKEN_CACHE_KEYS'],
    [{ TOKEN_CACHE_KEYS: 'dG9vIHNob3J0' }, 'TOKEN_CACHE_KEYS'],
    [{ REDIS_KEY_PREFIX: 'has spaces' }, 'REDIS_KEY_PREFIX'],
    [{ REDIS_KEY_PREFIX: 'x'.repeat(65) }, 'REDIS_KEY_PREFIX'],
    [{ CLIENT_SECRET: undefined }, 'CLIENT_CERT_PRIVATE_KEY_FILE'],
    [{ CLIENT_CERT_THUMBPRINT_SHA256: 'a'.repeat(64) }, 'CLIENT_SECRET'],
    [{ EXTRA_CA_FILE: '/nonexistent.pem' }, 'EXTRA_CA_FILE'],
    [{ SECURITY_API: 'mde' }, 'SECURITY_API'],
    [{ GRAPH_API_BASE: 'http://graph.example' }, 'GRAPH_API_BASE'],
    [{ REDIS_COMMAND_TIMEOUT_MS: '5' }, 'REDIS_COMMAND_TIMEOUT_MS'],
    [{ SIGN_IN_RATE_LIMIT: '0' }, 'SIGN_IN_RATE_LIMIT'],
    [{ RESOLVE_REQUIRES: 'classification,signature' }, 'RESOLVE_REQUIRES'],
    [{ INDEX_CACHE_ROWS: '-1' }, 'INDEX_CACHE_ROWS'],
    [{ SLA_TARGETS: 'high:1h' }, 'SLA_TARGETS'],
  ])('rejects %j naming %s', (override, name) => {
    expect(problems({ ...valid, ...override }).some((line) => line.startsWith(`${name} `) || line.startsWith(`${name}:`))).toBe(true);
  });

  it('accepts a tenant domain, organizations, a list of session secrets and a certificate credential', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'td-cfg-'));
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    const c = loadConfig({
      ...valid,
      TENANT: 'contoso.example',
      CLIENT_SECRET: undefined,
      CLIENT_CERT_PRIVATE_KEY_FILE: keyFile,
      CLIENT_CERT_THUMBPRINT_SHA256: 'ab'.repeat(32),
      SESSION_SECRETS: `${'n'.repeat(32)}, ${'o'.repeat(32)}`,
    });
    expect(c.credential).toEqual({ kind: 'certificate', privateKey: expect.stringContaining('PRIVATE KEY'), thumbprintSha256: 'AB'.repeat(32) });
    expect(c.sessionSecrets).toEqual(['n'.repeat(32), 'o'.repeat(32)]);
    expect(loadConfig({ ...valid, TENANT: 'organizations' }).authority).toMatch(/\/organizations\/$/);
  });

  it('accepts a bundle of extra certificates, with the real Microsoft endpoints too (a TLS-inspecting proxy)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'td-ca-'));
    const bundle = path.join(dir, 'bundle.pem');
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(bundle, cert + cert);
    expect(loadConfig({ ...valid, EXTRA_CA_FILE: bundle }).extraCaPem).toBe(cert + cert);
  });

  it('marks cookies insecure only for a plain-http base URL', () => {
    expect(loadConfig({ ...valid, BASE_URL: 'http://localhost:3000' }).secureCookies).toBe(false);
  });
});

describe('incident index configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threatdesk-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what resolving requires: a classification and a comment by default, or nothing', () => {
    expect(loadConfig(valid).resolveRequires).toEqual(['classification', 'comment']);
    expect(loadConfig({ ...valid, RESOLVE_REQUIRES: ' determination , comment ' }).resolveRequires).toEqual(['determination', 'comment']);
    expect(loadConfig({ ...valid, RESOLVE_REQUIRES: '' }).resolveRequires).toEqual([]);
  });

  it('defaults to the embedded engine in memory', () => {
    const c = loadConfig(valid);
    expect([c.databaseUrl, c.dataDir]).toEqual([undefined, undefined]);
  });

  it('accepts postgres:// and postgresql:// URLs, with credentials and options', () => {
    for (const url of ['postgres://db:5432/threatdesk', 'postgresql://user:p%40ss@db.example.com/threatdesk?sslmode=require', 'postgres://[::1]/x']) {
      expect(loadConfig({ ...valid, DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('refuses any other DATABASE_URL, naming the variable', () => {
    for (const url of ['mysql://db/threatdesk', 'db:5432', 'postgres:///socket-only', 'https://db.example.com', '']) {
      expect(problems({ ...valid, DATABASE_URL: url }).join('\n')).toMatch(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/m);
    }
  });

  it('takes DATA_DIR as an absolute directory, existing or to be created under an existing one', () => {
    expect(loadConfig({ ...valid, DATA_DIR: dir }).dataDir).toBe(dir);
    expect(loadConfig({ ...valid, DATA_DIR: path.join(dir, 'not', 'yet') }).dataDir).toBe(path.join(dir, 'not', 'yet'));
    const relative = path.relative(process.cwd(), path.join(dir, 'index'));
    expect(loadConfig({ ...valid, DATA_DIR: relative }).dataDir).toBe(path.join(dir, 'index'));
  });

  it('refuses a DATA_DIR that is a file, or under one', () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(problems({ ...valid, DATA_DIR: file })).toEqual([`DATA_DIR must be a writable directory: ${file} is not a directory`]);
    expect(problems({ ...valid, DATA_DIR: path.join(file, 'sub') })).toEqual([`DATA_DIR must be a writable directory: ${file} is not a directory`]);
    expect(problems({ ...valid, DATA_DIR: '' }).join('\n')).toMatch(/^DATA_DIR /m);
  });
});
