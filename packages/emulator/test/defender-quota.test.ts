import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import { DefenderCaller, defenderToken, type ApiResponse, type ErrorBody } from '../src/testing/defenderTokens';

let emu: Emulator;
let api: DefenderCaller;
let riley: string;
let id: number;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { list: 3, get: 2, update: 1 } });
  api = new DefenderCaller(emu);
  id = itemAt(await emu.control.incidents.list(CONTOSO_ID), 0, 'incidents').incidentId;
});
beforeEach(async () => {
  await emu.control.quotas.reset();
  // A fresh token each time: the clock moves on by minutes in this file.
  riley = await defenderToken(emu, 'riley@contoso.example');
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
  it('answers 429 TooManyRequests with Retry-After once the list quota is used, and recovers when the clock passes the minute', async () => {
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
    expectThrottled(await listOnce(), /^API calls quota exceeded! Maximum allowed 3 calls per 1 minute for list incidents\. Try again in (59|60) seconds\.$/);
    // Refused calls do not count: after one window, the full quota is there again.
    expectThrottled(await listOnce(), /quota exceeded/);
    await emu.control.clock.advance(59_000);
    const lastSecond = expectThrottled(await listOnce(), /Maximum allowed 3 calls per 1 minute/);
    expect(lastSecond).toBe(1);
    await emu.control.clock.advance(1_000);
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
    expect((await listOnce()).status).toBe(429);
  });

  it('gives Retry-After as the seconds until the oldest counted call leaves the one-minute window', async () => {
    for (let i = 0; i < 3; i++) await listOnce();
    const retryAfter = expectThrottled(await listOnce(), /Maximum allowed 3 calls per 1 minute for list incidents/);
    expect(retryAfter).toBeGreaterThanOrEqual(58);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await emu.control.clock.advance(30_000);
    const later = expectThrottled(await listOnce(), /Maximum allowed 3 calls per 1 minute/);
    expect(later).toBeGreaterThanOrEqual(28);
    expect(later).toBeLessThanOrEqual(30);
  });

  it('slides: calls leave the window one by one, a minute after each was made', async () => {
    expect((await listOnce()).status).toBe(200);
    await emu.control.clock.advance(20_000);
    expect((await listOnce()).status).toBe(200);
    expect((await listOnce()).status).toBe(200);
    expect((await listOnce()).status).toBe(429);
    // 60 s after the first call: only that one has left the window.
    await emu.control.clock.advance(40_000);
    expect((await listOnce()).status).toBe(200);
    expect((await listOnce()).status).toBe(429);
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
    expect((await listOnce(await defenderToken(emu, 'alex@contoso.example'))).status).toBe(429);
    expect((await listOnce(await defenderToken(emu, 'jordan@fabrikam.example'))).status).toBe(200);
    expect((await listOnce(await defenderToken(emu, 'riley@contoso.example', { appid: '44444444-4444-4444-8444-444444444444' }))).status).toBe(200);
  });

  it('does not count refused (401) calls', async () => {
    for (let i = 0; i < 5; i++) expect((await listOnce('garbage')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await listOnce()).status).toBe(200);
  });

  it('reads the configured quota sizes live', async () => {
    expect(await emu.control.quotas.set({ list: 5 })).toEqual({ list: 5, get: 2, update: 1, graph: 150, hunting: 45 });
    try {
      for (let i = 0; i < 5; i++) expect((await listOnce()).status).toBe(200);
      expect((await listOnce()).status).toBe(429);
    } finally {
      expect(await emu.control.quotas.set({ list: 3 })).toEqual({ list: 3, get: 2, update: 1, graph: 150, hunting: 45 });
    }
  });
});
