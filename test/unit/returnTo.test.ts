import { safeReturnTo } from '../../src/auth/returnTo';

const ORIGIN = 'https://threatdesk.example.com';

describe('post-sign-in return path (open-redirect validator)', () => {
  it.each([
    ['/incidents', '/incidents'],
    ['/incidents?status=Active&severity=High', '/incidents?status=Active&severity=High'],
    ['/incidents/1234', '/incidents/1234'],
    ['/a/../incidents', '/incidents'],
  ])('keeps the relative path %s', (input, expected) => {
    expect(safeReturnTo(input, ORIGIN)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '%2F%2Fevil.example',
    '%2f%5cevil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '%252F%252Fevil.example',
    '/%09/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'incidents',
    '',
    'https://threatdesk.example.com.evil.example/',
    '/%E0%A4%A',
  ])('falls back to / for %j', (input) => {
    expect(safeReturnTo(input, ORIGIN)).toBe('/');
  });

  it('rejects non-strings and overly long values', () => {
    expect(safeReturnTo(['/incidents'], ORIGIN)).toBe('/');
    expect(safeReturnTo(undefined, ORIGIN)).toBe('/');
    expect(safeReturnTo(`/${'a'.repeat(3000)}`, ORIGIN)).toBe('/');
  });
});
