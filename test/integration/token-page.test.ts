import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startApp, startStack } from '../helpers/stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let alex: TestBrowser;

beforeAll(async () => {
  stack = await startStack();
  alex = new TestBrowser(stack.emu.caCertPem);
});

afterAll(async () => {
  await assertNoSecretsLeaked(stack.app, stack.emu);
  await alex.close();
  await stack.close();
});

describe('token check page', () => {
  it('needs sign-in', async () => {
    const page = await new TestBrowser().get(`${stack.app.url}/me/token`);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${stack.app.url}/auth/signin?returnTo=%2Fme%2Ftoken`);
  });

  const tokenParts = async () => (await stack.emu.control.tokens.issuedSecrets()).filter((x) => x.split('.').length === 3).flatMap((jwt) => jwt.split('.'));

  it('shows what the Graph token was granted and when it expires, from the token response, without decoding it', async () => {
    const r = await signIn(alex, stack.app.url, 'alex@contoso.example', { returnTo: '/me/token' });
    const page = r.final;
    expect(page.status).toBe(200);
    // Entra grants every permission the tenant consented to for the resource, not only the one asked for.
    expect(page.$('#scp').text().split(' ').sort()).toEqual(['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All']);
    expect(page.$('#expires').text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ min/);
    // Graph tokens are not the client's to read: no claims table, and a sentence that says why.
    expect(page.$('#claims')).toHaveLength(0);
    expect(page.$('#opaque').text()).toContain('not meant to be read');
    const granted = Object.fromEntries(page.$('#permission-check tbody tr').map((_, el) => [[page.$(el).attr('data-permission'), page.$(el).find('td').last().text()]]).get());
    expect(granted['SecurityIncident.Read.All']).toBe('Granted');
    expect(Object.keys(granted)).toEqual(['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All']);
    // No part of any token the emulator issued appears: not whole, not any of its three segments.
    const parts = await tokenParts();
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(page.body.includes(part)).toBe(false);
  });

  it('on the legacy Defender API, also describes the token\'s claims (its v1 tokens are meant for checking)', async () => {
    const legacy = await startApp(stack.emu, { SECURITY_API: 'defender' });
    const b = new TestBrowser(stack.emu.caCertPem);
    try {
      const r = await signIn(b, legacy.url, 'alex@contoso.example', { returnTo: '/me/token' });
      const page = r.final;
      expect(page.status).toBe(200);
      const claims = Object.fromEntries(page.$('#claims tr').map((_, el) => [[page.$(el).find('th').text(), page.$(el).find('td').text()]]).get());
      const user = (await stack.emu.control.users.get('alex@contoso.example'))!;
      expect(claims['Audience (aud)']).toBe('https://api.security.microsoft.com');
      expect(claims['Issuer (iss)']).toBe(`https://sts.windows.net/${user.tenantId}/`);
      expect(claims['Tenant (tid)']).toBe(user.tenantId);
      expect(claims['Object id (oid)']).toBe(user.oid);
      expect(claims['Delegated permissions (scp)']).toBe('Incident.Read Incident.ReadWrite');
      expect(claims['App id (appid)']).toBe((await stack.emu.control.app.registration()).clientId);
      expect(claims['Expires (exp)']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const granted = Object.fromEntries(page.$('#permission-check tbody tr').map((_, el) => [[page.$(el).attr('data-permission'), page.$(el).find('td').last().text()]]).get());
      expect(granted).toEqual({ 'Incident.Read': 'Granted', 'Incident.ReadWrite': 'Granted', 'AdvancedHunting.Read': 'Not granted' });
      expect(page.$('a[href="/admin/consent"]').length).toBeGreaterThan(0);
      for (const part of await tokenParts()) expect(page.body.includes(part)).toBe(false);
    } finally {
      await b.close();
      await legacy.close();
    }
  });
});
