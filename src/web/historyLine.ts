import { labels } from '../incidents/labels';
import type { HistoryEntry } from '../index/incidentIndex';

const FIELD: Record<HistoryEntry['field'], string> = {
  created: 'First seen',
  status: 'Status',
  severity: 'Severity',
  assignedTo: 'Assigned to',
  classification: 'Classification',
  determination: 'Determination',
  customTags: 'Tags',
  displayName: 'Name',
  redirectIncidentId: 'Merged into',
};

const LABEL: Partial<Record<HistoryEntry['field'], (v: string) => string>> = {
  status: labels.status,
  severity: labels.severity,
  classification: labels.classification,
  determination: labels.determination,
};

function words(field: HistoryEntry['field'], v: HistoryEntry['oldValue']): string {
  if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return field === 'assignedTo' ? 'Unassigned' : 'none';
  if (Array.isArray(v)) return v.join(', ');
  return LABEL[field]?.(v) ?? v;
}

/** One change of an incident's history, in words for its page. */
export function historyLine(h: HistoryEntry) {
  return {
    when: h.observedAt,
    field: FIELD[h.field],
    from: h.field === 'created' ? '' : words(h.field, h.oldValue),
    to: h.field === 'created' ? '' : words(h.field, h.newValue),
    by: h.changedBy,
  };
}
