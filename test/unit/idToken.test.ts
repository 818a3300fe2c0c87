import { idTokenProblem } from '../../src/auth/idToken';

const CLIENT = '33333333-3333-4333-8333-333333333333';
const TID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const NOW = 1_800_000_000;
const expected = { clientId: CLIENT, issuerTemplate: 'https://login.microsoftonline.com/{tenantid}/v2.0', tenant: 'organizations' };
const claims = (over: Record<string, unknown> = {}) => ({
  aud: CLIENT,
  iss: `https://login.microsoftonline.com/${TID}/v2.0`,
  tid: TID,
  iat: NOW - 10,
  nbf: NOW - 10,
  exp: NOW + 3600,
  nonce: 'checked by msal',
  ...over,
});

describe('id_token validation', () => {
  it('control 13: accepts an id_token issued for ThreatDesk by the authority, for the token\'s own tenant', () => {
    expect(idTokenProblem(claims(), expected, NOW)).toBeUndefined();
    // An authority whose clock runs ahead: iat and nbf are not held against it.
    expect(idTokenProblem(claims({ iat: NOW + 3 * 3600, nbf: NOW + 3 * 3600, exp: NOW + 4 * 3600 }), expected, NOW)).toBeUndefined();
    expect(idTokenProblem(claims(), { ...expected, tenant: TID }, NOW)).toBeUndefined();
    expect(idTokenProblem(claims(), { ...expected, tenant: 'contoso.example' }, NOW)).toBeUndefined();
  });

  it.each([
    ['another audience', claims({ aud: 'another-app' }), expected],
    ['no audience', claims({ aud: undefined }), expected],
    ['another issuer', claims({ iss: 'https://evil.example/v2.0' }), expected],
    ['an issuer naming another tenant than tid', claims({ iss: `https://login.microsoftonline.com/${OTHER}/v2.0` }), expected],
    ['the v1 issuer', claims({ iss: `https://sts.windows.net/${TID}/` }), expected],
    ['another tenant than the configured tenant id', claims(), { ...expected, tenant: OTHER }],
    ['no tid', claims({ tid: undefined }), expected],
    ['an expired token', claims({ exp: NOW - 301 }), expected],
    ['no expiry', claims({ exp: undefined }), expected],
  ])('control 13: refuses %s', (_name, c, e) => {
    expect(idTokenProblem(c, e, NOW)).toEqual(expect.any(String));
  });

  it('refuses a response without an id_token', () => {
    expect(idTokenProblem(undefined, expected, NOW)).toBe('no id_token');
  });
});
