import { t } from '../i18n/i18n';
import { labels } from './labels';
import { portalLink, type QueueRow } from './view';

/**
 * Spreadsheets run cells that start with = + - @ (or a tab/CR that hides one) as formulas; a leading
 * apostrophe makes them text (OWASP CSV injection). Every cell is quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** The header cells' message keys, in the order of csvRow's cells (translated per export: the reader's language). */
const COLUMNS = [
  'queue:csv.id', 'queue:csv.name', 'queue:csv.severity', 'queue:csv.status', 'queue:csv.mergedInto', 'queue:csv.assignedTo', 'queue:csv.classification',
  'queue:csv.determination', 'queue:csv.tags', 'queue:csv.systemTags', 'queue:csv.serviceSources', 'queue:csv.activeAlerts', 'queue:csv.totalAlerts',
  'queue:csv.devices', 'queue:csv.users', 'queue:csv.firstActivity', 'queue:csv.lastActivity', 'queue:csv.created', 'queue:csv.lastUpdate', 'queue:csv.portalLink',
];

/** The header line, after a byte order mark so that spreadsheet programs read the file as UTF-8. */
export const csvHeader = () => `\uFEFF${COLUMNS.map((key) => csvCell(t(key))).join(',')}\r\n`;

/** One incident as a CSV line, with display labels. */
export function csvRow(i: QueueRow, tenantId: string): string {
  const s = i.stats;
  return `${[
    i.id, i.displayName, labels.severity(i.severity), labels.status(i.status), i.redirectIncidentId ?? '', i.assignedTo,
    i.classification ? labels.classification(i.classification) : '', i.determination ? labels.determination(i.determination) : '',
    i.customTags.join('; '), i.systemTags.join('; '), s?.sources.map(labels.source).join('; ') ?? '', s?.activeAlerts ?? '', s?.totalAlerts ?? '',
    s?.devices ?? '', s?.users ?? '', s?.firstActivity ?? '', s?.lastActivity ?? '', i.createdAt ?? '', i.lastUpdateAt, portalLink(i, tenantId),
  ]
    .map(csvCell)
    .join(',')}\r\n`;
}
