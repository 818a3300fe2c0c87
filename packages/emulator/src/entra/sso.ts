import type { Request, Response } from 'express';

/**
 * The emulator's browser session cookie. Browsers do not separate cookies by port, so on localhost the
 * app sees this cookie too; the distinctive name keeps it from colliding with the app's own cookies.
 */
export const SSO_COOKIE = 'emulator_sso';

export function readSessionId(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SSO_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function setSessionCookie(res: Response, id: string): void {
  // A session cookie (no Max-Age): closing the browser ends the emulator session, as with Entra's ESTSAUTH.
  res.cookie(SSO_COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/' });
}

export function clearSessionCookie(res: Response): void {
  res.clearCookie(SSO_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
}
