import { ApiForbiddenError, SecurityApiError } from '../../src/incidents/sources/errors';
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

describe('403 guidance, from what the token was granted', () => {
  const refusal = new SecurityApiError('graph', 'forbidden', 403, { apiCode: 'Forbidden', apiMessage: 'Forbidden' });

  it('names a missing permission and points to admin consent', () => {
    const page = forbiddenPage(new ApiForbiddenError('graph', 'SecurityIncident.ReadWrite.All', false, true, refusal));
    expect(page.title).toBe('ThreatDesk lacks the SecurityIncident.ReadWrite.All permission');
    expect(page.admin).toBe(true);
  });

  it('otherwise names the role a write needs', () => {
    const page = forbiddenPage(new ApiForbiddenError('graph', 'SecurityIncident.ReadWrite.All', true, true, refusal));
    expect(page.title).toBe('Your role does not allow this');
    expect(page.what).toContain('Security Operator');
    expect(page.admin).toBeUndefined();
  });

  it('on the legacy API, points at the Defender role and device groups', () => {
    const page = forbiddenPage(new ApiForbiddenError('defender', 'Incident.Read', true, false, new SecurityApiError('defender', 'forbidden', 403)));
    expect(page.what).toContain('device-group');
  });
});
