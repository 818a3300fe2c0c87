import { signIn } from '../helpers/appSignIn';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from '../helpers/leaks';
import { startStack } from '../helpers/stack';

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

  it('shows the claims of the analyst\'s Defender token and what each page needs, never the token', async () => {
    const r = await signIn(alex, stack.app.url, 'alex@contoso.example', { returnTo: '/me/token' });
    const page = r.final;
    expect(page.status).toBe(200);
    const claims = Object.fromEntries(page.$('#claims tr').map((_, el) => [[page.$(el).find('th').text(), page.$(el).find('td').text()]]).get());
    const user = (await stack.emu.control.users.get('alex@contoso.example'))!;
    expect(user.upn).toBe('alex@contoso.example');
    expect(claims['Audience (aud)']).toBe('https://api.security.microsoft.com');
    expect(claims['Issuer (iss)']).toBe(`https://sts.windows.net/${user.tenantId}/`);
    expect(claims['Tenant (tid)']).toBe(user.tenantId);
    expect(claims['Object id (oid)']).toBe(user.oid);
    expect(claims['Delegated permissions (scp)']).toBe('Incident.Read Incident.ReadWrite');
    expect(claims['App id (appid)']).toBe((await stack.emu.control.app.registration()).clientId);
    expect(claims['Expires (exp)']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ min/);

    const granted = Object.fromEntries(page.$('#permission-check tbody tr').map((_, el) => [[page.$(el).attr('data-permission'), page.$(el).find('td').last().text()]]).get());
    expect(granted).toEqual({ 'Incident.Read': 'Granted', 'Incident.ReadWrite': 'Granted', 'AdvancedHunting.Read': 'Not granted' });
    expect(page.$('a[href="/admin/consent"]').length).toBeGreaterThan(0);

    // No part of any token the emulator issued appears: not whole, not any of its three segments.
    const jwts = (await stack.emu.control.tokens.issuedSecrets()).filter((s) => s.split('.').length === 3);
    expect(jwts.length).toBeGreaterThan(0);
    for (const jwt of jwts) for (const part of jwt.split('.')) expect(page.body.includes(part)).toBe(false);
  });
});
