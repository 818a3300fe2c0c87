import type { Response } from 'express';
import type { User } from '../directory';
import type { AadErrorSpec, Trace } from './errors';
import { opaque } from './ids';

/**
 * HTML for the emulator's browser pages. Every interpolated value goes through `html`, which escapes it,
 * because parameters such as `state`, `login_hint` and `redirect_uri` come straight from the request.
 * Only other `html` results are inserted as they are.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  // The pattern matches only ESCAPES' keys.
  return text.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** What a page may interpolate: text and numbers (escaped), other `html` results, lists of these; nothing for undefined, null and false. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (isList(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

const isList = (value: HtmlValue): value is readonly HtmlValue[] => Array.isArray(value);

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  // A template's literal parts surround its values: one more part than values.
  return new SafeHtml(strings.map((text, i) => (i < values.length ? text + render(values[i]) : text)).join(''));
}

const STYLE = `
  :root { color-scheme: light; font-family: "Segoe UI", system-ui, -apple-system, sans-serif; }
  body { margin: 0; background: #f2f2f2; color: #1b1b1b; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem 2.25rem; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  .brand { font-weight: 600; color: #5e5e5e; margin: 0 0 1rem; font-size: .95rem; }
  h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 1rem; }
  p { line-height: 1.45; }
  ul.accounts { list-style: none; padding: 0; margin: 0 0 1rem; }
  ul.accounts li { border-top: 1px solid #e6e6e6; padding: .5rem 0; }
  ul.accounts li:last-child { border-bottom: 1px solid #e6e6e6; }
  .account { display: block; width: 100%; text-align: left; background: none; border: 0; padding: .25rem 0; font: inherit; font-size: 1rem; color: #0067b8; cursor: pointer; }
  .account:hover, .account:focus { text-decoration: underline; }
  .who { color: #5e5e5e; font-size: .85rem; }
  .tag { display: inline-block; font-size: .75rem; background: #e8f1fb; color: #004e8c; padding: 0 .4rem; margin-left: .4rem; border-radius: 2px; }
  .notice { background: #fff4ce; padding: .5rem .75rem; font-size: .9rem; }
  .actions { display: flex; gap: .5rem; justify-content: flex-end; margin-top: 1.5rem; }
  .btn { min-width: 6.5rem; padding: .45rem 1rem; font: inherit; border: 1px solid #8a8a8a; background: #fff; cursor: pointer; }
  .btn.primary { background: #0067b8; border-color: #0067b8; color: #fff; }
  ul.perms { padding-left: 1.1rem; }
  ul.perms li { margin-bottom: .6rem; }
  ul.perms .desc { display: block; color: #5e5e5e; font-size: .85rem; }
  .code { font-family: ui-monospace, Consolas, monospace; font-size: .8rem; background: #f6f6f6; padding: .75rem; white-space: pre-wrap; word-break: break-all; }
  .footer { color: #767676; font-size: .75rem; margin-top: 2rem; }
`;

export type PageKind = 'signin' | 'consent' | 'admin-consent' | 'form-post' | 'error' | 'signed-out';

export interface PageSpec {
  kind: PageKind;
  title: string;
  body: SafeHtml;
  /** Inline script to run (only the form_post page has one); it gets the CSP nonce. */
  script?: string;
}

