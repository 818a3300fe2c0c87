import { loadConfig } from '../../src/config/config';

const env = {
  TENANT: '11111111-1111-4111-8111-111111111111',
  CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  CLIENT_SECRET: 'secret-value',
  SESSION_SECRETS: 'a'.repeat(32),
};

describe('redirect URIs', () => {
  it('control 15: the redirect URI is exact, https for an https deployment, derived from BASE_URL alone and equal to the callback route', () => {
    const c = loadConfig({ ...env, BASE_URL: 'https://threatdesk.example.com/' });
    expect(c.redirectUri).toBe('https://threatdesk.example.com/auth/redirect');
    expect(new URL(c.redirectUri).protocol).toBe('https:');
    expect(c.redirectUri).not.toMatch(/[*?#]/);
    expect([c.adminConsentRedirectUri, c.postLogoutRedirectUri]).toEqual(['https://threatdesk.example.com/admin/consent/callback', 'https://threatdesk.example.com/auth/signed-out']);
    // A base URL with a path keeps it; fragments, credentials and relative addresses are refused.
    expect(loadConfig({ ...env, BASE_URL: 'https://soc.example.com/threatdesk' }).redirectUri).toBe('https://soc.example.com/threatdesk/auth/redirect');
    for (const bad of ['https://user:pw@threatdesk.example.com', 'https://threatdesk.example.com/#x', 'threatdesk.example.com']) {
      expect(() => loadConfig({ ...env, BASE_URL: bad })).toThrow(/BASE_URL/);
    }
  });
});
