// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A path on this site as it stands: one leading `/`, no backslash, no control character, no scheme. */
function looksSafe(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && !CONTROL.test(path) && !/^\/[a-z][a-z0-9+.-]*:/i.test(path);
}

/** The path and query `path` resolves to on `origin`, or undefined if it resolves anywhere else. */
function resolveOn(path: string, origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return undefined;
  }
  return url.origin === origin ? url.pathname + url.search : undefined;
}

/**
 * Whether `path` is safe at every decoding layer (browsers and proxies may decode once more than we
 * expect), and so is what each layer normalises to: `/.//x` is harmless as written but resolves to
 * the scheme-relative `//x`.
 */
function safeAtEveryLayer(path: string, origin: string): boolean {
  let layer = path;
  for (let i = 0; i < 4; i++) {
    if (!looksSafe(layer)) return false;
    const resolved = resolveOn(layer, origin);
    if (resolved === undefined || !looksSafe(resolved)) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return false;
    }
    if (decoded === layer) return true;
    layer = decoded;
  }
  // Still decoding after four layers: nobody types that by accident.
  return false;
}

/**
 * The only post-sign-in destinations are paths on this site (ASVS 3.7.2, RFC 9700 §2: no open
 * redirectors). The input is checked, then normalised, and the RESULT, which is what the browser is
 * sent to, is checked again: dot segments (`/..//x`, `/%2e//x`, `/a/..//x`) normalise to the
 * scheme-relative `//x`. Anything that is not plainly a path here falls back to `/`.
 * test/data/open-redirects.txt holds the forms this is tested against.
 */
export function safeReturnTo(raw: unknown, origin: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  if (!safeAtEveryLayer(raw, origin)) return '/';
  const result = resolveOn(raw, origin);
  if (result === undefined || !safeAtEveryLayer(result, origin)) return '/';
  // A fixed point: resolving it again (as the browser will) changes nothing.
  if (resolveOn(result, origin) !== result) return '/';
  return result;
}
