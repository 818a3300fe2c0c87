import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * Server-side paging state for `@odata.nextLink` (`$skiptoken`). The first page of a list takes a snapshot:
 * the ids of every matching incident the caller may see, in the listing order of that moment. Later pages
 * walk that snapshot, so paging is consistent while incidents change: an incident changed (even moved to
 * the top of a `lastUpdated` order) after the first page is still returned exactly once, in its old place.
 * Each page shows incidents as they are now, and leaves out those the caller may no longer see or that no
 * longer match the filter. Incidents created after the first page are not in the snapshot.
 *
 * Bounded by the total number of ids held (least recently used snapshots go first); a token whose
 * snapshot is gone is refused with 400, and the client starts again from the first page.
 */
export interface Snapshot {
  /** Who may continue it: the caller's object id and tenant. */
  oid: string;
  tenantId: string;
  /** The query options every continuation must repeat (the nextLink carries them). */
  kept: Record<string, string>;
  /** Matching ids in order; pages go on from `offset` in the token. */
  ids: number[];
  /** `@odata.count` of the first page, repeated on later pages. */
  count: number;
}

const MAX_IDS_HELD = 2_000_000;

export class CursorStore {
  private readonly snapshots = new LRUCache<string, Snapshot>({ maxSize: MAX_IDS_HELD, sizeCalculation: (s) => s.ids.length + 1 });

  /** Stores a snapshot; returns the token of its page starting at `offset`. */
  create(snapshot: Snapshot, offset: number): string {
    const id = randomBytes(12).toString('hex');
    this.snapshots.set(id, snapshot);
    return token(id, offset);
  }

  /** The snapshot and offset a token names, if it is well formed and still held. */
  resolve(value: string): { id: string; snapshot: Snapshot; offset: number } | undefined {
    const [, id, offset] = /^([0-9a-f]{24})-(\d{1,9})$/.exec(value) ?? [];
    const snapshot = id !== undefined ? this.snapshots.get(id) : undefined;
    return id !== undefined && offset !== undefined && snapshot ? { id, snapshot, offset: Number(offset) } : undefined;
  }

  next(id: string, offset: number): string {
    return token(id, offset);
  }
}

const token = (id: string, offset: number) => `${id}-${offset}`;
