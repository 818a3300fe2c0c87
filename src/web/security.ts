import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * helmet with a strict CSP: scripts only from our own files or with this response's nonce, no inline
 * handlers, no framing, forms only to ourselves and to the sign-in service (sign-out POSTs end there).
 */
export function securityHeaders(options: { https: boolean; formActionOrigins: string[] }) {
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as Response).locals.cspNonce}'`;
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonce, "'strict-dynamic'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...options.formActionOrigins],
        connectSrc: ["'self'"],
        // Upgrading would break the plain-http demo; behind https every URL is https already.
        upgradeInsecureRequests: options.https ? [] : null,
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31536000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    headers(req, res, next);
  };
}

/** Pages with analyst data must not be kept by browsers or shared caches (OWASP session cheat sheet). */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/**
 * Defence in depth next to CSRF tokens: browsers label cross-site requests (Fetch Metadata), so a
 * state-changing request from another site is refused even if a token leaked.
 */
export function rejectCrossSite(req: Request, res: Response, next: NextFunction): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site === 'cross-site') {
    res.status(403).type('text/plain').send('Cross-site request refused');
    return;
  }
  next();
}
