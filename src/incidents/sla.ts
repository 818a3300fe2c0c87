import { OPEN_STATUSES } from './model';

/**
 * Service-level targets per severity: how long an incident may stay unassigned, and open. The
 * clocks are the index's (createdAt, and since when it has been unassigned); an incident is
 * "breaching soon" in the last quarter of a target.
 */
export interface SlaTarget {
  assignMs: number;
  resolveMs: number;
}
export type SlaTargets = Partial<Record<string, SlaTarget>>;

const H = 3_600_000;
/** Defaults (SLA_TARGETS changes them): High 1 h to assign / 8 h to resolve, Medium 4 h / 24 h, Low 24 h / 3 d, Informational 3 d / 7 d. */
export const DEFAULT_SLA = 'high:1h/8h,medium:4h/24h,low:24h/72h,informational:72h/168h';

export const SOON_SHARE = 0.25;

/** Reads "high:1h/8h,medium:4h/24h,…" (hours or days: 90m, 4h, 3d); throws on anything else. */
export function parseSlaTargets(raw: string): SlaTargets {
  const unit: Record<string, number> = { m: 60_000, h: H, d: 24 * H };
  const duration = (v: string) => {
    const m = /^(\d{1,4})([mhd])$/.exec(v.trim());
    if (!m) throw new Error(`“${v}” is not a duration (90m, 4h, 3d)`);
    return Number(m[1]) * (unit[m[2] as string] as number);
  };
  const out: SlaTargets = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(high|medium|low|informational):([^/]+)\/(.+)$/.exec(part);
    if (!m) throw new Error(`“${part}” is not severity:assign/resolve (high:1h/8h)`);
    out[m[1] as string] = { assignMs: duration(m[2] as string), resolveMs: duration(m[3] as string) };
  }
  return out;
}

export interface SlaState {
  state: 'overdue' | 'soon';
  /** Which clock: to be assigned, or to be resolved. */
  clock: 'assign' | 'resolve';
  /** When that clock runs out (ISO). */
  due: string;
}

interface Clocked {
  status: string;
  severity: string;
  assignedTo: string;
  createdAt: string | null;
  unassignedSince: string | null;
}

/** The incident's most pressing SLA clock when it is overdue or in its last quarter; undefined when neither, closed, or untargeted. */
export function slaOf(i: Clocked, targets: SlaTargets, now: number): SlaState | undefined {
  const target = targets[i.severity];
  if (target === undefined || !(OPEN_STATUSES as string[]).includes(i.status)) return undefined;
  const clocks: { clock: SlaState['clock']; due: number; span: number }[] = [];
  if (i.createdAt) clocks.push({ clock: 'resolve', due: Date.parse(i.createdAt) + target.resolveMs, span: target.resolveMs });
  if (i.assignedTo === '' && i.unassignedSince) clocks.push({ clock: 'assign', due: Date.parse(i.unassignedSince) + target.assignMs, span: target.assignMs });
  const overdue = clocks.filter((c) => c.due <= now).sort((a, b) => a.due - b.due)[0];
  if (overdue) return { state: 'overdue', clock: overdue.clock, due: new Date(overdue.due).toISOString() };
  const soon = clocks.filter((c) => c.due - now <= c.span * SOON_SHARE).sort((a, b) => a.due - b.due)[0];
  return soon ? { state: 'soon', clock: soon.clock, due: new Date(soon.due).toISOString() } : undefined;
}
