import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID } from '../src/directory';
import { SigningKeys } from '../src/keys';
import { itemAt } from '../src/lists';
import { DefenderCaller, defenderToken, type ErrorBody } from '../src/testing/defenderTokens';

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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectError(res: { status: number; json: unknown }, status: number, code: string, message: RegExp): void {
  expect(res.status).toBe(status);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.target).toMatch(GUID);
  expect(body.error.message).toMatch(message);
}

describe('Defender API authentication (401)', () => {
  /** Whole seconds on the emulator clock, which these tokens are checked against. */
  let now: () => number;
  beforeAll(async () => {
    const at = await emu.control.clock.now();
    now = () => Math.floor(at / 1000);
  });

  it('refuses a request without an Authorization header, with WWW-Authenticate: Bearer', async () => {
    const res = await api.get('/api/incidents');
    expectError(res, 401, 'Unauthorized', /Authorization header is missing/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    expect(res.headers.get('odata-version')).toBe('4.0');
  });

  it('refuses another scheme and a garbage token', async () => {
    expectError(await api.call('GET', '/api/incidents', { headers: { authorization: 'Basic YWxleDpwdw==' } }), 401, 'Unauthorized', /Bearer/);
    expectError(await api.get('/api/incidents', 'not-a-jwt'), 401, 'Unauthorized', /invalid/);
  });

  it('refuses a token signed with another key', async () => {
    const forged = await defenderToken(emu, 'riley@contoso.example', {}, new SigningKeys());
    expectError(await api.get('/api/incidents', forged), 401, 'Unauthorized', /signature/);
  });

  it('refuses a token for another audience', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example', { aud: 'https://graph.microsoft.com' });
    expectError(await api.get('/api/incidents', token), 401, 'Unauthorized', /audience/);
  });

  it('refuses a token from another issuer', async () => {
    const v2 = await defenderToken(emu, 'riley@contoso.example', { iss: 'https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/v2.0' });
    expectError(await api.get('/api/incidents', v2), 401, 'Unauthorized', /issuer/);
    const otherTenant = await defenderToken(emu, 'riley@contoso.example', { iss: 'https://sts.windows.net/22222222-2222-4222-8222-222222222222/' });
    expectError(await api.get('/api/incidents', otherTenant), 401, 'Unauthorized', /issuer/);
  });

  it('refuses a token of an unknown tenant', async () => {
    const tid = '99999999-9999-4999-8999-999999999999';
    const token = await defenderToken(emu, 'riley@contoso.example', { tid, iss: `https://sts.windows.net/${tid}/` });
    expectError(await api.get('/api/incidents', token), 401, 'Unauthorized', /tenant/);
  });

  it('refuses an expired token and one not valid yet', async () => {
    const expired = await defenderToken(emu, 'riley@contoso.example', { iat: now() - 7200, nbf: now() - 7200, exp: now() - 60 });
    expectError(await api.get('/api/incidents', expired), 401, 'Unauthorized', /expired/);
    const early = await defenderToken(emu, 'riley@contoso.example', { nbf: now() + 600 });
    expectError(await api.get('/api/incidents', early), 401, 'Unauthorized', /not valid before/);
  });

  it('refuses a token naming a user who does not exist', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example', { oid: '00000000-0000-4000-8000-000000000000' });
    expectError(await api.get('/api/incidents', token), 401, 'Unauthorized', /does not exist/);
  });

  it('refuses a token of a user of another tenant presented with this tenant id', async () => {
    const jordan = await emu.control.users.get('jordan@fabrikam.example');
    expect(jordan?.tenantId).toBe('22222222-2222-4222-8222-222222222222');
    const token = await defenderToken(emu, 'riley@contoso.example', { oid: jordan?.oid });
    expectError(await api.get('/api/incidents', token), 401, 'Unauthorized', /does not exist/);
  });

  it('refuses tokens issued before tokens.expireAll(), and accepts those issued after', async () => {
    const before = await defenderToken(emu, 'riley@contoso.example', { iat: now() - 5 });
    expect((await api.get('/api/incidents?$top=1', before)).status).toBe(200);
    const sameSecond = await defenderToken(emu, 'riley@contoso.example');
    await emu.control.tokens.expireAll();
    expectError(await api.get('/api/incidents?$top=1', before), 401, 'Unauthorized', /revoked/);
    // Issued before the call, even within the same second: refused.
    expectError(await api.get('/api/incidents?$top=1', sameSecond), 401, 'Unauthorized', /revoked/);
    // Issued after it, even within the same second: accepted.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const after = await defenderToken(emu, 'riley@contoso.example');
    expect((await api.get('/api/incidents?$top=1', after)).status).toBe(200);
  });

  it('records the request, and the caller only when the token was valid', async () => {
    const start = await emu.control.stats.mark();
    await api.get('/api/incidents?$top=2&$filter=status+eq+%27Active%27', await defenderToken(emu, 'alex@contoso.example'));
    await api.get('/api/incidents/1', 'garbage');
    const recorded = await emu.control.stats.requests(start);
    expect(recorded).toHaveLength(2);
    const [ok, bad] = recorded;
    expect(ok).toEqual({
      api: 'defender',
      method: 'GET',
      path: '/api/incidents',
      query: { $top: '2', $filter: "status eq 'Active'" },
      upn: 'alex@contoso.example',
      status: 200,
    });
    expect(bad).toMatchObject({ method: 'GET', path: '/api/incidents/1', status: 401 });
    expect(bad!.upn).toBeUndefined();
  });
});

