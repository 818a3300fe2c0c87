import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import type { Incident } from '../src/defender';
import { TestBrowser } from '../src/testing/browser';
import { DefenderCaller, type ErrorBody } from '../src/testing/defenderTokens';
import { authorizeUrl, jwtPayload, obtainCode, postToken, redirectParams, REDIRECT_URI, signInAtEmulator, type TokenReply } from './helpers/emulatorSignIn';

/*
 * One clock for the whole emulator: Entra's codes, tokens and sessions, the Defender API's token checks,
 * quotas and incident timestamps all move together when a test moves it.
 */

const LIFETIME_SEC = 3600;
let emu: Emulator;
let api: DefenderCaller;
const browsers: TestBrowser[] = [];
const browser = () => {
  const b = new TestBrowser(emu.caCertPem);
  browsers.push(b);
  return b;
};

beforeAll(async () => {
  emu = await startEmulator({ accessTokenLifetimeSec: LIFETIME_SEC, quotas: { list: 1000, get: 1000, update: 1000 } });
  api = new DefenderCaller(emu);
});
beforeEach(() => emu.control.quotas.reset());
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await api.close();
  await emu.close();
});

/** Signs alex in through the pages and redeems the code: tokens as the app gets them. */
async function signedInTokens(): Promise<TokenReply> {
  const { code, verifier } = await obtainCode(browser(), emu, 'alex@contoso.example');
  const reply = await postToken(browser(), emu, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
  expect(reply.status).toBe(200);
  return reply;
}

const listWith = (token: string) => api.list<{ value: Incident[] } & ErrorBody>(token, { $top: '1' });

describe('one clock for Entra and the Defender API', () => {
  it('after the clock moves 5 minutes, newly issued tokens are accepted by the Defender API (and the old one still is)', async () => {
    const first = await signedInTokens();
    await emu.control.clock.advance(5 * 60_000);
    const refreshed = await postToken(browser(), emu, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token as string });
    expect(refreshed.status).toBe(200);
    const iat = jwtPayload(refreshed.json.access_token).iat as number;
    expect(iat * 1000).toBeGreaterThanOrEqual(Date.now() + 4 * 60_000);
    expect((await listWith(refreshed.json.access_token as string)).status).toBe(200);
    expect((await listWith(first.json.access_token as string)).status).toBe(200);
    // A fresh sign-in at the moved clock works end to end too.
    expect((await listWith((await signedInTokens()).json.access_token as string)).status).toBe(200);
  });

  it('once the clock passes a token’s exp, the Defender API answers 401 for it; a refresh gives one that works', async () => {
    const tokens = await signedInTokens();
    const token = tokens.json.access_token as string;
    expect((await listWith(token)).status).toBe(200);
    await emu.control.clock.advance((LIFETIME_SEC - 60) * 1000);
    expect((await listWith(token)).status).toBe(200);
    await emu.control.clock.advance(61_000);
    const expired = await listWith(token);
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toMatch(/The access token expired at /);
    const refreshed = await postToken(browser(), emu, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string });
    expect((await listWith(refreshed.json.access_token as string)).status).toBe(200);
  });

  it('an authorization code expires after 10 minutes of clock time', async () => {
    const young = await obtainCode(browser(), emu, 'alex@contoso.example');
    const old = await obtainCode(browser(), emu, 'alex@contoso.example');
    await emu.control.clock.advance(10 * 60_000 - 2_000);
    const redeemed = await postToken(browser(), emu, { grant_type: 'authorization_code', code: young.code, code_verifier: young.verifier, redirect_uri: REDIRECT_URI });
    expect(redeemed.status).toBe(200);
    await emu.control.clock.advance(3_000);
    const late = await postToken(browser(), emu, { grant_type: 'authorization_code', code: old.code, code_verifier: old.verifier, redirect_uri: REDIRECT_URI });
    expect(late.status).toBe(400);
    expect(late.json.error_codes).toEqual([70008]);
  });

  it('the browser session ends after 24 hours of clock time', async () => {
    const b = browser();
    await signInAtEmulator(b, authorizeUrl(emu), 'alex@contoso.example');
    expect(redirectParams(await b.get(authorizeUrl(emu, { prompt: 'none' }))).get('code')).toBeTruthy();
    await emu.control.clock.advance(24 * 3600_000 + 1_000);
    expect(redirectParams(await b.get(authorizeUrl(emu, { prompt: 'none' }))).get('error')).toBe('login_required');
  });

  it('quota windows reset when the clock passes a minute', async () => {
    await emu.control.quotas.set({ list: 2 });
    const token = (await signedInTokens()).json.access_token as string;
    expect((await listWith(token)).status).toBe(200);
    expect((await listWith(token)).status).toBe(200);
    const throttled = await listWith(token);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    await emu.control.clock.advance(30_000);
    expect((await listWith(token)).status).toBe(429);
    await emu.control.clock.advance(30_000);
    expect((await listWith(token)).status).toBe(200);
    await emu.control.quotas.set({ list: 1000 });
  });

  it('incident changes are stamped by the clock, and $filter on lastUpdateTime sees them at that time', async () => {
    const before = Date.now();
    await emu.control.clock.advance(7 * 86_400_000);
    const target = (await emu.control.incidents.list(CONTOSO_ID)).at(-1)!;
    const changed = await emu.control.incidents.change(CONTOSO_ID, target.incidentId, { status: 'InProgress' });
    expect(Date.parse(changed.lastUpdateTime)).toBeGreaterThan(before + 7 * 86_400_000 - 1);
    const token = (await signedInTokens()).json.access_token as string;
    const since = new Date(before + 6 * 86_400_000).toISOString();
    const res = await api.list<{ value: Incident[] }>(token, { $filter: `lastUpdateTime gt ${since}` });
    expect(res.status).toBe(200);
    expect(res.json.value.map((i) => i.incidentId)).toEqual([target.incidentId]);
  });
});
