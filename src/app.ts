import { randomUUID } from 'node:crypto';
import path from 'node:path';
import compression from 'compression';
import { csrfSync } from 'csrf-sync';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import { IdpSessionIndex } from './auth/idpSessions';
import { authRouter } from './auth/routes';
import { LAST_SEEN_GRANULARITY_MS, sessionLifetime } from './auth/session';
import { hashId } from './logging/logger';
import type { Services } from './services';
import { KeyValueSessionStore } from './store/sessionStore';
import { assetErrorHandler, errorHandler, notFound } from './web/errors/errorHandler';
import { perClientLimit } from './web/rateLimits';
import { adminRouter } from './web/routes/admin';
import { healthRouter } from './web/routes/health';
import { homeRouter } from './web/routes/home';
import { statusRouter } from './web/routes/status';
import { incidentsRouter } from './web/routes/incidents';
import { metricsRouter } from './web/routes/metrics';
import { handoverRouter } from './web/routes/handover';
import { huntingRouter } from './web/routes/hunting';
import { jobsRouter } from './web/routes/jobs';
import { meRouter } from './web/routes/me';
import { preferencesRouter } from './web/routes/preferences';
import { assetHeaders, rejectCrossSite, securityHeaders } from './web/security';
import { renderView } from './web/viewLocals';
import { localise } from './web/locale';
import { formatter } from './i18n/format';
import { DEFAULT_LANGUAGE, translatorFor } from './i18n/i18n';
import { staticAssets } from './web/assets';

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
  app.engine('ejs', renderView);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Express's own lookup of a view's file is kept too (renderView keeps what EJS compiles).
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

  // Text is compressed for browsers that ask. BREACH needs requests the attacker chooses, sent with the
  // victim's session, whose sizes it can watch: SameSite=Lax keeps the session cookie off every
  // cross-site subresource request, and frame-ancestors 'none' off framed pages.
  app.use(compression());

  // Every response carries the security headers, probes and static files included (they need no nonce).
  const headerOptions = { https: config.secureCookies, formActionOrigins: services.authority.browserOrigins };
  app.use(['/healthz', '/readyz', '/static'], assetHeaders(headerOptions));
  app.use(healthRouter(services));
  const assets = staticAssets(path.join(ROOT, 'public'));
  app.locals.asset = assets.asset;
  // What a page rendered before the reader's language is known (an early error) reads: English, in UTC.
  Object.assign(app.locals, { lang: DEFAULT_LANGUAGE, t: translatorFor(DEFAULT_LANGUAGE), intl: formatter({ lang: DEFAULT_LANGUAGE, timeZone: 'UTC' }), otherLanguages: [] });
  app.use('/static', ...assets.serve, assetErrorHandler(logger));
  app.use(securityHeaders(headerOptions));

  const cookieName = sessionCookieName(config.secureCookies);
  app.use(
    session({
      name: cookieName,
      secret: config.sessionSecrets,
      // Signed-in sessions and sign-ins in flight are kept apart (see KeyValueSessionStore).
      store: new KeyValueSessionStore(services.store, config.sessionIdleMs + LAST_SEEN_GRANULARITY_MS),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/' },
    }),
  );
  app.use(sessionLifetime(config.sessionIdleMs, config.sessionAbsoluteMs));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));
  app.use(rejectCrossSite(config.baseUrl.origin));

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
  app.use(localise(services.settings, config.secureCookies));

  // Per client address, counted in Redis across instances when sessions are there.
  app.use('/auth', perClientLimit(services.store, 'auth', config.signInRateLimit, 'errors:rateLimit.signIn'));
  app.use('/admin/consent', perClientLimit(services.store, 'consent', config.adminConsentRateLimit, 'errors:rateLimit.adminConsent'));
  app.use(
    authRouter({
      config,
      clients: services.clients,
      tokens: services.tokens,
      authority: services.authority,
      logger,
      csrfProtection: csrfSynchronisedProtection,
      cookieName,
      // Entra's sign-in sessions → ours, for front-channel sign-out; kept as long as a session can live.
      idpSessions: new IdpSessionIndex(services.store, config.sessionAbsoluteMs),
      // The first fill starts at sign-in, so that the queue usually has the open incidents at once.
      onSignedIn: (account) => void services.sync.start(account),
    }),
  );
  app.use(homeRouter());
  app.use(adminRouter(config, services.authority.authorizeOrigin));
  app.use(meRouter(services));
  app.use(preferencesRouter(services, csrfSynchronisedProtection));
  app.use(incidentsRouter(services, csrfSynchronisedProtection));
  app.use(jobsRouter(services, csrfSynchronisedProtection));
  app.use(metricsRouter(services));
  app.use(handoverRouter(services, csrfSynchronisedProtection));
  app.use(huntingRouter(services, csrfSynchronisedProtection));
  app.use(statusRouter(services));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