describe('Defender API authorisation (403)', () => {
  it('refuses a token whose scp has neither Incident.Read nor Incident.ReadWrite, naming the permission', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example', { scp: 'AdvancedHunting.Read' });
    expectError(await api.get('/api/incidents', token), 403, 'Forbidden', /Incident\.Read/);
    const none = await defenderToken(emu, 'riley@contoso.example', { scp: undefined });
    expectError(await api.get('/api/incidents/1', none), 403, 'Forbidden', /Incident\.Read/);
  });

  it('accepts either Incident.Read or Incident.ReadWrite for reading', async () => {
    expect((await api.get('/api/incidents?$top=1', await defenderToken(emu, 'alex@contoso.example', { scp: 'Incident.Read' }))).status).toBe(200);
    expect((await api.get('/api/incidents?$top=1', await defenderToken(emu, 'alex@contoso.example', { scp: 'Incident.ReadWrite' }))).status).toBe(200);
  });

  it('refuses a user without a Defender role (pat), saying so', async () => {
    const token = await defenderToken(emu, 'pat@contoso.example');
    const res = await api.get('/api/incidents', token);
    expectError(res, 403, 'Forbidden', /pat@contoso\.example has no Microsoft Defender XDR role/);
    expectError(await api.get('/api/incidents/1000', token), 403, 'Forbidden', /no Microsoft Defender XDR role/);
  });

  it('tells a missing Incident.ReadWrite apart from a read-only role on PATCH', async () => {
    const id = itemAt(await emu.control.incidents.list(CONTOSO_ID), 0, 'incidents').incidentId;
    const readOnlyScope = await api.patch(`/api/incidents/${id}`, await defenderToken(emu, 'riley@contoso.example', { scp: 'Incident.Read' }), {
      status: 'Active',
    });
    expectError(readOnlyScope, 403, 'Forbidden', /delegated permission Incident\.ReadWrite/);

    const visibleToAlex = (await emu.control.incidents.visibleIds('alex@contoso.example'))[0];
    expect(visibleToAlex).toBeDefined();
    const readOnlyRole = await api.patch(`/api/incidents/${visibleToAlex}`, await defenderToken(emu, 'alex@contoso.example'), { status: 'Active' });
    expectError(readOnlyRole, 403, 'Forbidden', /role of alex@contoso\.example \(analyst\) is read-only/);
    expect((readOnlyRole.json as ErrorBody).error.message).not.toMatch(/Incident\.ReadWrite/);

    expectError(await api.patch(`/api/incidents/${id}`, await defenderToken(emu, 'pat@contoso.example'), { status: 'Active' }), 403, 'Forbidden', /no Microsoft Defender XDR role/);
  });
});

describe('Defender API routing', () => {
  it('answers 404 NotFound for anything but the incidents routes', async () => {
    const token = await defenderToken(emu, 'riley@contoso.example');
    for (const [method, path] of [
      ['GET', '/api/alerts'],
      ['POST', '/api/advancedhunting/run'],
      ['DELETE', '/api/incidents/1000'],
      ['POST', '/api/incidents'],
      ['GET', '/api/incidents/1000/alerts'],
      ['GET', '/'],
    ] as const) {
      expectError(await api.call(method, path, { token }), 404, 'NotFound', /^No such resource\. This API serves GET \/api\/incidents/);
    }
  });
});
