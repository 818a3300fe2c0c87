import { randomBytes } from 'node:crypto';
import { Agent, fetch } from 'undici';
import type { Emulator } from '..';
import { DEFENDER_RESOURCE, THREATDESK_CLIENT_ID } from '../directory';
import { SigningKeys } from '../keys';

/**
 * Access tokens for the Defender emulator minted directly with the emulator's signing key, shaped like
 * the v1 tokens Entra issues for the Defender resource (service-facts §2.8), so Defender tests do not
 * depend on the sign-in flow. `claims` overrides or (with undefined) removes claims.
 */
export function defenderToken(emu: Emulator, upn: string, claims: Record<string, unknown> = {}, keys?: SigningKeys): string {
  const user = emu.context.directory.findUser(upn);
  if (!user) throw new Error(`no user ${upn}`);
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    aud: DEFENDER_RESOURCE,
    iss: `https://sts.windows.net/${user.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    appid: THREATDESK_CLIENT_ID,
    appidacr: '1',
    name: user.name,
    oid: user.oid,
    scp: 'Incident.Read Incident.ReadWrite',
    sub: `sub-${user.oid}`,
    tid: user.tenantId,
    unique_name: user.upn,
    upn: user.upn,
    uti: randomBytes(12).toString('base64url'),
    ver: '1.0',
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  // Minting here stands in for Entra issuing the token, so it goes into the issue ledger too.
  if (typeof payload.uti === 'string' && claims.iat === undefined) emu.context.accessTokens.recordIssued(payload.uti);
  return (keys ?? emu.context.keys).sign(payload);
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: T;
}

export interface ErrorBody {
  error: { code: string; message: string; target: string };
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON (with Content-Type: application/json) unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A plain HTTPS client of the emulated Defender API, trusting exactly the emulator's certificate. */
export class DefenderCaller {
  private readonly agent: Agent;

  constructor(private readonly emu: Emulator) {
    this.agent = new Agent({ connect: { ca: emu.caCertPem } });
  }

  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.emu.urls.defenderBase}${path}`, { method, headers, body, dispatcher: this.agent });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, text, json: json as T };
  }

  get<T = unknown>(path: string, token?: string): Promise<ApiResponse<T>> {
    return this.call<T>('GET', path, { token });
  }

  patch<T = unknown>(path: string, token: string, body: unknown): Promise<ApiResponse<T>> {
    return this.call<T>('PATCH', path, { token, body });
  }

  /** GET /api/incidents with the given query options (encoded here). */
  list<T = unknown>(token: string, query: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const qs = new URLSearchParams(query).toString();
    return this.get<T>(`/api/incidents${qs ? `?${qs}` : ''}`, token);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
