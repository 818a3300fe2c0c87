import { Agent, fetch } from 'undici';
import { ControlError } from './errors';
import type { EmulatorControl } from './types';

/**
 * The control face over HTTP, for tests and demos in another process than the emulator's: the same
 * EmulatorControl as `emu.control`, talking to `/_emulator/…` on either listener. `baseUrl` is the
 * emulator's HTTPS authority host (give `caPem`, the emulator's certificate) or its plain-HTTP browser base.
 */
export class EmulatorControlClient implements EmulatorControl {
  private readonly base: string;
  private readonly agent: Agent;

  constructor(baseUrl: string, caPem?: string) {
    this.base = `${baseUrl.replace(/\/+$/, '')}/_emulator`;
    this.agent = new Agent({ connect: caPem ? { ca: caPem } : {} });
  }

  /** Closes the connections; the client is not usable afterwards. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private async call<T>(method: string, path: string, body?: unknown, options: { lookup?: boolean } = {}): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.agent,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ControlError(res.status >= 400 ? res.status : 500, `The emulator answered ${method} ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
    if (res.ok) return json as T;
    const error = json as { error?: string; found?: boolean } | undefined;
    if (options.lookup && res.status === 404 && error?.found === false) return undefined as T;
    throw new ControlError(res.status, error?.error ?? `${method} ${path} failed with HTTP ${res.status}`);
  }

  private readonly get = <T>(path: string, lookup = false) => this.call<T>('GET', path, undefined, { lookup });
  private readonly send = <T>(method: string, path: string, body?: unknown) => this.call<T>(method, path, body ?? {});

  readonly faults: EmulatorControl['faults'] = {
    add: (faults) => this.send('POST', '/faults', faults),
    list: () => this.get('/faults'),
    clear: () => this.call('DELETE', '/faults'),
  };

  readonly users: EmulatorControl['users'] = {
    add: (user) => this.send('POST', '/users', user),
    get: (upn) => this.get(`/users/${enc(upn)}`, true),
    list: (tenant) => this.get(tenant === undefined ? '/users' : `/users?tenant=${enc(tenant)}`),
    update: (upn, update) => this.send('PATCH', `/users/${enc(upn)}`, update),
    revokeRefreshTokens: async (upn) => (await this.send<{ revoked: number }>('POST', `/users/${enc(upn)}/revoke`)).revoked,
  };

  readonly consent: EmulatorControl['consent'] = {
    grantAdmin: async (tenant, scopes) => (await this.send<{ scopes: string[] }>('POST', `/tenants/${enc(tenant)}/consent`, { scopes })).scopes,
    revokeAdmin: async (tenant, scopes) => (await this.send<{ scopes: string[] }>('POST', `/tenants/${enc(tenant)}/consent/revoke`, { scopes })).scopes,
    tenantScopes: async (tenant) => (await this.get<{ scopes: string[] }>(`/tenants/${enc(tenant)}/consent`)).scopes,
    userScopes: async (upn) => (await this.get<{ scopes: string[] }>(`/users/${enc(upn)}/consent`)).scopes,
  };

  readonly tokens: EmulatorControl['tokens'] = {
    expireAll: () => this.send('POST', '/tokens/expire'),
    mint: async (upn, request) => (await this.send<{ token: string }>('POST', '/tokens', { ...request, upn })).token,
    issuedSecrets: async () => (await this.get<{ secrets: string[] }>('/tokens/issued')).secrets,
  };

  readonly stats: EmulatorControl['stats'] = {
    grants: () => this.get('/stats/grants'),
    mark: async () => (await this.get<{ mark: number }>('/stats/requests/mark')).mark,
    requests: (since) => this.get(since === undefined ? '/stats/requests' : `/stats/requests?since=${enc(String(since))}`),
    clearRequests: () => this.call('DELETE', '/stats/requests'),
  };

  readonly incidents: EmulatorControl['incidents'] = {
    list: (tenant) => this.get(`/tenants/${enc(tenant)}/incidents`),
    get: (tenant, id) => this.get(`/tenants/${enc(tenant)}/incidents/${enc(String(id))}`, true),
    count: async (tenant) => (await this.get<{ count: number }>(`/tenants/${enc(tenant)}/incidents/count`)).count,
    visibleIds: async (upn) => (await this.get<{ ids: number[] }>(`/users/${enc(upn)}/incidents`)).ids,
    listing: () => this.get('/incidents/listing'),
    setListing: (settings) => this.send('PATCH', '/incidents/listing', settings),
    change: (tenant, id, change) => this.send('PATCH', `/tenants/${enc(tenant)}/incidents/${enc(String(id))}`, change),
    add: (tenant, incident) => this.send('POST', `/tenants/${enc(tenant)}/incidents`, incident),
  };

  readonly quotas: EmulatorControl['quotas'] = {
    get: () => this.get('/quotas'),
    set: (quotas) => this.send('PATCH', '/quotas', quotas),
    reset: () => this.send('POST', '/quotas/reset'),
  };

  readonly clock: EmulatorControl['clock'] = {
    now: async () => (await this.get<{ now: number }>('/clock')).now,
    advance: async (ms) => (await this.send<{ now: number }>('POST', '/clock/advance', { ms })).now,
    set: async (epochMs) => (await this.send<{ now: number }>('PUT', '/clock', { now: epochMs })).now,
  };

  readonly app: EmulatorControl['app'] = {
    registration: () => this.get('/app'),
    addRedirectUris: (uris) => this.send('POST', '/app/redirect-uris', { uris }),
  };
}

const enc = encodeURIComponent;
