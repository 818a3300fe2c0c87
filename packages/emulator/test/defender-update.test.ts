import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import type { Incident, IncidentSummary } from '../src/defender';
import { DefenderCaller, defenderToken, type ApiResponse, type ErrorBody } from '../src/testing/defenderTokens';

type Entity = Incident & { '@odata.context': string };

let emu: Emulator;
let api: DefenderCaller;
let riley: string;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { update: 10_000, get: 10_000, list: 10_000 } });
  api = new DefenderCaller(emu);
  riley = await defenderToken(emu, 'riley@contoso.example');
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

const TICKS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const list = () => emu.control.incidents.list(CONTOSO_ID);
/** A different incident for each test, from the old end of the queue, so tests do not step on each other. */
let next = 0;
const pickId = async (predicate: (i: IncidentSummary) => boolean = () => true) => {
  const candidates = (await list()).filter(predicate);
  return itemAt(candidates, candidates.length - 1 - next++, 'candidate incidents').incidentId;
};

const patch = (id: number, body: unknown, token = riley) => api.patch<Entity>(`/api/incidents/${id}`, token, body);

function expectInvalid(res: ApiResponse, message: RegExp): void {
  expect(res.status).toBe(400);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe('InvalidRequestBody');
  expect(body.error.message).toMatch(message);
}

