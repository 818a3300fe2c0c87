import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, fetch } from 'undici';

/**
 * A test-only msal-node network client that trusts exactly the emulator's certificate and records
 * every call, so a test can prove msal talked to nobody but the emulator. (The app has its own in
 * src/auth/msalNetwork.ts.)
 */
export class TestMsalNetwork implements INetworkModule {
  readonly calls: { method: string; url: string; status: number }[] = [];
  private readonly agent: Agent;

  constructor(caPem: string) {
    this.agent = new Agent({ connect: { ca: caPem } });
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const res = await fetch(url, {
      method,
      headers: options?.headers,
      body: method === 'POST' ? (options?.body ?? '') : undefined,
      dispatcher: this.agent,
    });
    this.calls.push({ method, url, status: res.status });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    return { headers, body: (await res.json()) as T, status: res.status };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
