import { Agent, fetch } from 'undici';
import { startEmulator, type Emulator } from '../src';
import { CONTROL_ROUTES, EmulatorControlClient } from '../src/control';
import { controlContract } from './control-contract';

/* The same contract against each implementation of EmulatorControl. */
controlContract('in-process (emu.control)', (emu) => ({ control: emu.control, close: async () => undefined }));
controlContract('over HTTP on the HTTPS listener (EmulatorControlClient)', (emu) => {
  const client = new EmulatorControlClient(emu.urls.authorityHost, emu.caCertPem);
  return { control: client, close: () => client.close() };
});
controlContract('over HTTP on the plain-HTTP listener (EmulatorControlClient)', (emu) => {
  const client = new EmulatorControlClient(emu.urls.browserBase);
  return { control: client, close: () => client.close() };
});

describe('the control endpoints themselves', () => {
  let emu: Emulator;
  let agent: Agent;
  const call = (method: string, path: string, body?: string) =>
    fetch(`${emu.urls.authorityHost}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body,
      dispatcher: agent,
    });

  beforeAll(async () => {
    emu = await startEmulator();
    agent = new Agent({ connect: { ca: emu.caCertPem } });
  });
  afterAll(async () => {
    await agent.close();
    await emu.close();
  });

  it('serves every documented route (none falls through to "No such control route")', async () => {
    const fill = (path: string) =>
      path
        .replace('{upn}', 'alex%40contoso.example')
        .replace('{tenant}', 'contoso.example')
        .replace('{id}', '1')
        .replace(/\?(\w+)=$/, '');
    for (const route of CONTROL_ROUTES) {
      const [method, path] = route.split(' ');
      if (method === undefined || path === undefined) throw new Error(`A control route is not "METHOD /path": ${route}`);
      const res = await call(method, fill(path), method === 'GET' || method === 'DELETE' ? undefined : '{}');
      const text = await res.text();
      expect({ route, fallthrough: text.includes('No such control route') }).toEqual({ route, fallthrough: false });
    }
  });

  it('answers an unknown route with 404 listing the routes, and a body that is not JSON with 400', async () => {
    const unknown = await call('GET', '/nothing-here');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('POST /clock/advance');
    const garbled = await call('POST', '/faults', '{"endpoint":');
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: string }).error).toMatch(/could not be read as JSON/);
  });
});