describe('PATCH /api/incidents/{id}: changes', () => {
  it.each(['InProgress', 'Resolved', 'Redirected', 'Active'])('sets status %s and returns the updated entity', async (status) => {
    const id = await pickId((i) => i.status !== status);
    const res = await patch(id, { status });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    expect(res.json['@odata.context']).toBe('https://api.security.microsoft.com/api/$metadata#Incidents/$entity');
    expect(res.json.incidentId).toBe(id);
    expect(res.json.status).toBe(status);
    const again = await api.get<Entity>(`/api/incidents/${id}`, riley);
    expect(again.json).toEqual(res.json);
  });

  it('assigns, reassigns and unassigns (null or "")', async () => {
    const id = await pickId();
    expect((await patch(id, { assignedTo: 'sam@contoso.example' })).json.assignedTo).toBe('sam@contoso.example');
    const unassigned = await patch(id, { assignedTo: null });
    expect(unassigned.status).toBe(200);
    expect('assignedTo' in unassigned.json).toBe(false);
    expect((await patch(id, { assignedTo: 'alex@contoso.example' })).json.assignedTo).toBe('alex@contoso.example');
    expect('assignedTo' in (await patch(id, { assignedTo: '' })).json).toBe(false);
    const filtered = await api.list<{ value: Incident[] }>(riley, { $filter: 'assignedTo eq null', $top: '100' });
    expect(filtered.json.value.map((i) => i.incidentId)).toContain(id);
  });

  it.each([
    ['TruePositive', 'Malware'],
    ['TruePositive', 'MultiStagedAttack'],
    ['InformationalExpectedActivity', 'SecurityTesting'],
    ['FalsePositive', 'Clean'],
    ['FalsePositive', 'NotMalicious'],
    ['TruePositive', 'CompromisedUser'],
    ['FalsePositive', 'InsufficientData'],
    ['Unknown', 'NotAvailable'],
  ])('classifies %s / %s (documented spellings kept as sent)', async (classification, determination) => {
    const id = await pickId();
    const res = await patch(id, { status: 'Resolved', classification, determination });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'Resolved', classification, determination });
  });

  it('refuses a determination that does not go with the classification, naming determination', async () => {
    const id = await pickId();
    const res = await patch(id, { classification: 'FalsePositive', determination: 'Malware' });
    expectInvalid(res, /determination 'Malware' is not valid with classification 'FalsePositive'.*Clean/);
    expectInvalid(await patch(id, { classification: 'InformationalExpectedActivity', determination: 'Phishing' }), /determination/);
    expectInvalid(await patch(id, { determination: 'NoSuchThing' }), /Invalid value 'NoSuchThing' for 'determination'/);
  });

  it('checks a determination sent alone against the current classification', async () => {
    const id = await pickId((i) => i.classification === 'Unknown');
    expectInvalid(await patch(id, { determination: 'Malware' }), /'Malware' is not valid with classification 'Unknown'.*send 'classification'/);
    await patch(id, { classification: 'TruePositive', determination: 'Phishing' });
    expect((await patch(id, { determination: 'Malware' })).json).toMatchObject({ classification: 'TruePositive', determination: 'Malware' });
  });

  it('resets a determination a new classification no longer allows, and keeps one it does', async () => {
    const id = await pickId();
    await patch(id, { classification: 'TruePositive', determination: 'Other' });
    expect((await patch(id, { classification: 'FalsePositive' })).json).toMatchObject({ classification: 'FalsePositive', determination: 'Other' });
    await patch(id, { classification: 'TruePositive', determination: 'Malware' });
    expect((await patch(id, { classification: 'FalsePositive' })).json).toMatchObject({
      classification: 'FalsePositive',
      determination: 'NotAvailable',
    });
  });

  it('replaces the tags', async () => {
    const id = await pickId();
    expect((await patch(id, { tags: ['VIP', 'Équipe rouge', '<b>x</b>'] })).json.tags).toEqual(['VIP', 'Équipe rouge', '<b>x</b>']);
    expect((await patch(id, { tags: [] })).json.tags).toEqual([]);
  });

  it('appends a comment by the caller, stamped with the new lastUpdateTime', async () => {
    const id = await pickId();
    const before = (await emu.control.incidents.get(CONTOSO_ID, id))!;
    const res = await patch(id, { comment: 'Contained; <script>alert(1)</script> stays text.' });
    expect(res.status).toBe(200);
    expect(res.json.comments.slice(0, -1)).toEqual(before.comments);
    const added = res.json.comments[res.json.comments.length - 1];
    expect(added).toEqual({
      comment: 'Contained; <script>alert(1)</script> stays text.',
      createdBy: 'riley@contoso.example',
      createdTime: res.json.lastUpdateTime,
    });
    const responder = await emu.control.users.add({ upn: 'quinn@contoso.example', defender: { role: 'responder', deviceGroups: '*', canUpdate: true } });
    const second = await patch(id, { comment: 'Second.' }, await defenderToken(emu, responder.upn));
    expect(second.json.comments.slice(-2).map((c) => c.createdBy)).toEqual(['riley@contoso.example', 'quinn@contoso.example']);
  });

  it('accepts a comment of 30,000 characters and refuses 30,001, naming comment', async () => {
    const id = await pickId();
    expect((await patch(id, { comment: 'x'.repeat(30_000) })).status).toBe(200);
    expectInvalid(await patch(id, { comment: 'x'.repeat(30_001) }), /'comment' is 30,001 characters long; the maximum is 30,000/);
    expectInvalid(await patch(id, { comment: '  ' }), /'comment' is empty/);
  });

  it('bumps lastUpdateTime to now in the 7-digit form; newest-update-first listing moves the incident to the top', async () => {
    await emu.control.incidents.setListing({ order: 'lastUpdated' });
    try {
      const id = await pickId();
      const newestBefore = itemAt(await list(), 0, 'incidents').lastUpdateTime;
      const first = await patch(id, { status: 'InProgress' });
      expect(first.json.lastUpdateTime).toMatch(TICKS);
      expect(first.json.lastUpdateTime > newestBefore).toBe(true);
      expect(Math.abs(Date.parse(first.json.lastUpdateTime) - (await emu.control.clock.now()))).toBeLessThan(60_000);
      const page = await api.list<{ value: Incident[] }>(riley, { $top: '1' });
      expect(page.json.value[0]?.incidentId).toBe(id);

      const other = await pickId();
      const second = await patch(other, { tags: ['later'] });
      expect(second.json.lastUpdateTime > first.json.lastUpdateTime).toBe(true);
      const top2 = await api.list<{ value: Incident[] }>(riley, { $top: '2' });
      expect(top2.json.value.map((i) => i.incidentId)).toEqual([other, id]);
      const since = await api.list<{ value: Incident[] }>(riley, { $filter: `lastUpdateTime gt ${first.json.lastUpdateTime}` });
      expect(since.json.value.map((i) => i.incidentId)).toEqual([other]);
    } finally {
      await emu.control.incidents.setListing({ order: 'shuffled' });
    }
  });

  it('leaves a changed incident where it was in the default (shuffled) order', async () => {
    const before = (await list()).map((i) => i.incidentId);
    const id = await pickId();
    expect((await patch(id, { status: 'InProgress', tags: ['moved?'] })).status).toBe(200);
    expect((await list()).map((i) => i.incidentId)).toEqual(before);
  });

  it('changes several fields at once, leaving the others as they were', async () => {
    const id = await pickId();
    const before = (await emu.control.incidents.get(CONTOSO_ID, id))!;
    const res = await patch(id, {
      status: 'Resolved',
      assignedTo: 'secop2@contoso.example',
      classification: 'TruePositive',
      determination: 'Malware',
      tags: ['pen testing'],
      comment: 'pen testing',
    });
    const { lastUpdateTime, comments, status, assignedTo, classification, determination, tags, ...rest } = res.json;
    const { '@odata.context': _context, ...unchanged } = rest;
    const { lastUpdateTime: _l, comments: _c, status: _s, assignedTo: _a, classification: _cl, determination: _d, tags: _t, ...beforeRest } = before;
    expect(unchanged).toEqual(beforeRest);
    expect({ status, assignedTo, classification, determination, tags }).toEqual({
      status: 'Resolved',
      assignedTo: 'secop2@contoso.example',
      classification: 'TruePositive',
      determination: 'Malware',
      tags: ['pen testing'],
    });
    expect(comments).toHaveLength(before.comments.length + 1);
    expect(lastUpdateTime > before.lastUpdateTime).toBe(true);
  });
});

