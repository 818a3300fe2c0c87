import type { Response } from 'express';
import { redirectErrorParams, type AadError, type Trace } from './errors';
import { errorPage, formPostPage, sendPage } from './pages';

/** Where and how a response goes back to the client, once its redirect_uri is known to be registered. */
export interface ClientTarget {
  redirectUri: string;
  responseMode: 'query' | 'form_post';
  state?: string;
}

/** Sends `params` (plus `state`) to the client's redirect URI, as a query redirect or a form_post page. */
export function deliver(res: Response, target: ClientTarget, params: Record<string, string>): void {
  const fields = { ...params, ...(target.state !== undefined ? { state: target.state } : {}) };
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  if (target.responseMode === 'form_post') {
    sendPage(res, 200, formPostPage(target.redirectUri, fields));
    return;
  }
  const url = new URL(target.redirectUri);
  // URLSearchParams percent-encodes every value; the registered URI's own query is kept.
  for (const [k, v] of Object.entries(fields)) url.searchParams.append(k, v);
  res.status(302).location(url.toString()).end();
}

export function deliverError(res: Response, target: ClientTarget, err: AadError, trace: Trace, extra: Record<string, string> = {}): void {
  deliver(res, target, { ...extra, ...redirectErrorParams(err.spec, trace) });
}

/** Errors that must not go to an untrusted redirect URI are shown on Entra's error page instead. */
export function showError(res: Response, err: AadError, trace: Trace, status = err.spec.status): void {
  sendPage(res, status, errorPage(err.spec, trace));
}
