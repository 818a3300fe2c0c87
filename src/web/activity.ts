import { t } from '../i18n/i18n';
import { labels } from '../incidents/labels';
import type { Comment } from '../incidents/model';
import type { HistoryEntry } from '../index/incidentIndex';

/** A recorded field's name, in the reader's language (every field has its key under this prefix). */
const fieldName = (field: HistoryEntry['field']): string => t(`handover:activity.field.${field}`);

const LABEL: Partial<Record<HistoryEntry['field'], (v: string) => string>> = {
  status: labels.status,
  severity: labels.severity,
  classification: labels.classification,
  determination: labels.determination,
};

function words(field: HistoryEntry['field'], v: HistoryEntry['oldValue']): string {
  if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return field === 'assignedTo' ? t('handover:unassigned') : t('handover:activity.none');
  if (Array.isArray(v)) return v.join(', ');
  return LABEL[field]?.(v) ?? v;
}

/** One entry of an incident's activity: a comment, or a change from the index's history in words. */
export type ActivityItem =
  | { kind: 'comment'; when: string | null; by: string | null; text: string }
  | { kind: 'change'; when: string; by: string | null; field: string; from: string; to: string };

export function historyLine(h: HistoryEntry): Extract<ActivityItem, { kind: 'change' }> {
  return {
    kind: 'change',
    when: h.observedAt,
    field: fieldName(h.field),
    from: h.field === 'created' ? '' : words(h.field, h.oldValue),
    to: h.field === 'created' ? '' : words(h.field, h.newValue),
    by: h.changedBy,
  };
}

/**
 * Comments and recorded changes in one timeline, newest first (comments without a time last). The
 * history comes oldest first; changes seen at the same instant keep their order, reversed.
 */
export function activityOf(comments: Comment[], history: HistoryEntry[]): ActivityItem[] {
  const items: ActivityItem[] = [...comments.map((c): ActivityItem => ({ kind: 'comment', when: c.createdAt, by: c.author, text: c.text })), ...history.map(historyLine)];
  const at = (i: ActivityItem) => (i.when === null ? -Infinity : Date.parse(i.when));
  return items
    .map((item, n) => ({ item, n }))
    .sort((a, b) => at(b.item) - at(a.item) || b.n - a.n)
    .map(({ item }) => item);
}