/** Sends a page with headers that keep codes out of caches and referrers and the page out of frames. */
export function sendPage(res: Response, status: number, page: PageSpec): void {
  const nonce = opaque(16);
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    page.script ? `script-src 'nonce-${nonce}'` : "script-src 'none'",
    'img-src data:',
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    })
    .send(
      html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${new SafeHtml(STYLE)}</style>
</head>
<body data-page="${page.kind}">
<main>
<p class="brand">Microsoft Entra ID · offline emulator</p>
${page.body}
<p class="footer">This page is served by the ThreatDesk emulator. No real Microsoft service is involved.</p>
</main>
${page.script ? html`<script nonce="${nonce}">${new SafeHtml(page.script)}</script>` : ''}
</body>
</html>`.value,
    );
}

export interface SignInPageInput {
  action: string;
  txn: string;
  heading: string;
  /** Who the sign-in is for, e.g. "to continue to ThreatDesk". */
  subtitle: string;
  users: User[];
  tenantNames: Map<string, string>;
  hint?: string;
  signedInUpn?: string;
  notice?: string;
}

export function signInPage(input: SignInPageInput): PageSpec {
  const hint = input.hint?.toLowerCase();
  // The hinted account goes first, as Entra pre-fills it.
  const users = [...input.users].sort((a, b) => Number(b.upn === hint) - Number(a.upn === hint));
  const items = users.map(
    (u) => html`<li>
<button type="submit" class="account" name="upn" value="${u.upn}"${u.upn === hint ? new SafeHtml(' autofocus') : ''}>${u.upn}</button>
<span class="who">${u.name} · ${input.tenantNames.get(u.tenantId) ?? u.tenantId}</span>${u.upn === input.signedInUpn ? html`<span class="tag">Signed in</span>` : ''}${u.upn === hint ? html`<span class="tag">Suggested</span>` : ''}
</li>`,
  );
  return {
    kind: 'signin',
    title: 'Sign in to your account',
    body: html`<h1>${input.heading}</h1>
<p>${input.subtitle}</p>
${input.notice ? html`<p class="notice">${input.notice}</p>` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="txn" value="${input.txn}">
<ul class="accounts">${items}</ul>
<div class="actions"><button type="submit" class="btn" name="action" value="cancel">Cancel</button></div>
</form>`,
  };
}

export interface ConsentPageInput {
  action: string;
  txn: string;
  admin: boolean;
  user: User;
  appName: string;
  tenantName: string;
  permissions: { title: string; description: string; scope: string }[];
}

export function consentPage(input: ConsentPageInput): PageSpec {
  const perms = input.permissions.map(
    (p) => html`<li data-scope="${p.scope}"><strong>${p.title}</strong><span class="desc">${p.description}</span></li>`,
  );
  const intro = input.admin
    ? html`<p><strong>${input.appName}</strong> asks for these permissions for everyone in <strong>${input.tenantName}</strong>. Accepting grants them to the whole organization.</p>`
    : html`<p><strong>${input.appName}</strong> needs your permission to:</p>`;
  return {
    kind: input.admin ? 'admin-consent' : 'consent',
    title: 'Permissions requested',
    body: html`<h1>Permissions requested${input.admin ? ' — accept for your organization' : ''}</h1>
<p class="who">Signed in as ${input.user.upn}</p>
${intro}
<ul class="perms">${perms}</ul>
<form method="post" action="${input.action}">
<input type="hidden" name="txn" value="${input.txn}">
<div class="actions">
<button type="submit" class="btn" name="action" value="cancel">Cancel</button>
<button type="submit" class="btn primary" name="action" value="accept">Accept</button>
</div>
</form>`,
  };
}

/**
 * response_mode=form_post: a form the browser posts to the client. The script (allowed by a CSP nonce)
 * submits it at once; without script the visible Continue button does the same.
 */
export function formPostPage(action: string, fields: Record<string, string>): PageSpec {
  const inputs = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return {
    kind: 'form-post',
    title: 'Working…',
    body: html`<h1>Signing you in</h1>
<form id="response" method="post" action="${action}">
${inputs}
<p>Continue to the application.</p>
<div class="actions"><button type="submit" class="btn primary">Continue</button></div>
</form>`,
    script: `document.getElementById('response').submit();`,
  };
}

export function errorPage(err: AadErrorSpec, trace: Trace): PageSpec {
  return {
    kind: 'error',
    title: 'Sign in error',
    body: html`<h1>Sorry, but we’re having trouble signing you in.</h1>
<p data-error="${err.error}" data-code="${err.code ?? ''}">${err.code ? `AADSTS${err.code}: ` : ''}${err.text}</p>
<p class="code">Trace ID: ${trace.traceId}
Correlation ID: ${trace.correlationId}
Timestamp: ${trace.timestamp}</p>`,
  };
}

export function signedOutPage(notice?: string): PageSpec {
  return {
    kind: 'signed-out',
    title: 'Signed out',
    body: html`<h1>You signed out of your account</h1>
<p>It’s a good idea to close all browser windows.</p>
${notice ? html`<p class="notice">${notice}</p>` : ''}`,
  };
}
