import { createHmac } from 'node:crypto';
import { MemoryStore } from '../../src/store/memoryStore';
import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { startEmulator, type Emulator } from '@threatdesk/emulator';
import { startApp, type AppInstance } from '../helpers/stack';

const OLD = 'old-session-secret-0123456789-abcdefghijklmn';
const NEW = 'new-session-secret-0123456789-abcdefghijklmn';
// Instances sharing a store must share the token-cache key too, or their tokens are unreadable to each other.
const TOKEN_CACHE_KEYS = Buffer.alloc(32, 3).toString('base64');
let emu: Emulator;
const apps: AppInstance[] = [];

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await emu.close();
});

describe('session secret rotation', () => {
  it('control 41: keeps sessions signed with the old secret working after a new one is prepended, and signs new cookies with the new one', async () => {
    const store = new MemoryStore();
    const before = await startApp(emu, { SESSION_SECRETS: OLD, TOKEN_CACHE_KEYS }, { store });
    apps.push(before);
    const b = new TestBrowser(emu.caCertPem);
    await signIn(b, before.url, 'alex@contoso.example');
    const cookie = (await b.jar.getCookies(before.url)).find((c) => c.key === 'threatdesk.sid')!.value;

    // The same store behind an instance configured with [new, old].
    const after = await startApp(emu, { SESSION_SECRETS: `${NEW},${OLD}`, BASE_URL: before.url, TOKEN_CACHE_KEYS }, { store });
    apps.push(after);
    const res = await fetch(`${after.url}/incidents`, { headers: { cookie: `threatdesk.sid=${cookie}` }, redirect: 'manual' });
    expect(res.status).toBe(200);

    // A sign-in on the rotated instance is signed with the new secret only.
    const onlyNew = await startApp(emu, { SESSION_SECRETS: NEW, BASE_URL: before.url, TOKEN_CACHE_KEYS }, { store });
    apps.push(onlyNew);
    expect((await fetch(`${onlyNew.url}/incidents`, { headers: { cookie: `threatdesk.sid=${cookie}` }, redirect: 'manual' })).status).toBe(303);
    const started = await fetch(`${after.url}/auth/signin`, { redirect: 'manual' });
    const fresh = /threatdesk\.sid=([^;]+)/.exec(started.headers.get('set-cookie') as string)?.[1] as string;
    const sid = decodeURIComponent(fresh);
    const [id, sig] = sid.slice(2).split('.');
    expect(id).toBeDefined();
    expect(createHmac('sha256', NEW).update(id!).digest('base64').replace(/=+$/, '')).toBe(sig);
    await b.close();
  });
});
