import express, { type Request, type Response } from 'express';
import { AadError, newTrace } from './errors';
import { sendPage, signedOutPage } from './pages';
import { Params } from './params';
import { showError } from './respond';
import { resolveTenant, type EntraRuntime } from './runtime';
import { clearSessionCookie, readSessionId } from './sso';

/**
 * GET|POST /{tenant}/oauth2/v2.0/logout (service-facts §2.12): ends the emulator's browser session, then
 * returns to `post_logout_redirect_uri` (with `state`) only when it is a registered redirect URI;
 * otherwise, as Entra does, shows a generic "you signed out" page. `logout_hint` and `id_token_hint` are
 * accepted and ignored: there is only one session per browser here.
 */
export function logoutRoutes(rt: EntraRuntime, router: express.Router): void {
  const handler = (req: Request<{ tenant: string }>, res: Response) => {
    const trace = newTrace(rt.clock.now());
    try {
      resolveTenant(rt, req.params.tenant);
    } catch (err) {
      if (!(err instanceof AadError)) throw err;
      return showError(res, err, trace);
    }
    const params = Params.fromUrl(req.originalUrl).merge(Params.fromBody(req.body));
    rt.sessions.end(readSessionId(req));
    clearSessionCookie(res);
    const target = params.get('post_logout_redirect_uri');
    if (target && rt.ctx.directory.redirectUris.has(target)) {
      const url = new URL(target);
      const state = params.get('state');
      if (state !== undefined) url.searchParams.append('state', state);
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      return res.status(302).location(url.toString()).end();
    }
    sendPage(
      res,
      200,
      signedOutPage(target ? 'The application asked to be sent back to an address that is not registered for it, so you stay here.' : undefined),
    );
  };
  const path = '/:tenant/oauth2/v2.0/logout';
  router.get(path, handler);
  router.post(path, express.urlencoded({ extended: false, limit: '16kb' }), handler);
}
