import { InteractionRequiredError } from '../auth/errors';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** Why a sync stopped short, in words for the analyst's banner and the status page (never a token or a body). */
export function syncProblem(err: unknown): string {
  if (err instanceof BudgetExhaustedError) {
    return err.reason === 'paused'
      ? `Microsoft asked ThreatDesk to slow down; syncing resumes at ${time(err.retryAtMs)} UTC.`
      : `The tenant's API budget is in use; syncing resumes at ${time(err.retryAtMs)} UTC.`;
  }
  if (err instanceof InteractionRequiredError) return 'Your sign-in needs renewing before ThreatDesk can read new incidents: sign out and in again.';
  if (err instanceof ApiForbiddenError) return err.permissionGranted ? 'Microsoft refused your account the incident list (your Defender role).' : `The app lacks the ${err.permission} permission: an administrator must grant it.`;
  if (err instanceof SecurityApiError) {
    if (err.kind === 'throttled') return 'Microsoft is throttling the tenant; syncing resumes when it allows.';
    if (err.kind === 'timeout' || err.kind === 'network' || err.kind === 'unavailable') return 'Microsoft did not answer in time; ThreatDesk tries again at the next refresh.';
    return `Microsoft answered with an error (${err.kind}); ThreatDesk tries again at the next refresh.`;
  }
  return 'The sync failed unexpectedly (see the server log); ThreatDesk tries again at the next refresh.';
}

const TRANSIENT = new Set(['throttled', 'unavailable', 'timeout', 'network']);

/** A failure that goes away by itself (the budget, throttling, Microsoft slow or down): the next sync tries again. */
export const passing = (err: Error) => err instanceof BudgetExhaustedError || (err instanceof SecurityApiError && TRANSIENT.has(err.kind));
