import { load, type CheerioAPI } from 'cheerio';
import { CookieJar } from 'tough-cookie';
import { Agent, fetch } from 'undici';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** Absolute Location of a redirect, if any. */
  location?: string;
  $: CheerioAPI;
}

export interface RequestOptions {
  method?: string;
  /** A field sent more than once (ticked boxes of one name) is a list. */
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

/**
 * A scripted browser for integration tests: a cookie jar shared across origins, trust in exactly the
 * emulator's certificate, redirects followed one hop at a time so tests can assert each step.
 */
export class TestBrowser {
  readonly jar = new CookieJar();
  private readonly dispatcher: Agent;
  /** Every response seen, for the suite-wide "no token in any page or header" scan. */
  static readonly seen: { url: string; headers: string; body: string }[] = [];

  constructor(caPem?: string) {
    this.dispatcher = new Agent({ connect: caPem ? { ca: caPem } : {} });
  }

  async request(url: string, options: RequestOptions = {}): Promise<Page> {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Object.entries(options.form).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => [k, one]))).toString();
    }
    const res = await fetch(url, {
      method: options.method ?? (options.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
      dispatcher: this.dispatcher,
    });
    for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, url, { ignoreError: true });
    const text = await res.text();
    const loc = res.headers.get('location');
    const page: Page = {
      url,
      status: res.status,
      headers: res.headers,
      body: text,
      location: loc ? new URL(loc, url).toString() : undefined,
      $: load(text),
    };
    TestBrowser.seen.push({ url, headers: JSON.stringify([...res.headers]), body: text });
    return page;
  }

  get(url: string, headers?: Record<string, string>): Promise<Page> {
    return this.request(url, { headers });
  }

  post(url: string, form: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Page> {
    return this.request(url, { form, headers });
  }

  /** Follows redirects from `url` until a non-redirect or until `stop(url)` says so; returns every hop. */
  async follow(url: string, options: { stop?: (next: string) => boolean; maxHops?: number } = {}): Promise<Page[]> {
    const hops: Page[] = [];
    let next: string | undefined = url;
    for (let i = 0; next && i < (options.maxHops ?? 15); i++) {
      const page = await this.get(next);
      hops.push(page);
      next = page.status >= 300 && page.status < 400 ? page.location : undefined;
      if (next && options.stop?.(next)) break;
    }
    return hops;
  }

  /** Submits the form that contains `selector` (a button, usually), with the button's own name/value. */
  async submit(page: Page, selector: string, extra: Record<string, string | string[]> = {}): Promise<Page> {
    const button = page.$(selector).first();
    if (!button.length) throw new Error(`no element ${selector} on ${page.url}: ${page.body.slice(0, 500)}`);
    const form = button.closest('form');
    if (!form.length) throw new Error(`${selector} is not inside a form on ${page.url}`);
    const fields: Record<string, string | string[]> = {};
    form.find('input[name], textarea[name], select[name]').each((_, el) => {
      const $el = page.$(el);
      const type = ($el.attr('type') ?? '').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && $el.attr('checked') === undefined) return;
      const name = $el.attr('name') as string;
      const value = el.tagName === 'textarea' ? $el.text() : el.tagName === 'select' ? ($el.find('option[selected]').attr('value') ?? $el.find('option').first().attr('value') ?? '') : ($el.attr('value') ?? '');
      // Hidden fields of one name repeat (a list); other controls of one name are alternatives (the last checked wins).
      const had = fields[name];
      fields[name] = type === 'hidden' && had !== undefined ? [...(Array.isArray(had) ? had : [had]), value] : value;
    });
    const bname = button.attr('name');
    if (bname) fields[bname] = button.attr('value') ?? '';
    // A button's own formaction sends the form elsewhere, as in a browser.
    const action = new URL(button.attr('formaction') ?? form.attr('action') ?? page.url, page.url).toString();
    const method = (form.attr('method') ?? 'GET').toUpperCase();
    const data = { ...fields, ...extra };
    if (method === 'GET') {
      const u = new URL(action);
      for (const [k, v] of Object.entries(data)) {
        u.searchParams.delete(k);
        for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
      }
      return this.get(u.toString());
    }
    return this.post(action, data);
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
