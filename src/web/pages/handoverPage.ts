import type { SessionAccount } from '../../auth/tokenService';
import { MAX_NOTE, type ShiftNotes } from '../../handover/shiftNotes';
import { intl, t } from '../../i18n/i18n';
import { labels } from '../../incidents/labels';
import { OPEN_STATUSES, SEVERITIES } from '../../incidents/model';
import { slaOf, type SlaTargets } from '../../incidents/sla';
import type { RecentChange } from '../../index/incidentIndex';
import type { IndexSync } from '../../sync/indexSync';
import { InvalidInputError, quotedInput } from '../inputErrors';
import { staleFormText } from '../staleForm';

/** How far back a handover looks, in hours. */
export const HANDOVER_HOURS = ['4', '8', '12', '24', '48', '72'] as const;
const DEFAULT_HOURS = '12';
const NOTES_SHOWN = 10;
/** Overdue incidents looked through for those that breached within the span (the most recently created). */
const OVERDUE_READ = 500;

export function parseHours(raw: unknown): number {
  if (raw === undefined) return Number(DEFAULT_HOURS);
  if (typeof raw !== 'string' || !(HANDOVER_HOURS as readonly string[]).includes(raw)) {
    const spans = HANDOVER_HOURS.map((h) => intl().number(Number(h))).join(', ');
    throw new InvalidInputError('filter', t('handover:span.invalid', { value: quotedInput(raw, 20), spans }), '/handover');
  }
  return Number(raw);
}

/** The note as typed (kept whatever happens) and why it cannot be saved, if it cannot. */
export function parseNote(raw: unknown, staleForm: boolean): { text: string; problem?: string } {
  const text = typeof raw === 'string' ? raw : '';
  const length = text.trim().length;
  if (staleForm) return { text, problem: staleFormText('save') };
  if (length === 0) return { text, problem: t('handover:notes.empty') };
  if (length > MAX_NOTE) return { text, problem: t('handover:notes.tooLong', { max: intl().number(MAX_NOTE), length: intl().number(length) }) };
  return { text };
}

const rank = (s: string | null) => SEVERITIES.length - SEVERITIES.indexOf((s ?? 'unknown') as (typeof SEVERITIES)[number]);

/** The shift's changes, sorted into what a handover reads: escalations, reassignments, resolutions. */
export function handoverChanges(changes: RecentChange[]) {
  return {
    escalations: changes.filter((c) => c.field === 'severity' && rank(c.newValue) > rank(c.oldValue)),
    reassignments: changes.filter((c) => c.field === 'assignedTo'),
    resolutions: changes.filter((c) => c.field === 'status' && c.newValue === 'resolved'),
  };
}

/** Open incidents per assignee, unassigned first, then the busiest. */
export function whoHoldsWhat(rows: { assignedTo: string; severity: string; n: number }[]) {
  const by = new Map<string, { assignee: string; bySeverity: Record<string, number>; total: number }>();
  for (const r of rows) {
    const h = by.get(r.assignedTo) ?? { assignee: r.assignedTo, bySeverity: {}, total: 0 };
    h.bySeverity[r.severity] = (h.bySeverity[r.severity] ?? 0) + r.n;
    h.total += r.n;
    by.set(r.assignedTo, h);
  }
  return [...by.values()].sort((a, b) => Number(b.assignee === '') - Number(a.assignee === '') || b.total - a.total || a.assignee.localeCompare(b.assignee));
}

export interface HandoverExtras {
  /** The note form as typed, when it comes back with an error. */
  note?: string;
  noteError?: string;
}

/** Everything the handover page shows for the analyst's incidents and the tenant's notes. */
export async function loadHandoverView(sync: IndexSync, notes: ShiftNotes, account: SessionAccount, hours: number, targets: SlaTargets, now: number, extras: HandoverExtras = {}) {
  const part = sync.indexOf(account);
  const since = new Date(now - hours * 3_600_000);
  const [changes, created, held, overdue, latest] = await Promise.all([
    part.changesSince(since),
    part.createdSince(since),
    part.holdings(OPEN_STATUSES),
    part.query({ sla: { state: 'overdue', at: new Date(now).toISOString(), targets }, sort: { column: 'createdAt', direction: 'desc' }, pageSize: OVERDUE_READ }),
    notes.forTenant(account.tenantId).latest(NOTES_SHOWN),
  ]);
  return {
    ...extras,
    title: t('handover:title'),
    hours,
    hourChoices: HANDOVER_HOURS,
    since: since.toISOString(),
    notes: latest,
    maxNote: MAX_NOTE,
    created,
    ...handoverChanges(changes),
    holders: whoHoldsWhat(held),
    // Those whose target ran out during the span, the most pressing first; the rest are in the queue's Overdue view.
    breached: overdue.rows
      .map((r) => ({ ...r, sla: slaOf(r, targets, now) }))
      .filter((r) => r.sla !== undefined && Date.parse(r.sla.due) >= since.getTime())
      .sort((a, b) => Date.parse(a.sla?.due ?? '') - Date.parse(b.sla?.due ?? '')),
    overdueTotal: overdue.total,
    severities: SEVERITIES.filter((s) => s !== 'unknown'),
    labels,
  };
}
