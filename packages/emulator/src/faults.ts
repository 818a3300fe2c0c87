/**
 * Fault injection for tests and demos: the next N calls of an endpoint answer with a failure
 * instead of their normal response. Endpoints are named, not matched by URL, so tests read clearly.
 */
export const FAULT_ENDPOINTS = [
  'token',
  'authorize',
  'discovery',
  'incidents.list',
  'incidents.get',
  'incidents.update',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export const FAULT_KINDS = ['429', '500', '503', '401', 'delay', 'truncated', 'non-json'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** How many calls it applies to (default 1). */
  count?: number;
  /** Seconds, sent as Retry-After with 429 and 503. */
  retryAfter?: number;
  /** Milliseconds to wait before answering, for `delay` (then the normal response follows). */
  delayMs?: number;
}

export class FaultRegistry {
  private readonly queue: Required<Fault>[] = [];

  add(fault: Fault): void {
    if (!FAULT_ENDPOINTS.includes(fault.endpoint)) throw new Error(`unknown fault endpoint ${String(fault.endpoint)}`);
    if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${String(fault.kind)}`);
    this.queue.push({ count: 1, retryAfter: 1, delayMs: 1000, ...fault });
  }

  /** Takes one use of the first fault queued for `endpoint`, if any. */
  take(endpoint: FaultEndpoint): Required<Fault> | undefined {
    const i = this.queue.findIndex((f) => f.endpoint === endpoint);
    if (i < 0) return undefined;
    const fault = this.queue[i];
    fault.count -= 1;
    if (fault.count <= 0) this.queue.splice(i, 1);
    return fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  pending(): Fault[] {
    return this.queue.map((f) => ({ ...f }));
  }
}
