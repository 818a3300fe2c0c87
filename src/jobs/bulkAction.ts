import { labels } from '../incidents/labels';
import { ManageInputError, MAX_COMMENT, MAX_TAG_LENGTH, MAX_TAGS, type ManageRequest, type ResolveRequirement } from '../incidents/manage';
import { CLASSIFICATIONS, DETERMINATIONS, EMAIL, isKnown, SETTABLE_STATUSES, type Incident } from '../incidents/model';

/**
 * One change for many incidents. Unlike the incident page's form, which sends the whole state the
 * analyst wants, a bulk change names only what to do: every field left out stays as each incident
 * has it, and tags are added or removed, never replaced (each incident has its own).
 */
export interface BulkAction {
  /** An address, or '' to unassign. */
  assignTo?: string;
  status?: (typeof SETTABLE_STATUSES)[number];
  verdict?: { classification: (typeof CLASSIFICATIONS)[number]; determination: string };
  addTags: string[];
  removeTags: string[];
  comment?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function tagList(raw: unknown, field: string): string[] {
  const tags = [...new Set(str(raw).split(/[\n,]/).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > MAX_TAGS) throw new ManageInputError(field, `At most ${MAX_TAGS} tags`);
  if (tags.some((t) => t.length > MAX_TAG_LENGTH)) throw new ManageInputError(field, `Tags may be up to ${MAX_TAG_LENGTH} characters`);
  return tags;
}

/**
 * Reads the bulk form: `assign` is keep / me / unassign / other (then `assignTo`), `status` and
 * `verdict` empty to keep, `addTags` and `removeTags` lists, `comment`. Errors name their field.
 */
export function parseBulkForm(body: Record<string, unknown>, me: string, resolveRequires: readonly ResolveRequirement[]): BulkAction {
  const action: BulkAction = { addTags: tagList(body.addTags, 'addTags'), removeTags: tagList(body.removeTags, 'removeTags') };
  const assign = str(body.assign);
  if (assign === 'me') action.assignTo = me;
  else if (assign === 'unassign') action.assignTo = '';
  else if (assign === 'other') {
    const to = str(body.assignTo).trim();
    if (!EMAIL.test(to)) throw new ManageInputError('assignTo', to ? `“${to}” is not an email address` : 'Type the address to assign these incidents to');
    action.assignTo = to;
  } else if (assign !== '' && assign !== 'keep') throw new ManageInputError('assign', 'Choose who to assign these incidents to');
  const status = str(body.status);
  if (status !== '') {
    if (!isKnown(SETTABLE_STATUSES, status)) throw new ManageInputError('status', `“${status}” is not a status you can set`);
    action.status = status;
  }
  const verdict = str(body.verdict);
  if (verdict !== '') {
    const [c = '', d = ''] = verdict.split(':');
    if (!isKnown(CLASSIFICATIONS, c)) throw new ManageInputError('verdict', `“${c}” is not a classification`);
    if (d && !DETERMINATIONS[c].includes(d)) throw new ManageInputError('verdict', `“${d}” is not a determination for this classification`);
    action.verdict = { classification: c, determination: d };
  }
  const comment = str(body.comment).replace(/\r\n/g, '\n');
  if (comment.length > MAX_COMMENT) throw new ManageInputError('comment', `Comments may be up to ${MAX_COMMENT.toLocaleString('en')} characters (this one has ${comment.length.toLocaleString('en')})`);
  if (comment.trim()) action.comment = comment;
  // The same for every incident, so said now rather than once per incident.
  if (action.status === 'resolved' && resolveRequires.includes('comment') && !action.comment) throw new ManageInputError('comment', 'Add a note on how these incidents were resolved');
  if (action.assignTo === undefined && !action.status && !action.verdict && !action.addTags.length && !action.removeTags.length && !action.comment) {
    throw new ManageInputError('assign', 'Choose at least one change to make');
  }
  return action;
}

/** The action as the incident page's manage request for one incident, as it is now: its tags with those added and removed. */
export function requestFor(action: BulkAction, current: Incident): ManageRequest {
  const request: ManageRequest = { base: current.lastUpdateAt, desired: {} };
  if (action.assignTo !== undefined) request.desired.assignedTo = action.assignTo;
  if (action.status) request.desired.status = action.status;
  if (action.verdict) Object.assign(request.desired, action.verdict);
  if (action.addTags.length || action.removeTags.length) {
    const removed = new Set(action.removeTags.map((t) => t.toLowerCase()));
    const kept = current.customTags.filter((t) => !removed.has(t.toLowerCase()));
    const have = new Set(kept.map((t) => t.toLowerCase()));
    request.desired.tags = [...kept, ...action.addTags.filter((t) => !have.has(t.toLowerCase()) && !removed.has(t.toLowerCase()))];
  }
  if (action.comment) request.comment = action.comment;
  return request;
}

/** The action in words: "Assign to me; set status to Resolved; add tags: phish". */
export function describeAction(action: BulkAction, me: string): string {
  const parts: string[] = [];
  if (action.assignTo !== undefined) parts.push(action.assignTo === '' ? 'Unassign' : `Assign to ${action.assignTo === me ? 'me' : action.assignTo}`);
  if (action.status) parts.push(`set status to ${labels.status(action.status)}`);
  if (action.verdict) parts.push(`classify as ${labels.classification(action.verdict.classification)}${action.verdict.determination ? ` — ${labels.determination(action.verdict.determination)}` : ''}`);
  if (action.addTags.length) parts.push(`add tags: ${action.addTags.join(', ')}`);
  if (action.removeTags.length) parts.push(`remove tags: ${action.removeTags.join(', ')}`);
  if (action.comment) parts.push('add a comment');
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The fields the action changes, by name (for the audit log: never what was typed). */
export function changedFields(action: BulkAction): string[] {
  return (['assignTo', 'status', 'verdict', 'addTags', 'removeTags', 'comment'] as const).filter((k) => {
    const v = action[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}

/** A stored action, read back (the database holds what parseBulkForm made). */
export function actionOf(stored: unknown): BulkAction {
  const a = (stored ?? {}) as Partial<BulkAction>;
  return { ...a, addTags: a.addTags ?? [], removeTags: a.removeTags ?? [] };
}
