import { ReadCache } from '../../src/index/readCache';
import type { SyncState } from '../../src/index/types';
import { partitionOf } from '../../src/index/values';

const state = (dataVersion: string): SyncState => ({
  watermark: null,
  lastDeltaAt: null,
  lastReconcileAt: null,
  lastBackfillAt: null,
  backfillCursor: null,
  backfillPhase: 'open',
  backfillDone: false,
  backfillCount: 0,
  lastSeenAt: '2026-11-30T00:00:00.000Z',
  lastError: null,
  dataVersion,
});

const mine = partitionOf('t', 'o', 'me@contoso.example');
const theirs = partitionOf('t', 'other', 'them@contoso.example');

describe('ReadCache', () => {
  it('as the sole writer, reads a sync state once until a write of that partition', async () => {
    const cache = new ReadCache(true);
    const read = jest.fn(() => Promise.resolve(state('1')));
    await cache.state(mine, read);
    await cache.state(mine, read);
    expect(read).toHaveBeenCalledTimes(1);
    cache.written(theirs);
    await cache.state(mine, read);
    expect(read).toHaveBeenCalledTimes(1);
    cache.written(mine);
    await cache.state(mine, read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('does not keep a state read while a write of its partition ended', async () => {
    const cache = new ReadCache(true);
    let finish: (s: SyncState) => void = () => undefined;
    const racing = cache.state(mine, () => new Promise<SyncState>((resolve) => (finish = resolve)));
    cache.written(mine);
    finish(state('1'));
    expect(await racing).toEqual(state('1'));
    expect(await cache.state(mine, () => Promise.resolve(state('2')))).toEqual(state('2'));
  });

  it('reads every time when other processes may write (PostgreSQL)', async () => {
    const cache = new ReadCache(false);
    const read = jest.fn(() => Promise.resolve(state('1')));
    await cache.state(mine, read);
    await cache.state(mine, read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps results by partition, data version and query, never across analysts', async () => {
    const cache = new ReadCache(false);
    const page = (n: number) => ({ rows: [], total: n, page: 1, pageSize: 50 });
    expect(await cache.result(mine, '1', 'page', { status: ['active'] }, () => Promise.resolve(page(1)))).toEqual(page(1));
    expect(await cache.result(mine, '1', 'page', { status: ['active'] }, () => Promise.resolve(page(2)))).toEqual(page(1));
    expect(await cache.result(mine, '2', 'page', { status: ['active'] }, () => Promise.resolve(page(3)))).toEqual(page(3));
    expect(await cache.result(mine, '2', 'page', { status: ['resolved'] }, () => Promise.resolve(page(4)))).toEqual(page(4));
    expect(await cache.result(theirs, '2', 'page', { status: ['active'] }, () => Promise.resolve(page(5)))).toEqual(page(5));
  });

  it('keeps no result when given no rows (INDEX_CACHE_ROWS=0)', async () => {
    const cache = new ReadCache(true, 0);
    const read = jest.fn(() => Promise.resolve({ rows: [], total: 1, page: 1, pageSize: 50 }));
    await cache.result(mine, '1', 'page', {}, read);
    await cache.result(mine, '1', 'page', {}, read);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
