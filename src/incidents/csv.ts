import { labels } from './labels';
import type { Incident } from './model';
import { incidentStats, portalLink } from './view';

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

/** The CSV of a queue view, with display labels; a partial export says so in its last line. */
export function csvOf(rows: Incident[], tenantId: string, partialAfter?: number): string {
  const lines = [COLUMNS.map(csvCell).join(',')];
  for (const i of rows) {
    const s = incidentStats(i);
    lines.push(
      [
        i.id, i.displayName, labels.severity(i.severity), labels.status(i.status), i.redirectIncidentId ?? '', i.assignedTo,
        i.classification ? labels.classification(i.classification) : '', i.determination ? labels.determination(i.determination) : '',
        i.customTags.join('; '), i.systemTags.join('; '), s?.sources.map(labels.source).join('; ') ?? '', s?.activeAlerts ?? '', s?.totalAlerts ?? '',
        s?.devices ?? '', s?.users ?? '', s?.firstActivity ?? '', s?.lastActivity ?? '', i.createdAt ?? '', i.lastUpdateAt, portalLink(i, tenantId),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  if (partialAfter !== undefined) lines.push(csvCell(`Partial export: stopped after examining ${partialAfter} incidents; narrow the filter for the rest.`));
  // A byte order mark, so spreadsheet programs read the file as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
