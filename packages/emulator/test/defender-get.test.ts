import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, FABRIKAM_ID } from '../src/directory';
import { itemAt } from '../src/lists';
import type { Incident } from '../src/defender';
import { DefenderCaller, defenderToken, type ErrorBody } from '../src/testing/defenderTokens';

type Entity = Incident & { '@odata.context': string };

let emu: Emulator;
let api: DefenderCaller;

beforeAll(async () => {
  emu = await startEmulator();
  api = new DefenderCaller(emu);
});
afterAll(async () => {
  await api.close();
  await emu.close();
});

const visibleTo = async (upn: string) => new Set(await emu.control.incidents.visibleIds(upn));

function expectNotFound(res: { status: number; json: unknown }, id: string): void {
  expect(res.status).toBe(404);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe('ResourceNotFound');
  expect(body.error.message).toBe(`Incident ${id} was not found.`);
}

describe('GET /api/incidents/{id}', () => {
  it('returns the incident with the $entity context, identical to its list entry', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example');
    const id = itemAt(await emu.control.incidents.list(CONTOSO_ID), 5, 'incidents').incidentId;
    const res = await api.get<Entity>(`/api/incidents/${id}`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    const { '@odata.context': context, ...incident } = res.json;
    expect(context).toBe('https://api.security.microsoft.com/api/$metadata#Incidents/$entity');
    expect(Object.keys(res.json)[0]).toBe('@odata.context');
    expect(Object.keys(incident).slice(0, 2)).toEqual(['incidentId', 'incidentUri']);
    expect(incident.incidentId).toBe(id);
    expect(incident.incidentUri).toBe(`https://security.microsoft.com/incidents/${id}?tid=${CONTOSO_ID}`);
    expect(incident).toEqual(await emu.control.incidents.get(CONTOSO_ID, id));
    const listed = await api.list<{ value: Incident[] }>(token, { $top: '10' });
    expect(listed.json.value[5]).toEqual(incident);
  });

  it('answers 404 ResourceNotFound for an unknown id', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example');
    expectNotFound(await api.get('/api/incidents/999999999', token), '999999999');
    expectNotFound(await api.get('/api/incidents/1', token), '1');
  });

  it('answers 404 for a non-numeric id (it names no incident), as for an unknown one', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example');
    expectNotFound(await api.get('/api/incidents/abc', token), 'abc');
    expectNotFound(await api.get('/api/incidents/-5', token), '-5');
    expectNotFound(await api.get('/api/incidents/1e3', token), '1e3');
  });

  it('answers 404, not 403, for an incident outside the user’s device groups', async () => {
    const visibleToSam = await visibleTo('sam@contoso.example');
    const onlyAlex = [...(await visibleTo('alex@contoso.example'))].find((id) => !visibleToSam.has(id));
    expect(onlyAlex).toBeDefined();
    expect((await api.get(`/api/incidents/${onlyAlex}`, await defenderToken(emu, 'alex@contoso.example'))).status).toBe(200);
    expectNotFound(await api.get(`/api/incidents/${onlyAlex}`, await defenderToken(emu, 'sam@contoso.example')), String(onlyAlex));
  });

  it('does not serve another tenant’s incident', async () => {
    const contosoIds = new Set((await emu.control.incidents.list(CONTOSO_ID)).map((i) => i.incidentId));
    const fabrikamOnly = (await emu.control.incidents.list(FABRIKAM_ID)).map((i) => i.incidentId).find((id) => !contosoIds.has(id));
    expect(fabrikamOnly).toBeDefined();
    expect(await emu.control.incidents.get(CONTOSO_ID, fabrikamOnly as number)).toBeUndefined();
    expectNotFound(await api.get(`/api/incidents/${fabrikamOnly}`, await defenderToken(emu, 'riley@contoso.example')), String(fabrikamOnly));
    await emu.control.users.add({ upn: 'soc@fabrikam.example', defender: { role: 'responder', deviceGroups: '*', canUpdate: true } });
    expect((await api.get(`/api/incidents/${fabrikamOnly}`, await defenderToken(emu, 'soc@fabrikam.example'))).status).toBe(200);
  });

  it('a merged incident points at an existing incident that is not merged', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example');
    const merged = (await emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Redirected')!;
    const res = await api.get<Entity>(`/api/incidents/${merged.incidentId}`, token);
    expect(res.json.redirectIncidentId).toBe(merged.redirectIncidentId);
    const target = await api.get<Entity>(`/api/incidents/${merged.redirectIncidentId}`, token);
    expect(target.status).toBe(200);
    expect(target.json.status).not.toBe('Redirected');
  });
});
