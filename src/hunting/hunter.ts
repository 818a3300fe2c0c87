import type { SessionAccount } from '../auth/tokenService';
import type { Backend, QuotaGovernor } from '../budget/governor';
import { waitForCall } from '../budget/waitForCall';
import { INTERACTIVE_WAIT_MS, type IncidentAccess } from '../incidents/access';
import { BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';
import type { ApiHttp } from '../incidents/sources/http';
import { parseHuntingResults, type HuntResult } from './results';

/** The analyst went away (closed the tab, pressed Cancel) while their query ran: nothing is shown. */
export class HuntCancelledError extends Error {
  constructor() {
    super('the hunting query was cancelled');
    this.name = 'HuntCancelledError';
  }
}

/** Hunting runs on Microsoft Graph only; the legacy Defender API's hunting stops on 1 February 2027. */
export class HuntingUnavailableError extends Error {
  constructor() {
    super('advanced hunting needs SECURITY_API=graph');
    this.name = 'HuntingUnavailableError';
  }
}

export interface HuntOutcome {
  result: HuntResult;
  /** From sending the query to reading its answer. */
  elapsedMs: number;
}

/**
 * Runs advanced hunting queries as the analyst, on Graph's `POST /security/runHuntingQuery`. Each
 * query takes a call from the tenant's hunting budget and from its Graph budget; a 429 (calls a
 * minute, or the query CPU Microsoft grants a tenant per 15 minutes) pauses the tenant's hunting
 * until its Retry-After, not its incident syncs. Results are read into memory for this request and
 * never stored.
 */
export class Hunter {
  constructor(
    private readonly access: IncidentAccess,
    private readonly governor: QuotaGovernor,
    /** Graph, or undefined when this instance speaks the legacy Defender API. */
    private readonly graph: ApiHttp | undefined,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get available(): boolean {
    return this.graph !== undefined;
  }

  async run(account: SessionAccount, request: { query: string; timespan: string }, signal: AbortSignal): Promise<HuntOutcome> {
    const graph = this.graph;
    if (!graph) throw new HuntingUnavailableError();
    return this.access.withToken(account, 'hunting', async (token) => {
      for (const backend of ['graph-hunting', 'graph'] as const satisfies Backend[]) {
        const decision = await waitForCall(this.governor, { tenantId: account.tenantId, backend, kind: 'hunt', priority: 'interactive', analyst: account.oid }, INTERACTIVE_WAIT_MS);
        if (!decision.ok) throw new BudgetExhaustedError('graph', decision.reason, decision.retryAtMs);
      }
      const started = this.now();
      try {
        const { body } = await graph.call(token, 'POST', '/v1.0/security/runHuntingQuery', { Query: request.query, Timespan: request.timespan }, { signal, timeoutMs: this.timeoutMs });
        return { result: parseHuntingResults(body), elapsedMs: this.now() - started };
      } catch (err) {
        if (err instanceof SecurityApiError && err.kind === 'throttled') {
          await this.governor.pause(account.tenantId, 'graph-hunting', this.now() + (err.details.retryAfterSec ?? 60) * 1000);
        }
        throw err;
      }
    });
  }
}
