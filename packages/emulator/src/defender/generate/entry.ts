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
  /** Where the incident falls in the `shuffled` order: a hash of (seed, tenant, id), set by the tenant's store. */
  shuffleKey?: number;
}

/**
 * The `lastUpdated` order: newest update first, then the higher id. The docs only say "most recent
 * incidents at the top" (service-facts §1.2) without naming the key; lastUpdateTime makes a changed
 * incident rise to the top, and the id tie-break keeps $top/$skip paging stable.
 */
export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  if (a.lastUpdateTime !== b.lastUpdateTime) return a.lastUpdateTime < b.lastUpdateTime ? 1 : -1;
  return b.id - a.id;
}

/** The `created` order: newest created first, then the higher id. */
export function compareCreated(a: IndexEntry, b: IndexEntry): number {
  if (a.createdTime !== b.createdTime) return a.createdTime < b.createdTime ? 1 : -1;
  return b.id - a.id;
}

/** The `shuffled` order: by the seeded key, then the id. Neither a change nor time moves an incident in it. */
export function compareShuffled(a: IndexEntry, b: IndexEntry): number {
  const ka = a.shuffleKey ?? 0;
  const kb = b.shuffleKey ?? 0;
  return ka !== kb ? ka - kb : a.id - b.id;
}
