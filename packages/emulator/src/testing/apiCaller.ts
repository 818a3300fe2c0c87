import { Agent, fetch } from 'undici';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: T;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON (with Content-Type: application/json) unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * A plain HTTPS client of one of the emulated APIs, trusting exactly the emulator's certificate.
 * `pathOrUrl` is a path under the API's base, or an absolute URL (a continuation link).
 */
export class ApiCaller {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    caCertPem: string,
  ) {
    this.agent = new Agent({ connect: { ca: caCertPem } });
  }

  async call<T = unknown>(method: string, pathOrUrl: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const res = await fetch(url, { method, headers, body, dispatcher: this.agent });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, text, json: json as T };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
