import { ServerError } from '@azure/msal-node';
import { findUsableAccessToken, RENEWAL_OFFSET_SEC } from '../../src/auth/cachedToken';
import { InteractionRequiredError } from '../../src/auth/errors';
import { classifyMsalError } from '../../src/auth/tokenService';
import { StoreUnavailableError } from '../../src/store/store';

const HOME = 'oid-1.tid-1';
const lookup = { homeAccountId: HOME, tenantId: 'tid-1', clientId: 'client-1', scopes: ['https://api.example/Incident.Read'], nowSec: 1_000_000 };

function cache(entries: Record<string, unknown>[]): string {
  return JSON.stringify({ AccessToken: Object.fromEntries(entries.map((e, i) => [`k${i}`, e])) });
}

const token = (over: Record<string, unknown> = {}) => ({
  home_account_id: HOME,
  credential_type: 'AccessToken',
  client_id: 'client-1',
  realm: 'tid-1',
  secret: 'secret-1',
  target: 'https://api.example/Incident.Read https://api.example/Incident.ReadWrite',
  cached_at: String(lookup.nowSec - 10),
  expires_on: String(lookup.nowSec + 3600),
  token_type: 'Bearer',
  ...over,
});

describe('reading a still-valid access token from the cache without msal', () => {
  it('finds a token that carries every requested scope, whatever their case', () => {
    const found = findUsableAccessToken(cache([token()]), { ...lookup, scopes: ['HTTPS://API.EXAMPLE/incident.read', 'openid', 'offline_access'] });
    expect(found?.accessToken).toBe('secret-1');
    expect(found?.expiresOn.getTime()).toBe((lookup.nowSec + 3600) * 1000);
  });

  it('accepts a token cached in this very second (msal rounds the time, too)', () => {
    expect(findUsableAccessToken(cache([token({ cached_at: String(lookup.nowSec) })]), lookup)?.accessToken).toBe('secret-1');
  });

  it.each([
    ['another account', { home_account_id: 'oid-2.tid-1' }],
    ['another app', { client_id: 'client-2' }],
    ['another tenant', { realm: 'tid-2' }],
    ['a missing scope', { target: 'https://api.example/Other' }],
    ['expiry within the renewal offset', { expires_on: String(lookup.nowSec + RENEWAL_OFFSET_SEC) }],
    ['a refresh that is due', { refresh_on: String(lookup.nowSec - 1) }],
    ['a time in the future (clock turned back)', { cached_at: String(lookup.nowSec + 60) }],
    ['a proof-of-possession token', { token_type: 'pop' }],
    ['no secret', { secret: '' }],
  ])('leaves the decision to msal for %s', (_what, over) => {
    expect(findUsableAccessToken(cache([token(over)]), lookup)).toBeUndefined();
  });

  it('prefers the token that lives longest, and survives an unreadable cache', () => {
    const found = findUsableAccessToken(cache([token({ secret: 'older' }), token({ secret: 'newer', expires_on: String(lookup.nowSec + 4000) })]), lookup);
    expect(found?.accessToken).toBe('newer');
    expect(findUsableAccessToken('{not json', lookup)).toBeUndefined();
    expect(findUsableAccessToken('{}', lookup)).toBeUndefined();
  });
});

describe('classifying token errors', () => {
  it('leaves errors that are not msal\'s unchanged: a store outage stays a store outage, a bug stays a bug', () => {
    const outage = new StoreUnavailableError(new Error('redis down'));
    const bug = new TypeError('x is undefined');
    expect(classifyMsalError(outage, [])).toBe(outage);
    expect(classifyMsalError(bug, [])).toBe(bug);
  });

  it('reads a refresh token Entra no longer accepts as "sign in again", and a server error as an outage', () => {
    expect(classifyMsalError(new ServerError('invalid_grant', 'c', 'AADSTS700082: expired'), ['s'])).toBeInstanceOf(InteractionRequiredError);
    expect(classifyMsalError(new ServerError('server_error', 'c', 'AADSTS50000: error'), ['s'])).toMatchObject({ name: 'IdentityProviderError', kind: 'unavailable' });
    expect(classifyMsalError(new ServerError('invalid_client', 'c', 'AADSTS7000215: bad secret'), ['s'])).toMatchObject({ kind: 'misconfigured', aadsts: 7000215 });
  });
});
