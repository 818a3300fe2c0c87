import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';

/**
 * The reported open redirect, end to end: returnTo forms whose normalised path is scheme-relative
 * (`//evil.example`). The full list of forms is replayed by test/unit/returnTo.test.ts.
 */
const codes: string[] = [];
const stack = useFileStack({}, {}, codes);

describe('return path after sign-in', () => {
  it.each(['/..//evil.example', '/.//evil.example', '/%2e//evil.example', '/a/..//evil.example', '/%2e%2e//evil.example/x?y=1'])(
    'control 19: %s ends at / on this site, not at //evil.example',
    async (returnTo) => {
      const b = stack.browser();
      const r = await signIn(b, stack.app.url, 'alex@contoso.example', { returnTo });
      if (r.code) codes.push(r.code);
      const callback = r.hops.find((h) => h.url.startsWith(`${stack.app.url}/auth/redirect`));
      expect(callback?.status).toBe(303);
      expect(callback?.headers.get('location')).toBe('/');
      // `/` sends a signed-in analyst on to their queue: still this site.
      expect(r.final.url).toBe(`${stack.app.url}/incidents`);
    },
  );
});
