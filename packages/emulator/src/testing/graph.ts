import type { Emulator } from '..';
import type { EmulatorControl } from '../control/types';
import { ApiCaller, type ApiResponse } from './apiCaller';

/**
 * A Microsoft Graph access token minted through the control face (`tokens.mint` with resource `graph`):
 * `aud` https://graph.microsoft.com, `scp` SecurityIncident.Read.All SecurityIncident.ReadWrite.All unless
 * `claims` says otherwise (undefined values remove a claim).
 */
export async function graphToken(emu: Pick<Emulator, 'control'> | EmulatorControl, upn: string, claims: Record<string, unknown> = {}): Promise<string> {
  const control = 'control' in emu ? emu.control : emu;
  const set = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  const remove = Object.keys(claims).filter((k) => claims[k] === undefined);
  return control.tokens.mint(upn, { resource: 'graph', claims: set, remove });
}

/** Graph's error body. */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

/** A plain HTTPS client of the emulated Graph security API (absolute URLs are nextLinks to follow). */
export class GraphCaller extends ApiCaller {
  constructor(emu: Pick<Emulator, 'urls' | 'caCertPem'>) {
    super(emu.urls.graphBase, emu.caCertPem);
  }

  get<T = unknown>(pathOrUrl: string, token?: string, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.call<T>('GET', pathOrUrl, { token, headers });
  }

  /** GET /v1.0/security/incidents with the given query options (encoded here). */
  list<T = unknown>(token: string, query: Record<string, string> = {}, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    const qs = new URLSearchParams(query).toString();
    return this.get<T>(`/v1.0/security/incidents${qs ? `?${qs}` : ''}`, token, headers);
  }

  incident<T = unknown>(token: string, id: string | number, query = '', headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.get<T>(`/v1.0/security/incidents/${encodeURIComponent(String(id))}${query}`, token, headers);
  }

  patch<T = unknown>(token: string, id: string | number, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.call<T>('PATCH', `/v1.0/security/incidents/${encodeURIComponent(String(id))}`, { token, body, headers });
  }

  comment<T = unknown>(token: string, id: string | number, comment: string, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.call<T>('POST', `/v1.0/security/incidents/${encodeURIComponent(String(id))}/comments`, {
      token,
      body: { '@odata.type': 'microsoft.graph.security.alertComment', comment },
      headers,
    });
  }

  /** POST /v1.0/security/runHuntingQuery with this body (JSON). */
  hunt<T = unknown>(token: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.call<T>('POST', '/v1.0/security/runHuntingQuery', { token, body, headers });
  }
}
