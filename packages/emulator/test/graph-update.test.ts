import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import type { Incident } from '../src/defender';
import { DefenderCaller, defenderToken } from '../src/testing/defenderTokens';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';
import type { ApiResponse } from '../src/testing/defenderTokens';
import type { GraphComment, GraphIncident } from './helpers/graph';

type Entity = GraphIncident & { '@odata.context': string };
interface Comments {
  '@odata.context': string;
  value: GraphComment[];
}

let emu: Emulator;
let api: GraphCaller;
let defender: DefenderCaller;
let riley: string;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 100_000, list: 10_000, get: 10_000, update: 10_000 } });
  api = new GraphCaller(emu);
  defender = new DefenderCaller(emu);
  riley = await graphToken(emu, 'riley@contoso.example');
});
afterAll(async () => {
  await api.close();
  await defender.close();
  await emu.close();
});

const TICKS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
/** A different incident for each test (that Riley, who sees all, may change), so tests do not step on each other. */
let next = 0;
const pickId = async (predicate: (s: { status: string; classification: string }) => boolean = () => true) => {
  const candidates = (await emu.control.incidents.list(CONTOSO_ID)).filter(predicate);
  return String(itemAt(candidates, candidates.length - 1 - next++, 'candidate incidents').incidentId);
};
const patch = (id: string, body: unknown, token = riley) => api.patch<Entity>(token, id, body);

function expectBad(res: ApiResponse, message: RegExp): void {
  expect(res.status).toBe(400);
  const body = res.json as GraphErrorBody;
  expect(body.error.code).toBe('BadRequest');
  expect(body.error.message).toMatch(message);
}

