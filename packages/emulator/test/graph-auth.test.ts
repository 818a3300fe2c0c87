import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { SigningKeys } from '../src/keys';
import { itemAt } from '../src/lists';
import { DefenderCaller, defenderToken, type ErrorBody } from '../src/testing/defenderTokens';
import { GraphCaller, graphToken, type GraphErrorBody } from '../src/testing/graph';
import type { ApiResponse } from '../src/testing/defenderTokens';
import type { GraphIncident } from './helpers/graph';

let emu: Emulator;
let api: GraphCaller;
let defender: DefenderCaller;
let id: string;

beforeAll(async () => {
  emu = await startEmulator({ quotas: { graph: 100_000 } });
  api = new GraphCaller(emu);
  defender = new DefenderCaller(emu);
  // An incident every analyst of the directory sees (a workstation one).
  id = String((await emu.control.incidents.visibleIds('sam@contoso.example'))[0]);
});
afterAll(async () => {
  await api.close();
  await defender.close();
  await emu.close();
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const nowSec = async () => Math.floor((await emu.control.clock.now()) / 1000);

function expectGraphError(res: ApiResponse, status: number, code: string, message?: RegExp): GraphErrorBody {
  expect(res.status).toBe(status);
  const body = res.json as GraphErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.innerError).toEqual({ date: expect.any(String), 'request-id': expect.stringMatching(GUID), 'client-request-id': expect.any(String) });
  expect(res.headers.get('request-id')).toBe(body.error.innerError['request-id']);
  expect(body.error.message).toMatch(message ?? /\S/);
  return body;
}

const read = (token?: string) => api.list(token ?? '', { $top: '1' });
const write = (token: string) => api.patch(token, id, { customTags: ['auth test'] });
const comment = (token: string) => api.comment(token, id, 'auth test');

describe('Graph authentication (401 InvalidAuthenticationToken)', () => {
  it('refuses a missing, malformed or foreign-signed token, with a WWW-Authenticate challenge', async () => {
    const missing = await api.get('/v1.0/security/incidents');
    expectGraphError(missing, 401, 'InvalidAuthenticationToken', /Access token is empty/);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expectGraphError(await api.call('GET', '/v1.0/security/incidents', { headers: { authorization: 'Basic YWxleDpwdw==' } }), 401, 'InvalidAuthenticationToken');
    expectGraphError(await read('not-a-jwt'), 401, 'InvalidAuthenticationToken', /validation failure/);
    const forged = new SigningKeys().sign(JSON.parse(Buffer.from(itemAt((await graphToken(emu, 'riley@contoso.example')).split('.'), 1, 'JWT parts'), 'base64url').toString()));
    expectGraphError(await read(forged), 401, 'InvalidAuthenticationToken', /signature/);
  });

  it('refuses expired, not-yet-valid and revoked tokens', async () => {
    const now = await nowSec();
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { iat: now - 7200, nbf: now - 7200, exp: now - 60 })), 401, 'InvalidAuthenticationToken', /expired/);
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { nbf: now + 600 })), 401, 'InvalidAuthenticationToken');
    const before = await graphToken(emu, 'riley@contoso.example');
    expect((await read(before)).status).toBe(200);
    await emu.control.tokens.expireAll();
    expectGraphError(await read(before), 401, 'InvalidAuthenticationToken', /revoked/);
    expect((await read(await graphToken(emu, 'riley@contoso.example'))).status).toBe(200);
  });

  it('refuses a token of another audience: a Defender token on Graph, and a Graph token on the Defender API', async () => {
    expectGraphError(await read(await defenderToken(emu, 'riley@contoso.example')), 401, 'InvalidAuthenticationToken', /Invalid audience/);
    const onDefender = await defender.list(await graphToken(emu, 'riley@contoso.example'), { $top: '1' });
    expect(onDefender.status).toBe(401);
    expect((onDefender.json as ErrorBody).error.message).toMatch(/audience 'https:\/\/graph\.microsoft\.com'/);
    // Graph's other spelling of its audience is Graph too.
    expect((await read(await graphToken(emu, 'riley@contoso.example', { aud: '00000003-0000-0000-c000-000000000000' }))).status).toBe(200);
  });

  it('refuses a token of an unknown tenant, a wrong issuer, or a user who does not exist', async () => {
    const tid = '99999999-9999-4999-8999-999999999999';
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { tid, iss: `https://sts.windows.net/${tid}/` })), 401, 'InvalidAuthenticationToken');
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { iss: 'https://login.microsoftonline.com/x/v2.0' })), 401, 'InvalidAuthenticationToken');
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { oid: '00000000-0000-4000-8000-000000000000' })), 401, 'InvalidAuthenticationToken');
  });
});

