import { readFileSync } from 'node:fs';
import path from 'node:path';
import { safeReturnTo } from '../../src/auth/returnTo';

const ORIGIN = 'https://threatdesk.example.com';

const CONTROL: Record<string, string> = { TAB: '\t', LF: '\n', CR: '\r', NUL: '\0', FF: '\f', VT: '\v', DEL: '\x7f' };
/** test/data/open-redirects.txt: one payload a line, `# ` comments, {TAB}/{LF}/… for control characters. */
const PAYLOADS = readFileSync(path.resolve(__dirname, '../data/open-redirects.txt'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && line !== '#' && !line.startsWith('# '))
  .map((line) => line.replace(/\{(TAB|LF|CR|NUL|FF|VT|DEL)\}/g, (_, name: string) => CONTROL[name] as string));

/** Every way a browser or a proxy may read the result, once or after decoding it again. */
function layers(target: string): string[] {
  const out = [target];
  for (let i = 0; i < 4; i++) {
    const last = out[out.length - 1] as string;
    let decoded: string;
    try {
      decoded = decodeURIComponent(last);
    } catch {
      break;
    }
    if (decoded === last) break;
    out.push(decoded);
  }
  return out;
}

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

describe('returnTo open-redirect payloads from test/data/open-redirects.txt', () => {
  it('has at least 50 forms to replay', () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))('control 19: %s ends at a same-origin path with a single leading slash', (_name, payload) => {
    const target = safeReturnTo(payload, ORIGIN);
    // What is checked is the RESULT the browser is sent to, read the way browsers and proxies read it.
    for (const layer of layers(target)) {
      expect(layer).toMatch(/^\/(?![/\\])/);
      // eslint-disable-next-line no-control-regex
      expect(layer).not.toMatch(/[\u0000-\u001f\u007f\\]/);
      const resolved = new URL(layer, ORIGIN);
      expect(resolved.origin).toBe(ORIGIN);
      expect(resolved.pathname).toMatch(/^\/(?![/\\])/);
    }
    // Stable: the browser resolving it again changes nothing.
    const again = new URL(target, ORIGIN);
    expect(again.pathname + again.search).toBe(target);
  });

  it.each([
    ['/..//evil.example'],
    ['/.//x'],
    ['/%2e//x'],
    ['/a/..//x'],
  ])('normalises %s and then refuses what it normalised to (the reported bypass)', (payload) => {
    expect(safeReturnTo(payload, ORIGIN)).toBe('/');
  });
});