describe('PATCH /v1.0/security/incidents/{id}', () => {
  it.each(['inProgress', 'resolved', 'active'])('sets status %s and answers 200 with the updated incident', async (status) => {
    const id = await pickId((s) => s.status !== 'Redirected');
    const res = await patch(id, { status });
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#security/incidents/$entity');
    expect(res.json).toMatchObject({ id, status });
    expect(res.json).not.toHaveProperty('alerts');
    const { '@odata.context': _c, ...fresh } = (await api.incident<Entity>(riley, id)).json;
    const { '@odata.context': _d, ...answered } = res.json;
    expect(fresh).toEqual(answered);
  });

  it('refuses the statuses the service sets itself (redirected, awaitingAction) and unknown ones', async () => {
    const id = await pickId();
    expectBad(await patch(id, { status: 'redirected' }), /status 'redirected' cannot be set.*active, inProgress, resolved/);
    expectBad(await patch(id, { status: 'awaitingAction' }), /status 'awaitingAction' cannot be set/);
    expectBad(await patch(id, { status: 'unknownFutureValue' }), /Invalid value 'unknownFutureValue' for property 'status'/);
    expectBad(await patch(id, { status: 'closed' }), /Invalid value 'closed' for property 'status'/);
  });

  it('assigns, reassigns and unassigns with null', async () => {
    const id = await pickId();
    expect((await patch(id, { assignedTo: 'sam@contoso.example' })).json.assignedTo).toBe('sam@contoso.example');
    expect((await patch(id, { assignedTo: null })).json.assignedTo).toBeNull();
    expect((await patch(id, { assignedTo: 'alex@contoso.example' })).json.assignedTo).toBe('alex@contoso.example');
  });

  it.each([
    ['falsePositive', 'notMalicious', 'notMalicious'],
    ['falsePositive', 'clean', 'notMalicious'],
    ['falsePositive', 'notEnoughDataToValidate', 'notEnoughDataToValidate'],
    ['falsePositive', 'insufficientData', 'notEnoughDataToValidate'],
    ['truePositive', 'compromisedAccount', 'compromisedAccount'],
    ['truePositive', 'compromisedUser', 'compromisedAccount'],
    ['informationalExpectedActivity', 'confirmedActivity', 'confirmedActivity'],
    ['informationalExpectedActivity', 'confirmedUserActivity', 'confirmedActivity'],
    ['truePositive', 'multiStagedAttack', 'multiStagedAttack'],
    ['informationalExpectedActivity', 'securityTesting', 'securityTesting'],
  ])('classifies %s / %s, stored in the metadata spelling (%s)', async (classification, determination, stored) => {
    const id = await pickId();
    const res = await patch(id, { status: 'resolved', classification, determination });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'resolved', classification, determination: stored });
    expect((await api.incident<Entity>(riley, id)).json.determination).toBe(stored);
  });

  it('accepts PascalCase members, as a doc example sends them, and answers camelCase', async () => {
    const id = await pickId();
    const res = await patch(id, { classification: 'TruePositive', determination: 'MultiStagedAttack', status: 'Resolved' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ classification: 'truePositive', determination: 'multiStagedAttack', status: 'resolved' });
  });

  it('clears a classification with unknown (its determination goes back to unknown)', async () => {
    const id = await pickId();
    await patch(id, { classification: 'truePositive', determination: 'malware' });
    const cleared = await patch(id, { classification: 'unknown' });
    expect(cleared.status).toBe(200);
    expect(cleared.json).toMatchObject({ classification: 'unknown', determination: 'unknown' });
    expectBad(await patch(id, { classification: 'unknown', determination: 'malware' }), /determination 'malware' is not valid with classification 'unknown'/);
  });

  it('refuses a determination that does not go with the classification, listing both spellings of the valid ones', async () => {
    const id = await pickId();
    expectBad(
      await patch(id, { classification: 'falsePositive', determination: 'malware' }),
      /'malware' is not valid with classification 'falsePositive'.*notMalicious \(clean\).*notEnoughDataToValidate \(insufficientData\)/,
    );
    await patch(id, { classification: 'truePositive', determination: 'phishing' });
    expectBad(await patch(id, { determination: 'clean' }), /'notMalicious' is not valid with classification 'truePositive' \(the incident's current classification/);
    expectBad(await patch(id, { determination: 'benign' }), /Invalid value 'benign' for property 'determination'/);
  });

  it('replaces customTags; systemTags, severity and other read-only or unknown properties are refused', async () => {
    const id = await pickId();
    expect((await patch(id, { customTags: ['VIP', 'Équipe rouge', '<b>x</b>'] })).json.customTags).toEqual(['VIP', 'Équipe rouge', '<b>x</b>']);
    expect((await patch(id, { customTags: [] })).json.customTags).toEqual([]);
    expectBad(await patch(id, { customTags: 'VIP' }), /'customTags' must be an array of strings/);
    expectBad(await patch(id, { systemTags: ['x'] }), /'systemTags' is read-only/);
    expectBad(await patch(id, { severity: 'high' }), /'severity' is read-only/);
    expectBad(await patch(id, { tags: ['x'] }), /'tags' does not exist on type 'microsoft\.graph\.security\.incident'/);
    expectBad(await patch(id, { comment: 'x' }), /'comment' does not exist/);
    expectBad(await patch(id, { Status: 'active' }), /did you mean 'status'/);
    expectBad(await patch(id, {}), /no property to update/);
    expectBad(await patch(id, { assignedTo: 5 }), /'assignedTo' must be a string, or null/);
    expectBad(await patch(id, { '@odata.type': '#microsoft.graph.security.alert', status: 'active' }), /'@odata.type' of the body must be 'microsoft\.graph\.security\.incident'/);
    expect((await patch(id, { '@odata.type': '#microsoft.graph.security.incident', status: 'active' })).status).toBe(200);
  });

  it('refuses bodies that are empty, not JSON, or not sent as JSON', async () => {
    const id = await pickId();
    const raw = (rawBody: string | undefined, contentType?: string) =>
      api.call('PATCH', `/v1.0/security/incidents/${id}`, { token: riley, rawBody, headers: contentType ? { 'content-type': contentType } : {} });
    expectBad(await raw(undefined), /body is empty/);
    expectBad(await raw('{"status":', 'application/json'), /Unable to read JSON request payload/);
    expectBad(await raw('{"status":"active"}', 'text/plain'), /Content-Type: application\/json/);
    expectBad(await raw('[{"status":"active"}]', 'application/json'), /must be a JSON object/);
  });

  it('bumps lastUpdateDateTime by the emulator clock', async () => {
    const id = await pickId();
    await emu.control.clock.advance(3 * 86_400_000);
    // Tokens issued before are expired on the moved clock.
    expect((await patch(id, { status: 'inProgress' })).status).toBe(401);
    riley = await graphToken(emu, 'riley@contoso.example');
    const clock = await emu.control.clock.now();
    const res = await patch(id, { status: 'inProgress' });
    expect(res.json.lastUpdateDateTime).toMatch(TICKS);
    expect(Math.abs(Date.parse(res.json.lastUpdateDateTime) - clock)).toBeLessThan(60_000);
    expect(Date.parse(res.json.lastUpdateDateTime)).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    const since = await api.list<{ value: GraphIncident[] }>(riley, { $filter: `lastUpdateDateTime ge ${res.json.lastUpdateDateTime}` });
    expect(since.json.value.map((i) => i.id)).toEqual([id]);
  });

  it('answers 404 for an unknown id and for an incident outside the caller’s device groups', async () => {
    const notFound = await patch('999999999', { status: 'active' });
    expect(notFound.status).toBe(404);
    expect((notFound.json as unknown as GraphErrorBody).error.code).toBe('NotFound');
    await emu.control.users.add({ upn: 'ws.operator@contoso.example', entraRoles: ['Security Operator'], defender: { role: 'responder', deviceGroups: ['Workstations'], canUpdate: true } });
    const visible = new Set((await emu.control.incidents.visibleIds('ws.operator@contoso.example')).map(String));
    const hidden = (await emu.control.incidents.list(CONTOSO_ID)).map((s) => String(s.incidentId)).find((i) => !visible.has(i)) as string;
    const token = await graphToken(emu, 'ws.operator@contoso.example');
    expect((await patch(hidden, { status: 'active' }, token)).status).toBe(404);
    expect((await api.comment(token, hidden, 'not mine')).status).toBe(404);
    expect((await patch(itemAt([...visible], 0, 'visible incidents'), { status: 'active' }, token)).status).toBe(200);
  });
});