describe('Graph authorisation: permissions (403 Forbidden)', () => {
  it('reads accept SecurityIncident.Read.All or SecurityIncident.ReadWrite.All, and nothing else', async () => {
    expect((await read(await graphToken(emu, 'riley@contoso.example', { scp: 'SecurityIncident.Read.All' }))).status).toBe(200);
    expect((await read(await graphToken(emu, 'riley@contoso.example', { scp: 'SecurityIncident.ReadWrite.All' }))).status).toBe(200);
    const alerts = await graphToken(emu, 'riley@contoso.example', { scp: 'SecurityAlert.Read.All User.Read' });
    expectGraphError(await read(alerts), 403, 'Forbidden', /API requires one of 'SecurityIncident\.Read\.All, SecurityIncident\.ReadWrite\.All'\. Scopes on the request 'SecurityAlert\.Read\.All, User\.Read'/);
    expectGraphError(await api.incident(alerts, id), 403, 'Forbidden');
    expectGraphError(await read(await graphToken(emu, 'riley@contoso.example', { scp: undefined })), 403, 'Forbidden');
  });

  it('writes (PATCH and comments) need SecurityIncident.ReadWrite.All', async () => {
    const readOnly = await graphToken(emu, 'riley@contoso.example', { scp: 'SecurityIncident.Read.All' });
    expectGraphError(await write(readOnly), 403, 'Forbidden', /API requires one of 'SecurityIncident\.ReadWrite\.All'/);
    expectGraphError(await comment(readOnly), 403, 'Forbidden', /SecurityIncident\.ReadWrite\.All/);
    const readWrite = await graphToken(emu, 'riley@contoso.example', { scp: 'SecurityIncident.ReadWrite.All' });
    expect((await write(readWrite)).status).toBe(200);
    expect((await comment(readWrite)).status).toBe(200);
  });
});

describe('Graph authorisation: Microsoft Entra roles (403 Forbidden)', () => {
  it('reads need Security Reader or higher: alex, sam, riley read; pat (no role) is refused', async () => {
    for (const upn of ['alex@contoso.example', 'sam@contoso.example', 'riley@contoso.example', 'jordan@fabrikam.example']) {
      expect({ upn, status: (await read(await graphToken(emu, upn))).status }).toEqual({ upn, status: 200 });
    }
    const pat = await graphToken(emu, 'pat@contoso.example');
    const body = expectGraphError(await read(pat), 403, 'Forbidden', /pat@contoso\.example has no Microsoft Entra role that may read security incidents/);
    expect(body.error.message).not.toMatch(/SecurityIncident/);
    expectGraphError(await api.incident(pat, id), 403, 'Forbidden');
  });

  it('writes need Security Operator, Security Administrator or Global Administrator: a reader is refused, naming the role', async () => {
    const alex = await graphToken(emu, 'alex@contoso.example');
    const refused = expectGraphError(await write(alex), 403, 'Forbidden', /alex@contoso\.example has no Microsoft Entra role that may manage security incidents/);
    expect(refused.error.message).not.toMatch(/SecurityIncident\.ReadWrite/);
    expectGraphError(await comment(alex), 403, 'Forbidden', /may manage security incidents/);
    expect((await write(await graphToken(emu, 'riley@contoso.example'))).status).toBe(200);
  });

  it('follows role changes at once, with device groups still deciding what is visible', async () => {
    await emu.control.users.add({ upn: 'robin@contoso.example', defender: { role: 'analyst', deviceGroups: ['Workstations'] } });
    const robin = await graphToken(emu, 'robin@contoso.example');
    expectGraphError(await read(robin), 403, 'Forbidden');
    await emu.control.users.update('robin@contoso.example', { entraRoles: ['Security Reader'] });
    const listed = await api.list<{ value: GraphIncident[] }>(robin, { $top: '50' });
    expect(listed.status).toBe(200);
    const visible = new Set((await emu.control.incidents.visibleIds('robin@contoso.example')).map(String));
    expect(listed.json.value.length).toBeGreaterThan(0);
    for (const i of listed.json.value) expect(visible.has(i.id)).toBe(true);
    expectGraphError(await write(robin), 403, 'Forbidden');
    await emu.control.users.update('robin@contoso.example', { entraRoles: ['Security Administrator'] });
    expect((await write(robin)).status).toBe(200);
    await emu.control.users.update('robin@contoso.example', { isGlobalAdmin: true, entraRoles: [] });
    expect((await comment(robin)).status).toBe(200);
    // Device groups narrowed to Lab: the workstation incident is no longer there for robin.
    await emu.control.users.update('robin@contoso.example', { defender: { deviceGroups: ['Lab'] } });
    expect((await api.incident(robin, id)).status).toBe(404);
  });

  it('a Global Administrator without a Defender role passes the role check but sees no incident', async () => {
    const morgan = await graphToken(emu, 'morgan@contoso.example');
    expect((await read(morgan)).status).toBe(200);
    expect((await api.incident(morgan, id)).status).toBe(404);
    expect((await emu.control.users.get('morgan@contoso.example'))?.entraRoles).toEqual(['Global Administrator']);
  });

  it('serves each user their own tenant’s incidents', async () => {
    const jordan = await graphToken(emu, 'jordan@fabrikam.example');
    const listed = await api.list<{ value: GraphIncident[] }>(jordan, { $top: '5' });
    expect(listed.status).toBe(200);
    expect(listed.json.value).toHaveLength(5);
    for (const i of listed.json.value) expect(i.tenantId).not.toBe(CONTOSO_ID);
  });
});

describe('Graph routing', () => {
  it('answers 404 NotFound for other resources and 405 for other methods, in Graph’s error shape', async () => {
    const token = await graphToken(emu, 'riley@contoso.example');
    for (const path of ['/v1.0/security/alerts_v2', '/v1.0/me', '/v1.0/security/incidents/1000/alerts', '/beta/security/incidents']) {
      const res = await api.call('GET', path, { token });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expectGraphError(await api.call('GET', '/v1.0/security/alerts_v2', { token }), 404, 'NotFound');
    expectGraphError(await api.call('DELETE', `/v1.0/security/incidents/${id}`, { token }), 405, 'Request_BadRequest');
    expectGraphError(await api.call('POST', '/v1.0/security/incidents', { token, body: {} }), 405, 'Request_BadRequest');
  });
});
