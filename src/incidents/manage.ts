import { intl, t } from '../i18n/i18n';
import { labels } from './labels';
import { CLASSIFICATIONS, DETERMINATIONS, EMAIL, isKnown, SETTABLE_STATUSES, type Incident, type IncidentChange } from './model';

export const MAX_COMMENT = 30_000;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;

/** What a tenant may require before an incident is resolved (RESOLVE_REQUIRES). */
export const RESOLVE_REQUIREMENTS = ['classification', 'determination', 'comment'] as const;
export type ResolveRequirement = (typeof RESOLVE_REQUIREMENTS)[number];

/** The fields a manage form shows, as the analyst saw them when the page was rendered. */
export interface Snapshot {
  assignedTo: string;
  status: string;
  classification: string;
  determination: string;
  tags: string[];
}

export function snapshotOf(i: Pick<Incident, 'assignedTo' | 'status' | 'classification' | 'determination' | 'customTags'>): Snapshot {
  return { assignedTo: i.assignedTo, status: i.status, classification: i.classification, determination: i.determination, tags: [...i.customTags] };
}

/** Whether the analyst may pick a new status for this incident (merged ones are managed in the incident they joined). */
export const canManage = (i: Incident) => i.status !== 'redirected';

export interface ManageRequest {
  /** lastUpdateTime when the form was rendered: the optimistic-concurrency check. */
  base: string;
  /** The values the form asks for; a field the form did not send stays as it is. */
  desired: Partial<Snapshot>;
  comment?: string;
}

export class ManageInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'ManageInputError';
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Validates the manage form: one form for every field (assignee, status, classification and
 * determination, tags, comment). The "Assign to me" button sends `assign=me`, which stands for the
 * analyst's own address; an empty assignee unassigns; an empty status keeps the current one.
 */
export function parseManageForm(body: Record<string, unknown>, me: string): ManageRequest {
  const base = str(body.base);
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(base)) throw new ManageInputError('base', t('incident:invalid.noVersion'));
  const comment = str(body.comment).replace(/\r\n/g, '\n');
  if (comment.length > MAX_COMMENT) throw new ManageInputError('comment', t('incident:invalid.commentTooLong', { max: intl().number(MAX_COMMENT), length: intl().number(comment.length) }));
  const request: ManageRequest = { base, desired: {} };
  if (body.assign === 'me') request.desired.assignedTo = me;
  else if (typeof body.assignTo === 'string') request.desired.assignedTo = body.assignTo.trim();
  const raw = str(body.status);
  if (raw !== '') {
    const status = SETTABLE_STATUSES.find((s) => s.toLowerCase() === raw.toLowerCase());
    if (!status) throw new ManageInputError('status', t('incident:invalid.status', { value: raw }));
    request.desired.status = status;
  }
  if (typeof body.verdict === 'string' || typeof body.classification === 'string') Object.assign(request.desired, classification(body));
  if (typeof body.tags === 'string') {
    const tags = [...new Set(body.tags.split(/[\n,]/).map((t) => t.trim()).filter(Boolean))];
    if (tags.length > MAX_TAGS) throw new ManageInputError('tags', t('incident:invalid.tooManyTags', { max: MAX_TAGS }));
    if (tags.some((t) => t.length > MAX_TAG_LENGTH)) throw new ManageInputError('tags', t('incident:invalid.tagTooLong', { max: MAX_TAG_LENGTH }));
    request.desired.tags = tags;
  }
  if (comment.trim()) request.comment = comment;
  return request;
}

/**
 * Reads the classification and determination, either as two fields or as one `verdict` field
 * ("TruePositive:Malware"): the page offers only valid pairs in one list, so it needs no script.
 */
function classification(body: Record<string, unknown>): Pick<Snapshot, 'classification' | 'determination'> {
  const verdict = str(body.verdict);
  const [c = '', d = ''] = verdict ? verdict.split(':') : [str(body.classification), str(body.determination)];
  if (c === '') {
    if (d) throw new ManageInputError('verdict', t('incident:invalid.determinationAlone'));
    return { classification: '', determination: '' };
  }
  if (!isKnown(CLASSIFICATIONS, c)) throw new ManageInputError('verdict', t('incident:invalid.classification', { value: c }));
  if (d && !DETERMINATIONS[c].includes(d)) throw new ManageInputError('verdict', t('incident:invalid.determination', { value: d }));
  return { classification: c, determination: d };
}

/**
 * Only the fields that differ from the incident as it is now, as the API asks. A status or
 * classification the app does not know is never written back: it is changed only when the analyst
 * chose a new value. An empty classification clears it.
 */
