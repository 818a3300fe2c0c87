import type { Severity } from '../model';

/** One incident in the compact index: what $filter, ordering and visibility need. */

export const FLAG_MARKUP_IMG = 1;
export const FLAG_MARKUP_SCRIPT = 2;
/** An old incident whose payload uses the service and entity spellings of its time. */
export const FLAG_LEGACY = 4;

export interface IndexEntry {
  id: number;
  createdTime: string;
  lastUpdateTime: string;
  status: string;
  severity: Severity;
  assignedTo?: string;
  classification: string;
  determination: string;
  /** Bit i set when a device of DEVICE_GROUPS[i] is involved; 0 for incidents without devices. */
  groupMask: number;
  /** Indices into the tenant's fleet. */
  devices: number[];
  scenario: number;
  redirectIncidentId?: number;
  flags: number;
}

/**
 * API order: newest update first, then the higher id. A design choice: the docs only say "most recent
 * incidents at the top" (service-facts §1.2) without naming the key; lastUpdateTime makes a changed
 * incident rise to the top, and the id tie-break keeps $top/$skip paging stable.
 */
export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  if (a.lastUpdateTime !== b.lastUpdateTime) return a.lastUpdateTime < b.lastUpdateTime ? 1 : -1;
  return b.id - a.id;
}
