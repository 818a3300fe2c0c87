import type { Page, TestBrowser } from '@threatdesk/emulator/testing';

export interface SignInResult {
  /** Every hop from /auth/signin to the final page. */
  hops: Page[];
  final: Page;
  /** The authorization code the emulator handed back (for leak scans). */
  code?: string;
}

/**
 * Signs `upn` in to the app through the emulator's pages, as a person would: start at the app, pick the
 * account, accept a consent page if one appears, and follow redirects back to the app.
 */
export async function signIn(browser: TestBrowser, appUrl: string, upn: string, options: { returnTo?: string; start?: string } = {}): Promise<SignInResult> {
  const start = options.start ?? `${appUrl}/auth/signin${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`;
  const hops: Page[] = [];
  let page = await browser.get(start);
  hops.push(page);
  let code: string | undefined;
  for (let i = 0; i < 20; i++) {
    if (page.status >= 300 && page.status < 400 && page.location) {
      if (page.location.startsWith(appUrl)) code ??= new URL(page.location).searchParams.get('code') ?? undefined;
      page = await browser.get(page.location);
      hops.push(page);
      continue;
    }
    const pick = page.$(`button[name="upn"][value="${upn}"]`);
    if (pick.length) {
      page = await browser.submit(page, `button[name="upn"][value="${upn}"]`);
      hops.push(page);
      continue;
    }
    const accept = page.$('button[name="action"][value="accept"], button[value="accept"]');
    if (accept.length) {
      page = await browser.submit(page, 'button[value="accept"]');
      hops.push(page);
      continue;
    }
    break;
  }
  return { hops, final: page, code };
}

/** The session cookie the app set for this browser, if any. */
export async function sessionCookie(browser: TestBrowser, appUrl: string): Promise<string | undefined> {
  const cookies = await browser.jar.getCookies(appUrl);
  return cookies.find((c) => c.key === 'threatdesk.sid' || c.key === '__Host-threatdesk')?.value;
}
