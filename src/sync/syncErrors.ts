import { InteractionRequiredError } from '../auth/errors';
import { intl, t } from '../i18n/i18n';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';

/** Every message a sync problem can be; also what a stored record is checked against. */
const PROBLEMS = [
  'admin:syncProblem.paused',
  'admin:syncProblem.budget',
  'admin:syncProblem.signIn',
  'admin:syncProblem.role',
  'admin:syncProblem.permission',
  'admin:syncProblem.throttled',
  'admin:syncProblem.noAnswer',
  'admin:syncProblem.apiError',
  'admin:syncProblem.unexpected',
] as const;
type ProblemKey = (typeof PROBLEMS)[number];
const isProblemKey = (v: unknown): v is ProblemKey => (PROBLEMS as readonly unknown[]).includes(v);

/** Why a sync stopped short, as a message and its values: words come at display time, in the reader's language and zone. */
interface SyncProblem {
  key: ProblemKey;
  /** When syncing resumes (epoch ms), shown as a time of day. */
  at?: number;
  permission?: string;
  kind?: string;
}

function problemOf(err: unknown): SyncProblem {
  if (err instanceof BudgetExhaustedError) {
    return { key: err.reason === 'paused' ? 'admin:syncProblem.paused' : 'admin:syncProblem.budget', at: err.retryAtMs };
  }
  if (err instanceof InteractionRequiredError) return { key: 'admin:syncProblem.signIn' };
  if (err instanceof ApiForbiddenError) return err.permissionGranted ? { key: 'admin:syncProblem.role' } : { key: 'admin:syncProblem.permission', permission: err.permission };
  if (err instanceof SecurityApiError) {
    if (err.kind === 'throttled') return { key: 'admin:syncProblem.throttled' };
    if (err.kind === 'timeout' || err.kind === 'network' || err.kind === 'unavailable') return { key: 'admin:syncProblem.noAnswer' };
    return { key: 'admin:syncProblem.apiError', kind: err.kind };
  }
  return { key: 'admin:syncProblem.unexpected' };
}

const say = (p: SyncProblem) => t(p.key, { time: p.at === undefined ? '' : intl().time(p.at), permission: p.permission, kind: p.kind });

/** Why a sync stopped short, in words for the analyst's banner and the status page (never a token or a body). */
export function syncProblem(err: unknown): string {
  return say(problemOf(err));
}

/**
 * What the index keeps (sync_state.last_error) is read later, by other analysts too (/admin/status):
 * this form stores the message's key and values, not words, so showSyncProblem() can word it for
 * whoever reads it, in their language and time zone.
 */
const RECORD = 'problem:';

export function syncProblemRecord(err: unknown): string {
  return RECORD + JSON.stringify(problemOf(err));
}

/** A stored problem in the reader's words; text stored before records existed is shown as it is. */
export function showSyncProblem(stored: string | null | undefined): string {
  if (!stored) return '';
  if (!stored.startsWith(RECORD)) return stored;
  try {
    const p = JSON.parse(stored.slice(RECORD.length)) as Partial<Record<keyof SyncProblem, unknown>>;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    // Only a sync problem's own messages: a stored key never picks any other text.
    if (isProblemKey(p.key)) {
      return say({ key: p.key, at: typeof p.at === 'number' ? p.at : undefined, permission: text(p.permission), kind: text(p.kind) });
    }
  } catch {
    // Unreadable: the generic message below.
  }
  return t('admin:syncProblem.unexpected');
}

const TRANSIENT = new Set(['throttled', 'unavailable', 'timeout', 'network']);

/** A failure that goes away by itself (the budget, throttling, Microsoft slow or down): the next sync tries again. */
export const passing = (err: Error) => err instanceof BudgetExhaustedError || (err instanceof SecurityApiError && TRANSIENT.has(err.kind));