describe('POST /v1.0/security/incidents/{id}/comments', () => {
  it('adds a comment by the caller and answers 200 with the whole comment collection', async () => {
    const id = await pickId();
    const before = (await api.incident<Entity>(riley, id)).json;
    const res = await api.comment<Comments>(riley, id, 'Contained; <script>alert(1)</script> stays text.');
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`https://graph.microsoft.com/v1.0/$metadata#security/incidents('${id}')/comments`);
    expect(res.json.value.slice(0, -1)).toEqual(before.comments);
    const added = res.json.value.at(-1) as GraphComment;
    expect(Object.keys(added)).toEqual(['comment', 'createdByDisplayName', 'createdDateTime']);
    expect(added).toMatchObject({ comment: 'Contained; <script>alert(1)</script> stays text.', createdByDisplayName: 'riley@contoso.example' });
    const after = (await api.incident<Entity>(riley, id)).json;
    expect(after.comments).toEqual(res.json.value);
    expect(added.createdDateTime).toBe(after.lastUpdateDateTime);
    const second = await api.comment<Comments>(riley, id, 'Second.');
    expect(second.json.value.map((c) => c.comment).slice(-2)).toEqual(['Contained; <script>alert(1)</script> stays text.', 'Second.']);
  });

  it('accepts 30,000 characters and refuses 30,001; refuses an empty comment and other properties', async () => {
    const id = await pickId();
    expect((await api.comment(riley, id, 'x'.repeat(30_000))).status).toBe(200);
    expectBad(await api.comment(riley, id, 'x'.repeat(30_001)), /30,001 characters long; the maximum is 30,000/);
    expectBad(await api.comment(riley, id, '   '), /'comment' is empty/);
    const post = (body: unknown) => api.call('POST', `/v1.0/security/incidents/${id}/comments`, { token: riley, body });
    expectBad(await post({ '@odata.type': 'microsoft.graph.security.alertComment', comment: 'x', author: 'me' }), /'author' does not exist/);
    expectBad(await post({ '@odata.type': 'microsoft.graph.security.incident', comment: 'x' }), /must be 'microsoft\.graph\.security\.alertComment'/);
    expectBad(await post({ '@odata.type': 'microsoft.graph.security.alertComment' }), /'comment' is required/);
    expect((await post({ comment: 'no @odata.type is fine' })).status).toBe(200);
  });
});

