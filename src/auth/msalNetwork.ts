import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { fetch, type Agent } from 'undici';
import { isTimeout } from '../http/upstream';

/**
 * msal-node's network client, on our agent: it trusts the configured CA (the emulator's) without
 * disabling verification, and every call has a timeout (msal's built-in client has none for POSTs).
 */
export class MsalNetworkClient implements INetworkModule {
  constructor(
    private readonly agent: Agent,
    private readonly timeoutMs: number,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(url: string, method: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeout ?? this.timeoutMs),
      });
    } catch (err) {
      throw new AuthError('network_error', isTimeout(err) ? 'Request timeout' : `Network request failed: ${(err as Error).message}`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const text = await response.text().catch(() => '');
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      // Same code msal's own client uses, so callers see one kind of "unreadable response".
      throw new AuthError('token_parsing_error', `Failed to parse response from identity provider (HTTP ${response.status})`);
    }
    return { headers, body, status: response.status };
  }
}
