import { Agent, fetch } from 'undici';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import { DefenderCaller, defenderToken, type ErrorBody } from '../src/testing/defenderTokens';

let emu: Emulator;
let api: DefenderCaller;
let riley: string;
let id: number;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { list: 10_000, get: 10_000, update: 10_000 } });
  api = new DefenderCaller(emu);
  riley = await defenderToken(emu, 'riley@contoso.example');
  id = itemAt(await emu.control.incidents.list(CONTOSO_ID), 0, 'incidents').incidentId;
});
afterEach(() => emu.control.faults.clear());
afterAll(async () => {
  await api.close();
  await emu.close();
});

const calls = {
  'incidents.list': (token = riley) => api.list(token, { $top: '3' }),
  'incidents.get': (token = riley) => api.get(`/api/incidents/${id}`, token),
  'incidents.update': (token = riley) => api.patch(`/api/incidents/${id}`, token, { tags: ['fault test'] }),
} as const;
const endpoints = Object.keys(calls) as (keyof typeof calls)[];

describe.each(endpoints)('faults on %s', (endpoint) => {
  const call = calls[endpoint];

  it('429 with the given Retry-After, then back to normal', async () => {
    await emu.control.faults.add({ endpoint, kind: '429', retryAfter: 7 });
    const res = await call();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((res.json as ErrorBody).error).toMatchObject({ code: 'TooManyRequests', message: expect.stringMatching(/Try again in 7 seconds\.$/) });
    expect((await call()).status).toBe(200);
  });

  it('500 InternalServerError in the API error shape', async () => {
    await emu.control.faults.add({ endpoint, kind: '500' });
    const res = await call();
    expect(res.status).toBe(500);
    expect((res.json as ErrorBody).error.code).toBe('InternalServerError');
  });

  it('503 with Retry-After', async () => {
    await emu.control.faults.add({ endpoint, kind: '503', retryAfter: 3 });
    const res = await call();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((res.json as ErrorBody).error.code).toBe('ServiceUnavailable');
  });

  it('401 even with a valid token', async () => {
    await emu.control.faults.add({ endpoint, kind: '401' });
    const res = await call();
    expect(res.status).toBe(401);
    expect((res.json as ErrorBody).error.code).toBe('Unauthorized');
    expect((await call()).status).toBe(200);
  });

  it('delay, then the normal answer', async () => {
    await emu.control.faults.add({ endpoint, kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const res = await call();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
    expect(res.json).toBeDefined();
  });

  it('truncated: 200 with the real body cut in half', async () => {
    await emu.control.faults.add({ endpoint, kind: 'truncated' });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.json).toBeUndefined();
    expect(res.text.startsWith('{"@odata.context":"https://api.security.microsoft.com/api/$metadata#Incidents')).toBe(true);
    const whole = await call();
    expect(Math.abs(res.text.length - whole.text.length / 2)).toBeLessThanOrEqual(1);
  });

  it('non-json: 200 with an HTML page', async () => {
    await emu.control.faults.add({ endpoint, kind: 'non-json' });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!DOCTYPE html>/);
    expect(res.json).toBeUndefined();
  });
});

describe('fault behaviour', () => {
  it('applies to the next N calls of its endpoint only', async () => {
    await emu.control.faults.add({ endpoint: 'incidents.get', kind: '500', count: 2 });
    expect((await calls['incidents.list']()).status).toBe(200);
    expect((await calls['incidents.get']()).status).toBe(500);
    expect((await calls['incidents.get']()).status).toBe(500);
    expect((await calls['incidents.get']()).status).toBe(200);
  });

  it('comes before authentication, so it works without a token, and is recorded with its status', async () => {
    await emu.control.faults.add({ endpoint: 'incidents.list', kind: '503', retryAfter: 2 });
    expect((await api.list('')).status).toBe(503);
    await emu.control.faults.add({ endpoint: 'incidents.list', kind: '500' });
    expect((await calls['incidents.list']()).status).toBe(500);
    const last = (await emu.control.stats.requests()).at(-1);
    expect(last).toMatchObject({ path: '/api/incidents', status: 500, upn: 'riley@contoso.example' });
  });

  it('does not count faulted calls toward the quota', async () => {
    await emu.control.quotas.reset();
    await emu.control.quotas.set({ list: 2 });
    try {
      await emu.control.faults.add({ endpoint: 'incidents.list', kind: '500', count: 3 });
      for (let i = 0; i < 3; i++) expect((await calls['incidents.list']()).status).toBe(500);
      expect((await calls['incidents.list']()).status).toBe(200);
      expect((await calls['incidents.list']()).status).toBe(200);
      expect((await calls['incidents.list']()).status).toBe(429);
    } finally {
      await emu.control.quotas.set({ list: 10_000 });
      await emu.control.quotas.reset();
    }
  });

  it('can be set over HTTP through the emulator control endpoint', async () => {
    expect(await emu.control.faults.list()).toEqual([]);
    const agent = new Agent({ connect: { ca: emu.caCertPem } });
    try {
      const res = await fetch(`${emu.urls.authorityHost}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: 'incidents.get', kind: '429', retryAfter: 5 }),
        dispatcher: agent,
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual([{ endpoint: 'incidents.get', kind: '429', retryAfter: 5, count: 1, delayMs: 1000 }]);
    } finally {
      await agent.close();
    }
    const throttled = await calls['incidents.get'](await defenderToken(emu, 'alex@contoso.example'));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('5');
  });
});