describe('one store behind both APIs', () => {
  it('a Graph change is seen by the Defender API, in its own spelling', async () => {
    const id = await pickId();
    const res = await patch(id, { status: 'resolved', classification: 'falsePositive', determination: 'clean', assignedTo: 'sam@contoso.example', customTags: ['from Graph'] });
    expect(res.status).toBe(200);
    await api.comment(riley, id, 'said on Graph');
    const seen = await defender.get<Incident>(`/api/incidents/${id}`, await defenderToken(emu, 'riley@contoso.example'));
    expect(seen.json).toMatchObject({
      incidentId: Number(id),
      status: 'Resolved',
      classification: 'FalsePositive',
      determination: 'NotMalicious',
      assignedTo: 'sam@contoso.example',
      tags: ['from Graph'],
    });
    expect(seen.json.comments.at(-1)).toMatchObject({ comment: 'said on Graph', createdBy: 'riley@contoso.example' });
    expect(seen.json.lastUpdateTime).toBe((await api.incident<Entity>(riley, id)).json.lastUpdateDateTime);
  });

  it('a Defender change is seen by Graph, in its own spelling', async () => {
    const id = await pickId();
    const token = await defenderToken(emu, 'riley@contoso.example');
    const changed = await defender.patch<Incident>(`/api/incidents/${id}`, token, {
      status: 'InProgress',
      classification: 'TruePositive',
      determination: 'CompromisedUser',
      tags: ['from Defender'],
      comment: 'said on Defender',
    });
    expect(changed.status).toBe(200);
    const seen = (await api.incident<Entity>(riley, id)).json;
    expect(seen).toMatchObject({ status: 'inProgress', classification: 'truePositive', determination: 'compromisedUser', customTags: ['from Defender'] });
    expect(seen.comments.at(-1)).toEqual({ comment: 'said on Defender', createdByDisplayName: 'riley@contoso.example', createdDateTime: changed.json.lastUpdateTime });
    expect(seen.lastUpdateDateTime).toBe(changed.json.lastUpdateTime);
  });

  it('a change "in the portal" and a new incident are seen by both', async () => {
    const id = await pickId((s) => s.status !== 'Redirected');
    await emu.control.incidents.change(CONTOSO_ID, Number(id), { status: 'AwaitingAction', comment: 'waiting for approval', by: 'Automation' });
    const graph = (await api.incident<Entity>(riley, id, '', { prefer: 'include-unknown-enum-members' })).json;
    expect(graph.status).toBe('awaitingAction');
    expect(graph.comments.at(-1)).toMatchObject({ comment: 'waiting for approval', createdByDisplayName: 'Automation' });
    const added = await emu.control.incidents.add(CONTOSO_ID, { incidentName: 'Seen on both surfaces', alerts: [{ title: 'A new detection', severity: 'High', deviceGroup: 'Servers' }] });
    const viaGraph = (await api.incident<Entity>(riley, String(added.incidentId), '?$expand=alerts')).json;
    expect(viaGraph).toMatchObject({ id: String(added.incidentId), displayName: 'Seen on both surfaces', severity: 'high', status: 'active' });
    expect(viaGraph.alerts?.[0]).toMatchObject({ title: 'A new detection', severity: 'high', incidentId: String(added.incidentId) });
    expect(viaGraph.alerts?.[0]?.evidence.map((e) => e['@odata.type'])).toContain('#microsoft.graph.security.deviceEvidence');
  });
});
