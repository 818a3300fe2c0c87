import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { scopeFor } from '../src/auth/scopes';
import type { SessionAccount } from '../src/auth/tokenService';
import { signIn } from '../test/helpers/appSignIn';
import { startApp, startStack } from '../test/helpers/stack';

/**
 * Token from cache, per request: what TokenService.acquire costs when the analyst's access token is
 * still valid, with 1 and with 1,000 analysts signed in, on the embedded store and on Redis. Each
 * analyst signs in for real (through the emulator), so each has a real msal cache blob.
 */
const ANALYSTS = Number(process.env.BENCH_ANALYSTS ?? 1000);
const CALLS = 20_000;

async function accountsSignedIn(app: Awaited<ReturnType<typeof startApp>>, upns: string[], caPem: string): Promise<SessionAccount[]> {
  const accounts: SessionAccount[] = [];
  for (let i = 0; i < upns.length; i += 10) {
    await Promise.all(
      upns.slice(i, i + 10).map(async (upn) => {
        const b = new TestBrowser(caPem);
        const r = await signIn(b, app.url, upn, { returnTo: '/me/token' });
        if (r.final.status !== 200) throw new Error(`${upn} could not sign in (${r.final.status})`);
        const cookie = (await b.jar.getCookies(app.url)).find((c) => c.key === 'threatdesk.sid');
        const sid = decodeURIComponent(cookie?.value ?? '').replace(/^s:/, '').split('.')[0] as string;
        const session = JSON.parse((await app.services.store.get(`sess:${sid}`)) ?? '{}') as { account?: SessionAccount };
        if (!session.account) throw new Error(`no session for ${upn}`);
        accounts.push(session.account);
        await b.close();
      }),
    );
  }
  return accounts;
}

/** Microseconds per acquire, the median of 10 rounds, analysts taken in turn. */
async function perCall(app: Awaited<ReturnType<typeof startApp>>, accounts: SessionAccount[]): Promise<number> {
  const scopes = [scopeFor(app.services.config.securityApi, 'read')];
  const rounds: number[] = [];
  for (let r = 0; r < 10; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS / 10; i++) {
      const token = await app.services.tokens.acquire(accounts[i % accounts.length] as SessionAccount, scopes);
      if (!token.fromCache) throw new Error('a token came from the network: not a cache hit');
    }
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / (CALLS / 10));
  }
  return rounds.sort((a, b) => a - b)[5] as number;
}

/** The bench's keys leave the shared Redis with it. */
async function forgetKeys(prefix: string): Promise<void> {
  const raw = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await raw.connect();
  for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length) await raw.del(keys);
  await raw.close();
}

export async function benchTokens(): Promise<void> {
  const stack = await startStack({ incidents: 10 }, { LOG_LEVEL: 'silent' });
  const upns: string[] = [];
  for (let i = 0; i < ANALYSTS; i++) {
    const upn = `bench${i}@contoso.example`;
    await stack.emu.control.users.add({ upn, defender: { role: 'analyst', deviceGroups: ['Servers'] }, entraRoles: ['Security Reader'] });
    upns.push(upn);
  }
  console.log(`\nToken from cache (TokenService.acquire, still-valid access token), median of 10 rounds of ${CALLS / 10} calls`);
  console.log(`| store | 1 analyst | ${ANALYSTS.toLocaleString('en')} analysts | ratio |`);
  console.log('|---|---:|---:|---:|');
  try {
    for (const store of ['memory', 'redis'] as const) {
      const env = store === 'redis'
        ? { SESSION_STORE: 'redis', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', TOKEN_CACHE_KEYS: randomBytes(32).toString('base64'), REDIS_KEY_PREFIX: `threatdesk-bench:${randomBytes(4).toString('hex')}:` }
        : {};
      const app = await startApp(stack.emu, { ...env, LOG_LEVEL: 'silent', SIGN_IN_RATE_LIMIT: '100000' });
      const prefix = env.REDIS_KEY_PREFIX;
      try {
        const accounts = await accountsSignedIn(app, upns, stack.emu.caCertPem);
        const one = await perCall(app, accounts.slice(0, 1));
        const many = await perCall(app, accounts);
        console.log(`| ${store} | ${(one / 1000).toFixed(3)} ms | ${(many / 1000).toFixed(3)} ms | ${(many / one).toFixed(2)}× |`);
      } finally {
        await app.close();
        if (prefix) await forgetKeys(prefix);
      }
    }
  } finally {
    await stack.close();
  }
}
