import { intl, t } from '../i18n/i18n';
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
  const tags = [...new Set(str(raw).split(/[\n,]/).map((tag) => tag.trim()).filter(Boolean))];
  if (tags.length > MAX_TAGS) throw new ManageInputError(field, t('jobs:form.error.tooManyTags', { max: MAX_TAGS }));
  if (tags.some((tag) => tag.length > MAX_TAG_LENGTH)) throw new ManageInputError(field, t('jobs:form.error.tagTooLong', { max: MAX_TAG_LENGTH }));
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
    if (!EMAIL.test(to)) throw new ManageInputError('assignTo', to ? t('jobs:form.error.notEmail', { address: to }) : t('jobs:form.error.noAddress'));
    action.assignTo = to;
  } else if (assign !== '' && assign !== 'keep') throw new ManageInputError('assign', t('jobs:form.error.assign'));
  const status = str(body.status);
  if (status !== '') {
    if (!isKnown(SETTABLE_STATUSES, status)) throw new ManageInputError('status', t('jobs:form.error.status', { status }));
    action.status = status;
  }
  const verdict = str(body.verdict);
  if (verdict !== '') {
    const [c = '', d = ''] = verdict.split(':');
    if (!isKnown(CLASSIFICATIONS, c)) throw new ManageInputError('verdict', t('jobs:form.error.classification', { classification: c }));
    if (d && !DETERMINATIONS[c].includes(d)) throw new ManageInputError('verdict', t('jobs:form.error.determination', { determination: d }));
    action.verdict = { classification: c, determination: d };
  }
  const comment = str(body.comment).replace(/\r\n/g, '\n');
  if (comment.length > MAX_COMMENT) throw new ManageInputError('comment', t('jobs:form.error.commentTooLong', { max: intl().number(MAX_COMMENT), length: intl().number(comment.length) }));
  if (comment.trim()) action.comment = comment;
  // The same for every incident, so said now rather than once per incident.
  if (action.status === 'resolved' && resolveRequires.includes('comment') && !action.comment) throw new ManageInputError('comment', t('jobs:form.error.resolveNote'));
  if (action.assignTo === undefined && !action.status && !action.verdict && !action.addTags.length && !action.removeTags.length && !action.comment) {
    throw new ManageInputError('assign', t('jobs:form.error.nothing'));
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
    const removed = new Set(action.removeTags.map((tag) => tag.toLowerCase()));
    const kept = current.customTags.filter((tag) => !removed.has(tag.toLowerCase()));
    const have = new Set(kept.map((tag) => tag.toLowerCase()));
    request.desired.tags = [...kept, ...action.addTags.filter((tag) => !have.has(tag.toLowerCase()) && !removed.has(tag.toLowerCase()))];
  }
  if (action.comment) request.comment = action.comment;
  return request;
}

/** The action in words, in the reader's language: "Assign to me; set status to Resolved; add tags: phish". */
export function describeAction(action: BulkAction, me: string): string {
  const parts: string[] = [];
  if (action.assignTo !== undefined) {
    parts.push(action.assignTo === '' ? t('jobs:action.unassign') : action.assignTo === me ? t('jobs:action.assignToMe') : t('jobs:action.assignTo', { address: action.assignTo }));
  }
  if (action.status) parts.push(t('jobs:action.status', { status: labels.status(action.status) }));
  if (action.verdict) {
    const { classification, determination } = action.verdict;
    parts.push(
      determination
        ? t('jobs:action.classifyWithDetermination', { classification: labels.classification(classification), determination: labels.determination(determination) })
        : t('jobs:action.classify', { classification: labels.classification(classification) }),
    );
  }
  // Tags are what the analyst typed: listed as typed, with a comma whatever the language.
  if (action.addTags.length) parts.push(t('jobs:action.addTags', { tags: action.addTags.join(', ') }));
  if (action.removeTags.length) parts.push(t('jobs:action.removeTags', { tags: action.removeTags.join(', ') }));
  if (action.comment) parts.push(t('jobs:action.comment'));
  const text = parts.join(t('jobs:action.separator'));
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
