// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function looksSafe(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && !CONTROL.test(path) && !/^\/[a-z][a-z0-9+.-]*:/i.test(path);
}

/**
 * The only post-sign-in destinations are paths on this site (ASVS 3.7.2, RFC 9700 §2: no open
 * redirectors). Protocol-relative (`//x`), backslash (`/\x`), scheme (`https:`, `javascript:`) and
 * their percent-encoded forms all fall back to `/`.
 */
export function safeReturnTo(raw: unknown, origin: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  // Check every decoding layer: browsers and proxies may decode once more than we expect.
  let layer = raw;
  for (let i = 0; i < 4; i++) {
    if (!looksSafe(layer)) return '/';
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return '/';
    }
    if (decoded === layer) break;
    layer = decoded;
  }
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  return url.pathname + url.search;
}
