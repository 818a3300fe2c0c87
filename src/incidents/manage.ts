import { CLASSIFICATIONS, DETERMINATIONS, isKnown, SETTABLE_STATUSES, type Incident, type IncidentChange } from './model';

export const MAX_COMMENT = 30_000;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;

export const ACTIONS = ['assign', 'status', 'classify', 'tags', 'comment'] as const;
export type ManageAction = (typeof ACTIONS)[number];

/** The fields a manage form shows, as the analyst saw them when the page was rendered. */
export interface Snapshot {
  assignedTo: string;
  status: string;
  classification: string;
  determination: string;
  tags: string[];
}

export function snapshotOf(i: Incident): Snapshot {
  return { assignedTo: i.assignedTo, status: i.status, classification: i.classification, determination: i.determination, tags: [...i.customTags] };
}

/** Whether the analyst may pick a new status for this incident (merged ones are managed in the incident they joined). */
export const canManage = (i: Incident) => i.status !== 'redirected';

export interface ManageRequest {
  action: ManageAction;
  /** lastUpdateTime when the form was rendered: the optimistic-concurrency check. */
  base: string;
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
const EMAIL = /^[^\s@"<>()\\,;:]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,63}$/i;

/** Validates a manage form. The analyst's own address is substituted for "me" by the caller. */
export function parseManageForm(body: Record<string, unknown>, me: string): ManageRequest {
  const action = ACTIONS.find((a) => a === body.action);
  if (!action) throw new ManageInputError('action', 'Unknown action');
  const base = str(body.base);
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(base)) throw new ManageInputError('base', 'The form is missing its version; reload the incident and try again');
  const comment = str(body.comment).replace(/\r\n/g, '\n');
  if (comment.length > MAX_COMMENT) throw new ManageInputError('comment', `Comments may be up to ${MAX_COMMENT.toLocaleString('en')} characters (this one has ${comment.length.toLocaleString('en')})`);
  const request: ManageRequest = { action, base, desired: {} };
  switch (action) {
    case 'assign': {
      // The shortcut buttons have their own field: a browser submits the text box alongside them.
      const to = body.assign === 'me' ? 'me' : body.assign === 'none' ? '' : str(body.assignTo).trim();
      const address = to === 'me' ? me : to;
      if (address && !EMAIL.test(address)) throw new ManageInputError('assignTo', `“${to}” is not an email address`);
      request.desired.assignedTo = address;
      break;
    }
    case 'status': {
      const raw = str(body.status);
      // Nothing is preselected for a status the analyst may not set: an empty choice is no choice.
      if (raw === '') throw new ManageInputError('status', 'Choose a status');
      const status = SETTABLE_STATUSES.find((s) => s.toLowerCase() === raw.toLowerCase());
      if (!status) throw new ManageInputError('status', `“${raw}” is not a status you can set`);
      request.desired.status = status;
      if (status === 'resolved') {
        // Resolving asks for the classification and a resolution note (ux-and-security §1.4).
        Object.assign(request.desired, classification(body));
        if (!request.desired.classification) throw new ManageInputError('classification', 'Choose a classification when resolving');
        if (!comment.trim()) throw new ManageInputError('comment', 'Add a resolution note when resolving');
      }
      break;
    }
    case 'classify':
      Object.assign(request.desired, classification(body));
      break;
    case 'tags': {
      const tags = [...new Set(str(body.tags).split(/[\n,]/).map((t) => t.trim()).filter(Boolean))];
      if (tags.length > MAX_TAGS) throw new ManageInputError('tags', `At most ${MAX_TAGS} tags`);
      const long = tags.find((t) => t.length > MAX_TAG_LENGTH);
      if (long) throw new ManageInputError('tags', `Tags may be up to ${MAX_TAG_LENGTH} characters`);
      request.desired.tags = tags;
      break;
    }
    case 'comment':
      if (!comment.trim()) throw new ManageInputError('comment', 'The comment is empty');
      break;
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
    if (d) throw new ManageInputError('determination', 'Choose a classification before a determination');
    return { classification: '', determination: '' };
  }
  if (!isKnown(CLASSIFICATIONS, c)) throw new ManageInputError('classification', `“${c}” is not a classification`);
  if (d && !DETERMINATIONS[c].includes(d)) throw new ManageInputError('determination', `“${d}” is not a determination for this classification`);
  return { classification: c, determination: d };
}

/**
 * Only the fields that differ from the incident as it is now, as the API asks. A status or
 * classification the app does not know is never written back: it is changed only when the analyst
 * chose a new value. An empty classification clears it.
 */
export function buildChange(request: ManageRequest, current: Incident): IncidentChange {
  const now = snapshotOf(current);
  const change: IncidentChange = {};
  const d = request.desired;
  if (d.assignedTo !== undefined && d.assignedTo !== now.assignedTo) change.assignedTo = d.assignedTo;
  if (d.status !== undefined && d.status !== now.status && isKnown(SETTABLE_STATUSES, d.status)) change.status = d.status;
  if (d.classification !== undefined && (d.classification !== now.classification || (d.determination ?? '') !== now.determination)) {
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

/** What changed between the snapshot the analyst saw and the incident now, for the conflict panel. */
export function changesSince(seen: Snapshot, current: Incident): { field: string; from: string; to: string }[] {
  const now = snapshotOf(current);
  const out: { field: string; from: string; to: string }[] = [];
  for (const field of ['assignedTo', 'status', 'classification', 'determination'] as const) {
    if (seen[field] !== now[field]) out.push({ field, from: seen[field] || '(none)', to: now[field] || '(none)' });
  }
  if (seen.tags.join('\n') !== now.tags.join('\n')) out.push({ field: 'tags', from: seen.tags.join(', ') || '(none)', to: now.tags.join(', ') || '(none)' });
  return out;
}
