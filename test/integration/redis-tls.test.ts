import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultRedirectUris, startEmulator, type Emulator } from '@threatdesk/emulator';
import { generateTls, TestBrowser } from '@threatdesk/emulator/testing';
import { signIn } from '../helpers/appSignIn';
import { freePort, redisAppEnv, startAppProcess, startRedisServer, type AppProcess, type RedisServer } from '../helpers/processes';

/**
 * Managed Redis services speak TLS and want a password: REDIS_URL=rediss://:password@host:port.
 * The Redis here has a self-signed certificate, trusted the way an operator would trust a private
 * CA: NODE_EXTRA_CA_CERTS, which Node reads at start for every TLS connection.
 */

let emu: Emulator;
let redis: RedisServer;
let dir: string;
let caFile: string;
const apps: AppProcess[] = [];
const browsers: TestBrowser[] = [];
const password = randomBytes(18).toString('base64url');

async function instance(redisUrl: string, options: { readyPath?: '/readyz' | '/healthz' } = {}): Promise<{ app: AppProcess; base: string }> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  await emu.control.app.addRedirectUris(defaultRedirectUris(base));
  const env = { ...(await redisAppEnv(emu, { baseUrl: base, redisUrl, keyPrefix: 'threatdesk-test:tls:' })), PORT: String(port), NODE_EXTRA_CA_CERTS: caFile };
  const app = await startAppProcess(`tls-${apps.length}`, env, options);
  apps.push(app);
  return { app, base };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'threatdesk-redis-tls-'));
  const tls = await generateTls();
  caFile = path.join(dir, 'redis.crt');
  const keyFile = path.join(dir, 'redis.key');
  writeFileSync(caFile, tls.cert);
  writeFileSync(keyFile, tls.key, { mode: 0o600 });
  emu = await startEmulator();
  redis = await startRedisServer({ password, tls: { certFile: caFile, keyFile } });
}, 30_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await Promise.all(browsers.map((b) => b.close()));
  await redis?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis over TLS with a password', () => {
  it('serves sessions through rediss://:password@…', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    const { app, base } = await instance(redis.url);
    const t = new TestBrowser(emu.caCertPem);
    browsers.push(t);
    const r = await signIn(t, base, 'alex@contoso.example', { returnTo: '/incidents' });
    expect(r.final.status).toBe(200);
    expect(r.final.$('.user').text()).toContain('Alex Wilber');
    // The password is in the URL, never in the logs.
    expect(app.logs.join('\n')).not.toContain(password);
  });

  it('with a wrong password: starts, reports not ready, answers 503, and does not crash', async () => {
    const { app, base } = await instance(redis.url.replace(encodeURIComponent(password), 'wrong-password'), { readyPath: '/healthz' });
    const t = new TestBrowser(emu.caCertPem);
    browsers.push(t);
    expect((await t.get(`${base}/readyz`)).status).toBe(503);
    const page = await t.get(`${base}/auth/signin`, { accept: 'text/html' });
    expect(page.status).toBe(503);
    expect(page.$('h1').text()).toBe('Session store unavailable');
    expect(app.alive()).toBe(true);
    expect(app.logs.join('\n')).toMatch(/WRONGPASS|invalid username-password/i);
  });
});
