import { DefenderApiError } from '../../src/defender/errors';
import { isTimeout, parseRetryAfter } from '../../src/http/upstream';
import { forbiddenPage } from '../../src/web/errors/pages';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and caps them', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('999999', now)).toBe(3600);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('timeouts', () => {
  it('recognises our abort signal and undici timeouts, also as causes', () => {
    expect(isTimeout(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTimeout(new TypeError('fetch failed', { cause: Object.assign(new Error('h'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) }))).toBe(true);
    expect(isTimeout(new TypeError('fetch failed', { cause: Object.assign(new Error('r'), { code: 'ECONNREFUSED' }) }))).toBe(false);
  });
});

describe('Defender 403 guidance', () => {
  it('names a missing permission and points to admin consent', () => {
    const page = forbiddenPage(new DefenderApiError('forbidden', 403, 'Forbidden', "The access token lacks the delegated permission 'Incident.ReadWrite'."));
    expect(page.title).toBe('ThreatDesk lacks the Incident.ReadWrite permission');
    expect(page.admin).toBe(true);
  });

  it('otherwise says it is the analyst\'s Defender role', () => {
    const page = forbiddenPage(new DefenderApiError('forbidden', 403, 'Forbidden', 'The Microsoft Defender XDR role of sam@contoso.example (analyst) is read-only.'));
    expect(page.title).toBe('Your Defender role does not allow this');
    expect(page.admin).toBeUndefined();
  });
});
