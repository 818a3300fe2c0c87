import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { DefenderCaller, defenderToken, type ApiResponse, type ErrorBody } from '../src/testing/defenderTokens';

let emu: Emulator;
let api: DefenderCaller;
let riley: string;
let id: number;

const WINDOW_MS = 700;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { list: 3, get: 2, update: 1 } });
  api = new DefenderCaller(emu);
  riley = defenderToken(emu, 'riley@contoso.example');
  id = emu.defender.store.list(CONTOSO_ID)[0].incidentId;
});
beforeEach(() => {
  emu.defender.quota.reset();
  emu.defender.quota.windowMs = WINDOW_MS;
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

const listOnce = (token = riley) => api.list(token, { $top: '1' });

function expectThrottled(res: ApiResponse, message: RegExp): number {
  expect(res.status).toBe(429);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe('TooManyRequests');
  expect(body.error.message).toMatch(message);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(body.error.message).toContain(`Try again in ${retryAfter} second`);
  return retryAfter;
}

describe('Defender API quotas per tenant and app', () => {
  it('answers 429 TooManyRequests with Retry-After once the list quota is used, and recovers after the window', async () => {
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
    expectThrottled(await listOnce(), /^API calls quota exceeded! Maximum allowed 3 calls per 0\.7 seconds for list incidents\. Try again in 1 second\.$/);
    // Refused calls do not count: after one window, the full quota is there again.
    expectThrottled(await listOnce(), /quota exceeded/);
    await sleep(WINDOW_MS + 100);
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
    expect((await listOnce()).status).toBe(429);
  });

  it('gives Retry-After as the seconds until the oldest counted call leaves a one-minute window', async () => {
    emu.defender.quota.windowMs = 60_000;
    for (let i = 0; i < 3; i++) await listOnce();
    const retryAfter = expectThrottled(await listOnce(), /Maximum allowed 3 calls per 1 minute for list incidents/);
    expect(retryAfter).toBeGreaterThanOrEqual(58);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts get and update separately from list, each with its own quota', async () => {
    for (let i = 0; i < 3; i++) await listOnce();
    expect((await listOnce()).status).toBe(429);
    expect((await api.get(`/api/incidents/${id}`, riley)).status).toBe(200);
    expect((await api.get(`/api/incidents/${id}`, riley)).status).toBe(200);
    expectThrottled(await api.get(`/api/incidents/${id}`, riley), /Maximum allowed 2 calls .* for get incident/);
    expect((await api.patch(`/api/incidents/${id}`, riley, { tags: ['a'] })).status).toBe(200);
    expectThrottled(await api.patch(`/api/incidents/${id}`, riley, { tags: ['b'] }), /Maximum allowed 1 calls .* for update incident/);
  });

  it('is per tenant and per app, not per user', async () => {
    for (let i = 0; i < 3; i++) await listOnce();
    expect((await listOnce(defenderToken(emu, 'alex@contoso.example'))).status).toBe(429);
    expect((await listOnce(defenderToken(emu, 'jordan@fabrikam.example'))).status).toBe(200);
    expect((await listOnce(defenderToken(emu, 'riley@contoso.example', { appid: '44444444-4444-4444-8444-444444444444' }))).status).toBe(200);
  });

  it('does not count refused (401) calls', async () => {
    for (let i = 0; i < 5; i++) expect((await listOnce('garbage')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
  });

  it('reads the configured quota sizes live', async () => {
    emu.context.options.quotas.list = 5;
    try {
      for (let i = 0; i < 5; i++) expect((await listOnce()).status).toBe(200);
      expect((await listOnce()).status).toBe(429);
    } finally {
      emu.context.options.quotas.list = 3;
    }
  });
});
