import { InteractionRequiredError } from '../auth/errors';
import { t } from '../i18n/i18n';
import type { RunAsAnalyst } from './access';
import { buildChange, changesSince, ManageInputError, parseManageForm, snapshotOf, type ResolveRequirement, type Snapshot } from './manage';
import type { Incident, IncidentChange } from './model';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from './sources/errors';

/** The form fields a manage request may carry; anything else is ignored. */
const FORM_FIELDS = ['action', 'base', 'seen', 'analyst', 'assign', 'assignTo', 'status', 'verdict', 'tags', 'comment', 'back', 'from'];

export function manageForm(body: unknown): Record<string, string> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(FORM_FIELDS.filter((k) => typeof fields[k] === 'string').map((k) => [k, fields[k] as string]));
}

/** The snapshot the form was rendered from (to show what changed meanwhile), or `fallback` if unreadable. */
function decodeSeen(raw: string | undefined, fallback: Snapshot): Snapshot {
  try {
    const s = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as Partial<Snapshot>;
    if (typeof s.status === 'string' && Array.isArray(s.tags)) {
      return { assignedTo: String(s.assignedTo ?? ''), status: s.status, classification: String(s.classification ?? ''), determination: String(s.determination ?? ''), tags: s.tags.map(String) };
    }
  } catch {
    // fall through
  }
  return fallback;
}

/** Failures after which a write may or may not have been stored: the message keys of what happened, put in words when it does. */
const FAILED: Partial<Record<string, string>> = {
  unavailable: 'incident:failed.unavailable',
  timeout: 'incident:failed.timeout',
  network: 'incident:failed.network',
  malformed: 'incident:failed.malformed',
};

export type ManageOutcome =
  /** `incident`: the incident as it now is, from the API's answer, for the analyst's index. */
  | { kind: 'saved'; change: IncidentChange; commented: boolean; incident: Incident }
  | { kind: 'unchanged' }
  | { kind: 'invalid'; field: string; text: string }
  /** Someone changed the incident since the form was rendered: nothing was written. `incident`: as it is now. */
  | { kind: 'conflict'; changes: { field: string; from: string; to: string }[]; incident: Incident }
  /** The analyst must sign in again (or consent to the write permission) first. */
  | { kind: 'needs-sign-in' }
  /** The API refused the analyst (role or permission). */
  | { kind: 'forbidden'; error: ApiForbiddenError }
  /** The API refused the change itself. */
  | { kind: 'rejected'; text: string }
  /** Nothing could be sent now (the tenant's API budget, or Microsoft's throttling): the text stays, with when to retry. */
  | { kind: 'busy'; retryAtMs: number }
  /** Microsoft failed or did not answer (5xx, a timeout, an unreadable answer): the change may or may not be stored. */
  | { kind: 'failed'; text: string };

/**
 * Applies one manage form to an incident: validates it, re-reads the incident to detect a change
 * made since the form was rendered (the API has no ETag), and sends only the fields that differ.
 */
export async function manageIncident(run: RunAsAnalyst, id: string, form: Record<string, string>, me: string, resolveRequires: readonly ResolveRequirement[]): Promise<ManageOutcome> {
  let request;
  try {
    request = parseManageForm(form, me);
  } catch (err) {
    if (err instanceof ManageInputError) return { kind: 'invalid', field: err.field, text: err.message };
    throw err;
  }
  try {
    return await run('write', async (source, token): Promise<ManageOutcome> => {
      const current = await source.get(token, id);
      if (current.lastUpdateAt !== request.base) {
        return { kind: 'conflict', changes: changesSince(decodeSeen(form.seen, snapshotOf(current)), current), incident: current };
      }
      let change: IncidentChange;
      try {
        change = buildChange(request, current, resolveRequires);
      } catch (err) {
        if (err instanceof ManageInputError) return { kind: 'invalid', field: err.field, text: err.message };
        throw err;
      }
      if (Object.keys(change).length === 0 && !request.comment) return { kind: 'unchanged' };
      // An answer without a body (204) still means the change was stored.
      if (Object.keys(change).length) await source.update(token, id, change);
      if (request.comment) await source.comment(token, id, request.comment);
      // Read back as Microsoft now has it (its last-update time included, which the next form
      // checks against): neither answer above carries the comments and the new time together.
      return { kind: 'saved', change, commented: request.comment !== undefined, incident: await source.get(token, id) };
    });
  } catch (err) {
    if (err instanceof InteractionRequiredError) return { kind: 'needs-sign-in' };
    if (err instanceof BudgetExhaustedError) return { kind: 'busy', retryAtMs: err.retryAtMs };
    if (err instanceof SecurityApiError && err.kind === 'throttled') return { kind: 'busy', retryAtMs: Date.now() + (err.details.retryAfterSec ?? 30) * 1000 };
    if (err instanceof ApiForbiddenError) return { kind: 'forbidden', error: err };
    if (err instanceof SecurityApiError && (err.kind === 'bad-request' || err.kind === 'not-found')) {
      // Microsoft's own message is shown as it came: it is Microsoft's words, not ThreatDesk's.
      return { kind: 'rejected', text: t('incident:failed.refused', { reason: err.details.apiMessage ?? err.details.apiCode ?? `HTTP ${err.status ?? '?'}` }) };
    }
    const failure = err instanceof SecurityApiError ? FAILED[err.kind] : undefined;
    if (failure !== undefined) {
      return { kind: 'failed', text: t('incident:failed.text', { failure: t(failure) }) };
    }
    throw err;
  }
}
