import { spawn } from 'node:child_process';
import path from 'node:path';
import { startEmulator, type Emulator } from '@threatdesk/emulator';
import { appEnvFor } from '../helpers/appEnv';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { freePort, startAppProcess } from '../helpers/processes';
import { startApp } from '../helpers/stack';

const ROOT = path.resolve(__dirname, '../..');
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

/** Runs `src/server.ts` with exactly `env` and returns how it ended. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up', () => {
  it('refuses to start on bad configuration, naming each bad variable', async () => {
    const { code, stderr } = await runServer({ CLIENT_ID: 'not-a-guid', BASE_URL: 'ftp://x', SESSION_SECRETS: 'short', SESSION_STORE: 'redis' });
    expect(code).toBe(78);
    for (const name of ['TENANT', 'CLIENT_ID', 'BASE_URL', 'SESSION_SECRETS', 'REDIS_URL', 'TOKEN_CACHE_KEYS']) expect(stderr).toMatch(new RegExp(`^  - ${name} `, 'm'));
    expect(stderr).toContain('See .env.example');
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight on SIGTERM, refuses new ones, and exits 0', async () => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const app = await startAppProcess('shutdown', {
      ...(await appEnvFor(emu, baseUrl)),
      PORT: String(port),
      SESSION_SECRETS: 'shutdown-test-secret-0123456789abcdefghij',
    });
    const b = new TestBrowser(emu.caCertPem);
    try {
      const r = await signIn(b, baseUrl, 'alex@contoso.example');
      expect(r.final.status).toBe(200);
      await emu.control.faults.add({ endpoint: 'incidents.list', kind: 'delay', delayMs: 1_500 });
      const inFlight = b.get(`${baseUrl}/incidents`);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const exited = new Promise<number | null>((resolve) => app.child.once('exit', (code) => resolve(code)));
      app.child.kill('SIGTERM');
      const page = await inFlight;
      expect(page.status).toBe(200);
      expect(page.$('#incidents tbody tr').length).toBeGreaterThan(0);
      expect(await exited).toBe(0);
      await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
    } finally {
      await emu.control.faults.clear();
      await b.close();
      await app.stop();
    }
  });
});

describe('sign-in rate limit', () => {
  it('answers 429 with Retry-After past 60 sign-in requests a minute from one address', async () => {
    const app = await startApp(emu);
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 61; i++) {
        const res = await fetch(`${app.url}/auth/signin`, { redirect: 'manual' });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.slice(0, 60).every((s) => s === 303)).toBe(true);
      expect(statuses[60]).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Pages outside /auth are not limited by it.
      expect((await fetch(`${app.url}/`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