export function buildChange(request: ManageRequest, current: Incident, resolveRequires: readonly ResolveRequirement[] = []): IncidentChange {
  const now = snapshotOf(current);
  if (request.desired.status === 'resolved' && now.status !== 'resolved') checkResolve(request, now, resolveRequires);
  const change: IncidentChange = {};
  const d = request.desired;
  // A new assignee must be an address; the one the incident has (Microsoft may set a name) stays as it is.
  if (d.assignedTo !== undefined && d.assignedTo !== now.assignedTo) {
    if (d.assignedTo && !EMAIL.test(d.assignedTo)) throw new ManageInputError('assignTo', t('incident:invalid.assignee', { value: d.assignedTo }));
    change.assignedTo = d.assignedTo;
  }
  if (d.status !== undefined && d.status !== now.status && isKnown(SETTABLE_STATUSES, d.status)) change.status = d.status;
  // The verdict list shows a classification or determination ThreatDesk does not offer as "Not set":
  // saved as shown, it stays as it is.
  const offered = verdictOf(now);
  if (d.classification !== undefined && `${d.classification}:${d.determination ?? ''}` !== (offered || ':')) {
    if (isKnown(CLASSIFICATIONS, d.classification)) {
      change.classification = d.classification;
      if (d.determination) change.determination = d.determination;
    } else if (d.classification === '' && now.classification !== '') {
      change.classification = 'unknown';
      change.determination = 'unknown';
    }
  }
  if (d.tags !== undefined && (d.tags.length !== now.tags.length || d.tags.some((t, i) => t !== now.tags[i]))) change.customTags = d.tags;
  return change;
}

/** The verdict list's value for an incident's classification and determination: '' when not one it offers. */
export function verdictOf(s: Pick<Snapshot, 'classification' | 'determination'>): string {
  if (!isKnown(CLASSIFICATIONS, s.classification)) return '';
  return `${s.classification}:${DETERMINATIONS[s.classification].includes(s.determination) ? s.determination : ''}`;
}

/** What the tenant asks for before an incident is resolved (RESOLVE_REQUIRES), from the values it will have. */
function checkResolve(request: ManageRequest, now: Snapshot, requires: readonly ResolveRequirement[]): void {
  const classification = request.desired.classification ?? now.classification;
  const determination = request.desired.classification !== undefined ? (request.desired.determination ?? '') : now.determination;
  if (requires.includes('classification') && (classification === '' || classification === 'unknown')) throw new ManageInputError('verdict', t('incident:invalid.resolveNeedsClassification'));
  if (requires.includes('determination') && (determination === '' || determination === 'unknown')) throw new ManageInputError('verdict', t('incident:invalid.resolveNeedsDetermination'));
  if (requires.includes('comment') && !request.comment) throw new ManageInputError('comment', t('incident:invalid.resolveNeedsComment'));
}

/** A saved change in words, for the confirmation: "Assigned to sam@contoso.example; status set to In progress; comment added." */
export function savedText(change: IncidentChange, commented: boolean): string {
  const parts: string[] = [];
  if (change.assignedTo !== undefined) parts.push(change.assignedTo ? t('incident:saved.assigned', { who: change.assignedTo }) : t('incident:saved.unassigned'));
  if (change.status !== undefined) parts.push(t('incident:saved.status', { status: labels.status(change.status) }));
  if (change.classification !== undefined) {
    parts.push(
      change.classification === 'unknown'
        ? t('incident:saved.classificationCleared')
        : change.determination
          ? t('incident:saved.classifiedWithDetermination', { classification: labels.classification(change.classification), determination: labels.determination(change.determination) })
          : t('incident:saved.classified', { classification: labels.classification(change.classification) }),
    );
  }
  if (change.customTags !== undefined) parts.push(change.customTags.length ? t('incident:saved.tags', { tags: change.customTags.join(', ') }) : t('incident:saved.tagsRemoved'));
  if (commented) parts.push(t('incident:saved.commented'));
  // The parts are phrases of one sentence; the first of them starts it.
  const text = parts.join(t('incident:saved.separator'));
  return t('incident:saved.sentence', { text: `${text.charAt(0).toUpperCase()}${text.slice(1)}` });
}

// Message keys, not words: the names are translated when a conflict is shown, in its reader's language.
const CHANGED_FIELDS = [
  ['assignedTo', 'incident:field.assignedTo', (v: string) => v || t('incident:field.unassigned')],
  ['status', 'incident:field.status', labels.status],
  ['classification', 'incident:field.classification', labels.classification],
  ['determination', 'incident:field.determination', labels.determination],
] as const;

/** What changed between the snapshot the analyst saw and the incident now, in words, for the conflict panel. */
export function changesSince(seen: Snapshot, current: Incident): { field: string; from: string; to: string }[] {
  const now = snapshotOf(current);
  const out: { field: string; from: string; to: string }[] = [];
  for (const [field, label, words] of CHANGED_FIELDS) {
    if (seen[field] !== now[field]) out.push({ field: t(label), from: words(seen[field]), to: words(now[field]) });
  }
  if (seen.tags.join('\n') !== now.tags.join('\n')) out.push({ field: t('incident:field.tags'), from: seen.tags.join(', ') || t('incident:field.noTags'), to: now.tags.join(', ') || t('incident:field.noTags') });
  return out;
}
