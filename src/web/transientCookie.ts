import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * A short-lived, signed, `HttpOnly` cookie carrying a little JSON, for state that must be bound to
 * the browser before anyone has signed in (as express-openid-connect's `auth_verification` cookie
 * binds a sign-in's state). Nothing is written to the store for it, so anonymous visitors cost the
 * server nothing. Signed with HMAC-SHA256 under a key derived from each session secret: the first
 * signs, every one verifies (rotation). It expires by its `exp` field as well as by Max-Age.
 */
export class TransientCookie<T> {
  private readonly keys: Buffer[];

  constructor(
    private readonly name: string,
    secrets: string[],
    private readonly options: { secure: boolean; maxAgeMs: number },
  ) {
    this.keys = secrets.map((s) => createHmac('sha256', s).update(`threatdesk transient cookie ${name}`).digest());
  }

  private sign(payload: string, key: Buffer): Buffer {
    return createHmac('sha256', key).update(`${this.name}.${payload}`).digest();
  }

  /** The value this browser holds, if it carries one that is signed by us and not expired. */
  read(req: Request, now = Date.now()): T | undefined {
    const raw = cookieValue(req.get('cookie'), this.name);
    if (!raw) return undefined;
    const [payload, signature] = raw.split('.');
    if (!payload || !signature) return undefined;
    const given = Buffer.from(signature, 'base64url');
    const valid = this.keys.some((key) => {
      const expected = this.sign(payload, key);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; v?: T };
      return typeof parsed.exp === 'number' && parsed.exp > now ? parsed.v : undefined;
    } catch {
      return undefined;
    }
  }

  write(res: Response, value: T, now = Date.now()): void {
    const payload = Buffer.from(JSON.stringify({ exp: now + this.options.maxAgeMs, v: value })).toString('base64url');
    const signature = this.sign(payload, this.keys[0] as Buffer).toString('base64url');
    res.cookie(this.name, `${payload}.${signature}`, { ...this.attributes(), maxAge: this.options.maxAgeMs, encode: String });
  }

  clear(res: Response): void {
    res.clearCookie(this.name, this.attributes());
  }

  private attributes() {
    // Lax: the consent callback is a top-level navigation back from Microsoft, which Lax cookies join.
    return { httpOnly: true, sameSite: 'lax' as const, secure: this.options.secure, path: '/' };
  }
}

/** One cookie's value from a Cookie header (no decoding: our values are base64url). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