describe('PATCH /api/incidents/{id}: refusals', () => {
  it.each([
    [{ severity: 'High' }, /property 'severity' cannot be updated/],
    [{ Status: 'Active' }, /property 'Status' cannot be updated.*did you mean 'status'/],
    [{ status: 'Closed' }, /Invalid value 'Closed' for 'status'/],
    [{ status: 5 }, /'status' must be a string/],
    [{ classification: 'Benign' }, /Invalid value 'Benign' for 'classification'/],
    [{ assignedTo: 5 }, /'assignedTo' must be a string, or null/],
    [{ tags: 'VIP' }, /'tags' must be an array of strings/],
    [{ tags: ['VIP', 3] }, /'tags' must be an array of strings/],
    [{ comment: { text: 'x' } }, /'comment' must be a string/],
    [{}, /no property to change/],
    [[{ status: 'Active' }], /must be a JSON object/],
    [null, /must be a JSON object/],
  ])('%j', async (body, message) => {
    expectInvalid(await patch(await pickId(), body), message);
  });

  it('refuses an empty body, a body that is not JSON, and a non-JSON content type', async () => {
    const id = await pickId();
    expectInvalid(await api.call('PATCH', `/api/incidents/${id}`, { token: riley }), /body is empty/);
    expectInvalid(
      await api.call('PATCH', `/api/incidents/${id}`, { token: riley, rawBody: '{"status":', headers: { 'content-type': 'application/json' } }),
      /not valid JSON/,
    );
    expectInvalid(
      await api.call('PATCH', `/api/incidents/${id}`, { token: riley, rawBody: 'status=Active', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      /Content-Type: application\/json/,
    );
    expectInvalid(
      await api.call('PATCH', `/api/incidents/${id}`, { token: riley, rawBody: '{"status":"Active"}', headers: { 'content-type': 'text/plain' } }),
      /Content-Type: application\/json/,
    );
    expect(
      (await api.call('PATCH', `/api/incidents/${id}`, { token: riley, rawBody: '{"status":"Active"}', headers: { 'content-type': 'application/json; charset=utf-8' } }))
        .status,
    ).toBe(200);
  });

  it('refuses a body over 1 MB', async () => {
    const res = await api.call('PATCH', `/api/incidents/${await pickId()}`, {
      token: riley,
      rawBody: JSON.stringify({ tags: ['x'.repeat(1_100_000)] }),
      headers: { 'content-type': 'application/json' },
    });
    expectInvalid(res, /larger than 1 MB/);
  });

  it('answers 404 for an unknown id and for an incident the responder may not see', async () => {
    const notFound = await patch(999_999_999, { status: 'Active' });
    expect(notFound.status).toBe(404);
    expect((notFound.json as unknown as ErrorBody).error.code).toBe('ResourceNotFound');
    expect((await patch(Number.NaN, { status: 'Active' })).status).toBe(404);

    const wsResponder = await emu.control.users.add({ upn: 'ws.responder@contoso.example', defender: { role: 'responder', deviceGroups: ['Workstations'], canUpdate: true } });
    const visible = new Set(await emu.control.incidents.visibleIds(wsResponder.upn));
    const hidden = (await list()).find((i) => !visible.has(i.incidentId))!.incidentId;
    const token = await defenderToken(emu, wsResponder.upn);
    expect((await patch(hidden, { status: 'Active' }, token)).status).toBe(404);
    expect((await patch(itemAt([...visible], 0, 'visible incidents'), { status: 'Active' }, token)).status).toBe(200);
  });
});
