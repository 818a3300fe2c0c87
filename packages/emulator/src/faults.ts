/**
 * Fault injection for tests and demos: the next N calls of an endpoint answer with a failure
 * instead of their normal response. Endpoints are named, not matched by URL, so tests read clearly.
 * The `incidents.*` endpoints are operations, not URLs: a fault applies to the next such call on
 * either surface (Defender or Graph), so a test written for one API client works for the other.
 * `incidents.comment` is Graph's POST …/comments, and on the Defender API a PATCH whose only property
 * is `comment` (how that API adds comments).
 */
export const FAULT_ENDPOINTS = [
  'token',
  'authorize',
  'discovery',
  'incidents.list',
  'incidents.get',
  'incidents.update',
  'incidents.comment',
  'hunting.run',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/**
 * `429-body` is the legacy Defender throttling answer: 429 with no Retry-After header, the wait only in
 * the message ("You can send requests again in N seconds", N = retryAfter). `no-content`: the call is
 * carried out (and a change stored) but answered 204 with an empty body. `odd-item`: a list answers as
 * usual, except that its first incident does not fit the documented shape (Graph: no `id`; Defender: a
 * word for `incidentId`), as a client must survive. These apply to incidents.* only.
 */
export const FAULT_KINDS = ['429', '429-body', '500', '503', '401', 'delay', 'truncated', 'non-json', 'no-content', 'odd-item'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const API_ONLY_KINDS: readonly FaultKind[] = ['429-body', 'no-content', 'odd-item'];
/** Kinds after which the call itself still runs (the answer is then altered, or only delayed). */
export const RUNNING_KINDS: readonly FaultKind[] = ['delay', 'truncated', 'no-content', 'odd-item'];

/** The list answer of an `odd-item` fault: the first item loses its id (Graph) or gets a word for one (Defender). */
export function withOddItem(body: string): string {
  const parsed = JSON.parse(body) as { value?: Record<string, unknown>[] };
  const first = parsed.value?.[0];
  if (first) {
    if ('incidentId' in first) first.incidentId = 'not-a-number';
    else delete first.id;
  }
  return JSON.stringify(parsed);
}

export interface Fault {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** How many calls it applies to (default 1). */
  count?: number;
  /** Seconds: sent as Retry-After with 429 and 503, written in the message with 429-body. */
  retryAfter?: number;
  /** Milliseconds to wait before answering, for `delay` (then the normal response follows). */
  delayMs?: number;
}

export class FaultRegistry {
  private readonly queue: Required<Fault>[] = [];

  add(fault: Fault): void {
    if (!FAULT_ENDPOINTS.includes(fault.endpoint)) throw new Error(`unknown fault endpoint ${String(fault.endpoint)}`);
    if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${String(fault.kind)}`);
    if (API_ONLY_KINDS.includes(fault.kind) && !fault.endpoint.startsWith('incidents.')) {
      throw new Error(`fault kind ${fault.kind} applies to the incidents.* endpoints only`);
    }
    this.queue.push({ count: 1, retryAfter: 1, delayMs: 1000, ...fault });
  }

  /** Takes one use of the first fault queued for `endpoint`, if any. */
  take(endpoint: FaultEndpoint): Required<Fault> | undefined {
    const fault = this.queue.find((f) => f.endpoint === endpoint);
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.queue.splice(this.queue.indexOf(fault), 1);
    return fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  pending(): Fault[] {
    return this.queue.map((f) => ({ ...f }));
  }
}
