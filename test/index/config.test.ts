import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';

const valid = {
  TENANT: '11111111-1111-4111-8111-111111111111',
  CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  CLIENT_SECRET: 'secret-value',
  BASE_URL: 'https://threatdesk.example.com/',
  SESSION_SECRETS: 'a'.repeat(32),
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('incident index configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threatdesk-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
