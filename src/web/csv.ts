import { portalLink } from '../defender/incidentView';
import type { Incident } from '../defender/types';

/**
 * Spreadsheets run cells that start with = + - @ (or a tab/CR that hides one) as formulas; a leading
 * apostrophe makes them text (OWASP CSV injection). Every cell is quoted.
 */
export function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const COLUMNS = ['Incident ID', 'Name', 'Severity', 'Status', 'Merged into', 'Assigned to', 'Classification', 'Determination', 'Tags', 'Service sources', 'Active alerts', 'Total alerts', 'Devices', 'Users', 'First activity', 'Last activity', 'Created', 'Last update', 'Portal link'];

export function csvOf(rows: Incident[], tenantId: string, partialAfter?: number): string {
  const lines = [COLUMNS.map(csvCell).join(',')];
  for (const i of rows) {
    const s = incidentStats(i);
    lines.push(
      [i.incidentId, i.incidentName, i.severity, i.status, i.redirectIncidentId ?? '', i.assignedTo ?? '', i.classification ?? '', i.determination ?? '', (i.tags ?? []).join('; '), s.sources.join('; '), s.activeAlerts, s.totalAlerts, s.devices, s.users, s.firstActivity ?? '', s.lastActivity ?? '', i.createdTime, i.lastUpdateTime, portalLink(i, tenantId)]
        .map(csvCell)
        .join(','),
    );
  }
  if (partialAfter !== undefined) lines.push(csvCell(`Partial export: stopped after examining ${partialAfter} incidents; narrow the filter for the rest.`));
  return `${lines.join('\r\n')}\r\n`;
}

/** Per-incident figures the queue and the export show, computed from the embedded alerts. */
export function incidentStats(i: Incident) {
  const alerts = i.alerts ?? [];
  const devices = new Set<string>();
  const users = new Set<string>();
  const sources = new Set<string>();
  let first: string | undefined;
  let last: string | undefined;
  for (const a of alerts) {
    if (a.serviceSource) sources.add(a.serviceSource);
    for (const d of a.devices ?? []) devices.add(d.mdatpDeviceId ?? d.deviceDnsName ?? '');
    for (const e of a.entities ?? []) {
      if (e.entityType?.toLowerCase() === 'user') users.add(String(e.userPrincipalName ?? e.aadUserId ?? e.accountName ?? ''));
    }
    if (a.firstActivity && (!first || a.firstActivity < first)) first = a.firstActivity;
    if (a.lastActivity && (!last || a.lastActivity > last)) last = a.lastActivity;
  }
  return {
    sources: [...sources],
    activeAlerts: alerts.filter((a) => a.status !== 'Resolved').length,
    totalAlerts: alerts.length,
    devices: devices.size,
    users: users.size,
    firstActivity: first,
    lastActivity: last,
  };
}
