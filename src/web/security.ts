import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { audit } from '../logging/audit';

interface HeaderOptions {
  https: boolean;
  formActionOrigins: string[];
}

const common = (options: HeaderOptions) => ({
  strictTransportSecurity: options.https ? { maxAge: 31536000, includeSubDomains: true } : (false as const),
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
  crossOriginEmbedderPolicy: false,
});

/**
 * helmet with a strict CSP for pages: scripts only from our own files or with this response's nonce,
 * no inline handlers, no framing, forms only to ourselves and to the sign-in service (sign-out POSTs
 * end there).
 */
export function securityHeaders(options: HeaderOptions): RequestHandler {
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as Response).locals.cspNonce as string}'`;
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
    ...common(options),
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    headers(req, res, next);
  };
}

/**
 * The same headers for what is not a page (static files, health probes): nosniff, no framing, HSTS,
 * referrer policy, and a CSP that allows nothing, since nothing there runs. No nonce is needed.
 */
export function assetHeaders(options: HeaderOptions): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    ...common(options),
  });
}

/**
 * The one response a page of another origin may frame: Entra's front-channel sign-out loads it in a
 * hidden iframe on its own sign-out page. Only the sign-in service's origins may frame it; it runs
 * nothing and loads nothing.
 */
export function framableBy(origins: string[]): RequestHandler {
  const policy = `default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ${origins.join(' ')}`;
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    // X-Frame-Options cannot name an origin; frame-ancestors supersedes it wherever it is understood.
    res.removeHeader('X-Frame-Options');
    next();
  };
}

/** Pages with analyst data must not be kept by browsers or shared caches (OWASP session cheat sheet). */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Defence in depth next to CSRF tokens, for every state-changing request: a browser says where a
 * request comes from twice, in `Origin` and in Fetch Metadata (`Sec-Fetch-Site`), and both must say
 * "this site". Another origin (a sibling subdomain is `same-site`, not same-origin), `Origin: null`
 * (sandboxed frames, privacy redirects), or any `Sec-Fetch-Site` but `same-origin` or `none` (typed by
 * the user) is refused even with a valid token. A request with neither header is not from a current
 * browser, and still needs its token.
 */
export function rejectCrossSite(ownOrigin: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    const foreignOrigin = origin !== undefined && origin !== ownOrigin;
    const foreignSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if (foreignOrigin || foreignSite) {
      audit(req, 'cross-site.refused', { method: req.method, path: req.path, origin: origin?.slice(0, 200), secFetchSite: site?.slice(0, 40) });
      res.status(403).set('Cache-Control', 'no-store').type('text/plain').send('Cross-site request refused');
      return;
    }
    next();
  };
}
