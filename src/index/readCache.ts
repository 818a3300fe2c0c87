import { LRUCache } from 'lru-cache';
import type { IndexCounts, IndexPage, IndexQuery, SyncState } from './types';
import type { Partition } from './values';

/**
 * What the queue reads again and again without the index changing: an analyst back from an
 * incident, paging back, reloading. Each statement costs half a millisecond of CPU on the embedded
 * engine even when it reads nothing, so a page that reads the same results twice reads them here.
 *
 * - Results (a page, or counts) are keyed by partition, the partition's data version and the
 *   query. Every write of the partition's incidents takes a new version in the same transaction,
 *   so a result is never served for a version it was not read at; old versions simply age out.
 * - Sync states are kept only when this process is the database's one writer (the embedded
 *   engine: its files belong to one process). Each write through the index forgets its partition's
 *   state; a read that raced a write is not kept. With PostgreSQL, other instances write too, so
 *   the state (and with it the data version) is read from the database on every page.
 */

/** Rows kept, all entries together; about 1.5 kB each in memory. */
export const DEFAULT_CACHE_ROWS = 20_000;

type Result = IndexPage | IndexCounts;

export class ReadCache {
  private readonly results: LRUCache<string, Result> | undefined;
  private readonly states = new Map<string, { generation: number; state: SyncState }>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly soleWriter: boolean,
    maxRows = DEFAULT_CACHE_ROWS,
  ) {
    this.results = maxRows > 0 ? new LRUCache({ maxSize: maxRows, sizeCalculation: (r) => ('rows' in r ? r.rows.length + 1 : 1) }) : undefined;
  }

  /** The partition's sync state: kept from an earlier read when nothing was written since, else read. */
  async state(part: Partition, read: () => Promise<SyncState | undefined>): Promise<SyncState | undefined> {
    if (!this.soleWriter) return read();
    const key = partitionKey(part);
    const generation = this.generations.get(key) ?? 0;
    const kept = this.states.get(key);
    if (kept !== undefined && kept.generation === generation) return kept.state;
    const state = await read();
    if (state !== undefined && (this.generations.get(key) ?? 0) === generation) this.states.set(key, { generation, state });
    return state;
  }

  /** After every write of the partition (committed or not): its kept state is no longer trusted. */
  written(part: Partition): void {
    const key = partitionKey(part);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.states.delete(key);
  }

  /** A result for this data version of the partition, read once. */
  async result<T extends Result>(part: Partition, dataVersion: string, kind: 'page' | 'counts', q: IndexQuery, read: () => Promise<T>): Promise<T> {
    if (this.results === undefined) return read();
    // The username too: assignee=me is resolved with it.
    const key = JSON.stringify([part.tenantId, part.oid, part.username ?? null, dataVersion, kind, q]);
    const kept = this.results.get(key);
    if (kept !== undefined) return kept as T;
    const value = await read();
    this.results.set(key, value);
    return value;
  }
}

const partitionKey = (part: Partition) => `${part.tenantId}\u0000${part.oid}`;
