import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { csrfSync } from 'csrf-sync';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import { authRouter } from './auth/routes';
import { LAST_SEEN_GRANULARITY_MS, sessionLifetime } from './auth/session';
import { hashId } from './logging/logger';
import type { Services } from './services';
import { KeyValueSessionStore } from './store/sessionStore';
import { errorHandler, notFound } from './web/errors/errorHandler';
import { adminRouter } from './web/routes/admin';
import { healthRouter } from './web/routes/health';
import { homeRouter } from './web/routes/home';
import { incidentsRouter } from './web/routes/incidents';
import { meRouter } from './web/routes/me';
import { rejectCrossSite, securityHeaders } from './web/security';

const ROOT = path.resolve(__dirname, '..');

export function sessionCookieName(secure: boolean): string {
  // __Host- pins the cookie to this host and path, with Secure, so no sibling subdomain can plant one.
  return secure ? '__Host-threatdesk' : 'threatdesk.sid';
}

/** Builds the Express app from validated config and its services; no listening, so tests pick ports. */
export function createApp(services: Services): express.Express {
  const { config, logger } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Compiled templates are reused; without this EJS recompiles on every request.
  app.set('view cache', true);
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Paths only: query strings of the auth callbacks carry codes and state.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customProps: (req) => ({
        sid: hashId((req as Request).sessionID),
        oid: (req as Request).session?.account?.oid,
      }),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use((req, res, next) => {
    res.locals.requestId = req.id;
    next();
  });

  app.use(healthRouter(services));
  app.use('/static', express.static(path.join(ROOT, 'public'), { index: false, maxAge: '1h' }));
  app.use(securityHeaders({ https: config.secureCookies, formActionOrigins: services.authority.browserOrigins }));

  const cookieName = sessionCookieName(config.secureCookies);
  app.use(
    session({
      name: cookieName,
      secret: config.sessionSecrets,
      store: new KeyValueSessionStore(services.store, config.sessionIdleMs + LAST_SEEN_GRANULARITY_MS),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/' },
    }),
  );
  app.use(sessionLifetime(config.sessionIdleMs, config.sessionAbsoluteMs));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));
  app.use(rejectCrossSite);

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => {
      const token = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
    size: 32,
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.user = req.session?.account;
    // Only signed-in pages have forms, and a token is what would create a session: none for visitors.
    res.locals.csrfToken = req.session?.account ? generateToken(req) : undefined;
    if (req.session?.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  });

  app.use(
    '/auth',
    rateLimit({
      windowMs: 60_000,
      limit: config.signInRateLimit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).type('text/plain').send('Too many sign-in attempts. Wait a minute and try again.');
      },
    }),
  );
  app.use(
    authRouter({
      config,
      clients: services.clients,
      tokens: services.tokens,
      authority: services.authority,
      logger,
      csrfProtection: csrfSynchronisedProtection,
      cookieName,
    }),
  );
  app.use(homeRouter());
  app.use(adminRouter(config, services.authority.authorizeOrigin));
  app.use(meRouter(services));
  app.use(incidentsRouter(services, csrfSynchronisedProtection));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
