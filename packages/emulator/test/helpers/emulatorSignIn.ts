import { createHash, randomBytes } from 'node:crypto';
import type { Emulator } from '../../src';

/** What the helpers need of an emulator: its addresses and a control face (in-process or over HTTP). */
export type EmulatorRef = Pick<Emulator, 'urls' | 'control'>;
import { DEFENDER_RESOURCE, THREATDESK_CLIENT_ID } from '../../src/directory';
import type { Page, TestBrowser } from '../../src/testing/browser';

export interface SignInOptions {
  /** What to press if a consent page (user or admin) shows up; default accept. */
  consent?: 'accept' | 'decline';
}

const cssString = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/**
 * Drives the emulator's browser pages for `authorizeUrl` (an /authorize or admin-consent URL): follows
 * redirects inside the emulator, picks `upn` on the sign-in page when it appears (an SSO session skips
 * it), answers a consent page, and stops at the first redirect that leaves the emulator. Returns that
 * redirect (its `location` is the client's redirect_uri with code or error), or the auto-submitting page
 * when response_mode=form_post. Throws on an emulator error page or if `upn` is not offered.
 */
export async function signInAtEmulator(browser: TestBrowser, authorizeUrl: string, upn: string, options: SignInOptions = {}): Promise<Page> {
  const emulatorOrigin = new URL(authorizeUrl).origin;
  let page = await browser.get(authorizeUrl);
  for (let step = 0; step < 10; step++) {
    if (page.status >= 300 && page.status < 400 && page.location) {
      if (new URL(page.location).origin !== emulatorOrigin) return page;
      page = await browser.get(page.location);
      continue;
    }
    const kind = page.$('body').attr('data-page');
    if (kind === 'signin') {
      const selector = `button[name="upn"][value=${cssString(upn.toLowerCase())}]`;
      if (!page.$(selector).length) throw new Error(`${upn} is not offered on the sign-in page at ${page.url}`);
      page = await browser.submit(page, selector);
      continue;
    }
    if (kind === 'consent' || kind === 'admin-consent') {
      const action = (options.consent ?? 'accept') === 'accept' ? 'accept' : 'cancel';
      page = await browser.submit(page, `button[name="action"][value="${action}"]`);
      continue;
    }
    if (kind === 'form-post') return page;
    throw new Error(`unexpected emulator response ${page.status} (${kind ?? 'no page kind'}) at ${page.url}: ${page.$('main').text().trim().slice(0, 400)}`);
  }
  throw new Error(`sign-in at ${authorizeUrl} did not finish`);
}

/** The name/value pairs of a form_post page. */
export function formPostFields(page: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  page.$('form#response input[type="hidden"]').each((_, el) => {
    fields[page.$(el).attr('name') ?? ''] = page.$(el).attr('value') ?? '';
  });
  return fields;
}

/** The query of a redirect back to the client. */
export function redirectParams(page: Page): URLSearchParams {
  if (!page.location) throw new Error(`no redirect from ${page.url} (status ${page.status})`);
  return new URL(page.location).searchParams;
}

export const REDIRECT_URI = 'http://localhost:3000/auth/redirect';
export const scope = (name: string) => `${DEFENDER_RESOURCE}/${name}`;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An /authorize URL for ThreatDesk with sensible defaults; `undefined` values drop a parameter. */
export function authorizeUrl(emu: Pick<Emulator, 'urls'>, params: Record<string, string | undefined> = {}, tenant = 'organizations'): string {
  const defaults: Record<string, string | undefined> = {
    client_id: THREATDESK_CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: `openid profile offline_access ${scope('Incident.Read')}`,
    state: randomBytes(8).toString('hex'),
    client_info: '1',
  };
  const url = new URL(`${emu.urls.browserBase}/${tenant}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ ...defaults, ...params })) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

export interface TokenReply {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

/** POSTs a form to the token endpoint (client secret in the body unless `form` says otherwise). */
export async function postToken(
  browser: TestBrowser,
  emu: EmulatorRef,
  form: Record<string, string | undefined>,
  options: { tenant?: string; headers?: Record<string, string>; query?: string } = {},
): Promise<TokenReply> {
  const body: Record<string, string> = {};
  const defaults = { client_id: THREATDESK_CLIENT_ID, client_secret: (await emu.control.app.registration()).clientSecret };
  for (const [k, v] of Object.entries({ ...defaults, ...form })) if (v !== undefined) body[k] = v;
  const url = `${emu.urls.authorityHost}/${options.tenant ?? 'organizations'}/oauth2/v2.0/token${options.query ?? ''}`;
  const page = await browser.post(url, body, options.headers);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(page.body) as Record<string, unknown>;
  } catch {
    // Fault tests look at the raw text.
  }
  return { status: page.status, headers: page.headers, json, text: page.body };
}

/** Signs `upn` in through /authorize and returns the code plus what was sent. */
export async function obtainCode(
  browser: TestBrowser,
  emu: Pick<Emulator, 'urls'>,
  upn: string,
  params: Record<string, string | undefined> = {},
  tenant = 'organizations',
): Promise<{ code: string; verifier?: string; redirect: URLSearchParams }> {
  const pkce = 'code_challenge' in params ? undefined : pkcePair();
  const url = authorizeUrl(emu, { ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {}), ...params }, tenant);
  const page = await signInAtEmulator(browser, url, upn);
  const redirect = redirectParams(page);
  const code = redirect.get('code');
  if (!code) throw new Error(`no code: ${redirect.toString()}`);
  return { code, verifier: pkce?.verifier, redirect };
}

/** Decodes a JWT's payload without verifying it (tests verify separately where it matters). */
export function jwtPayload(token: unknown): Record<string, unknown> {
  const payload = typeof token === 'string' ? token.split('.')[1] : undefined;
  if (payload === undefined) throw new Error('not a token');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
