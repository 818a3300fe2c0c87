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

const COLUMNS = ['Incident ID', 'Name', 'Severity', 'Status', 'Merged into', 'Assigned to', 'Classification', 'Determination', 'Tags', 'System tags', 'Service sources', 'Active alerts', 'Total alerts', 'Devices', 'Users', 'First activity', 'Last activity', 'Created', 'Last update', 'Portal link'];

/** The header line, after a byte order mark so that spreadsheet programs read the file as UTF-8. */
export const csvHeader = () => `\uFEFF${COLUMNS.map(csvCell).join(',')}\r\n`;

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
