import type { Backend, CallKind, CallRequest, QuotaGovernor } from '../budget/governor';
import { waitForCall } from '../budget/waitForCall';
import { BudgetExhaustedError, SecurityApiError } from './sources/errors';
import type { IncidentSource } from './sources/source';

export interface BudgetedCaller {
  tenantId: string;
  analyst: string;
  priority: CallRequest['priority'];
  /** How long a call may wait for the budget before it gives up (0: not at all). */
  maxWaitMs: number;
}

/**
 * The source as one caller sees it: every call first takes its token from the tenant's budget, and
 * an upstream 429 pauses the whole tenant (every instance) until its Retry-After, so that nobody
 * else runs into the same wall. A refused call throws BudgetExhaustedError without calling.
 */
export function budgeted(source: IncidentSource, governor: QuotaGovernor, caller: BudgetedCaller, now: () => number = Date.now): IncidentSource {
  const backend: Backend = source.api;
  const guard = async <T>(kind: CallKind, call: () => Promise<T>): Promise<T> => {
    const decision = await waitForCall(governor, { tenantId: caller.tenantId, backend, kind, priority: caller.priority, analyst: caller.analyst }, caller.maxWaitMs);
    if (!decision.ok) throw new BudgetExhaustedError(backend, decision.reason, decision.retryAtMs);
    try {
      return await call();
    } catch (err) {
      if (err instanceof SecurityApiError && err.kind === 'throttled') {
        await governor.pause(caller.tenantId, backend, now() + (err.details.retryAfterSec ?? 30) * 1000);
      }
      throw err;
    }
  };
  return {
    api: source.api,
    list: (token, filter, ctx, continuation) => guard('list', () => source.list(token, filter, ctx, continuation)),
    get: (token, id) => guard('get', () => source.get(token, id)),
    update: (token, id, change) => guard('write', () => source.update(token, id, change)),
    comment: (token, id, text) => guard('write', () => source.comment(token, id, text)),
  };
}
