import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { formatter, validTimeZone } from '../i18n/format';
import { DEFAULT_LANGUAGE, inLocale, isLanguage, LANGUAGES, translatorFor, type Language } from '../i18n/i18n';
import type { LocalePreferences, SettingsStore } from '../settings/settingsStore';

declare module 'express-session' {
  interface SessionData {
    /** The analyst's saved language and time zone, read once per session from their settings. */
    locale?: LocalePreferences;
  }
}

/** Cookies for visitors (no session) and for the browser's zone, which a small script sends. */
export const LANGUAGE_COOKIE = 'lang';
export const ZONE_COOKIE = 'tz';
const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * The page's own address with ?lang= set: the top bar's switch keeps the page (and its filter) the
 * analyst is on. Sign-in's pages go home instead: their query carries codes and state.
 */
export function languageHref(originalUrl: string, lang: Language): string {
  const url = new URL(originalUrl, 'http://x');
  if (url.pathname.startsWith('/auth/')) return `/?lang=${lang}`;
  url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

/**
 * Chooses the reader's language: ?lang= on any page (remembered), else what the analyst chose
 * before, else the browser's Accept-Language, else English. The time zone: the analyst's setting,
 * else the browser's (sent by public/js/app.js as a cookie), else UTC. Everything the request
 * renders, deep in the app too, reads them through the i18n context.
 */
export function localise(settings: SettingsStore, secureCookies: boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    chooseLocale(req, res, settings, secureCookies).then(
      ({ lang, timeZone }) => {
        res.locals.lang = lang;
        res.locals.t = translatorFor(lang);
        res.locals.intl = formatter({ lang, timeZone });
        res.locals.otherLanguages = LANGUAGES.filter((l) => l !== lang).map((l) => ({ lang: l, href: languageHref(req.originalUrl, l) }));
        res.setHeader('Content-Language', lang);
        res.vary('Accept-Language');
        inLocale({ lang, timeZone }, next);
      },
      next,
    );
  };
}

async function chooseLocale(req: Request, res: Response, settings: SettingsStore, secure: boolean): Promise<{ lang: Language; timeZone: string }> {
  const cookies = parseCookies(req.headers.cookie ?? '');
  const account = req.session?.account;
  // An unreadable index costs the analyst their chosen language for this page, never the page.
  if (account && req.session.locale === undefined) req.session.locale = await settings.forAnalyst(account).locale().catch(() => undefined);
  const asked = req.query.lang;
  if (isLanguage(asked)) {
    if (cookies[LANGUAGE_COOKIE] !== asked) res.cookie(LANGUAGE_COOKIE, asked, { httpOnly: true, sameSite: 'lax', secure, maxAge: YEAR_MS, path: '/' });
    if (account && req.session.locale && req.session.locale.language !== asked) {
      req.session.locale.language = asked;
      await settings.forAnalyst(account).saveLocale({ language: asked });
    }
  }
  const chosen = [asked, req.session?.locale?.language, cookies[LANGUAGE_COOKIE]].find(isLanguage);
  const lang = chosen ?? (req.acceptsLanguages(...LANGUAGES) || DEFAULT_LANGUAGE);
  const timeZone = validTimeZone(req.session?.locale?.timeZone) ?? validTimeZone(cookies[ZONE_COOKIE]) ?? 'UTC';
  return { lang, timeZone };
}
