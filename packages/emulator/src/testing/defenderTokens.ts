import type { Emulator } from '..';
import type { EmulatorControl } from '../control/types';
import type { SigningKeys } from '../keys';
import { ApiCaller, type ApiResponse } from './apiCaller';

export type { ApiResponse, CallOptions } from './apiCaller';

/**
 * An access token for the Defender emulator, minted through the control face (`tokens.mint`): shaped
 * like the v1 tokens Entra issues for the Defender resource (service-facts §2.8) and recorded as issued,
 * so Defender tests do not depend on the sign-in flow. `claims` overrides claims, or removes those given
 * as undefined. With `keys`, the same payload is signed with that (foreign) key instead.
 */
export async function defenderToken(
  emu: Pick<Emulator, 'control'> | EmulatorControl,
  upn: string,
  claims: Record<string, unknown> = {},
  keys?: SigningKeys,
): Promise<string> {
  const control = 'control' in emu ? emu.control : emu;
  const set = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  const remove = Object.keys(claims).filter((k) => claims[k] === undefined);
  const token = await control.tokens.mint(upn, { claims: set, remove });
  if (!keys) return token;
  const [, payload] = token.split('.');
  if (payload === undefined) throw new Error(`The emulator minted a token that is not a JWT: ${token}`);
  return keys.sign(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
}

export interface ErrorBody {
  error: { code: string; message: string; target: string };
}

/** A plain HTTPS client of the emulated Defender API, trusting exactly the emulator's certificate. */
export class DefenderCaller extends ApiCaller {
  constructor(emu: Pick<Emulator, 'urls' | 'caCertPem'>) {
    super(emu.urls.defenderBase, emu.caCertPem);
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
}
