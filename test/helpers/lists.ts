/**
 * Reads from lists at positions a test knows exist (it just checked the length, or the fixture seeds them).
 * Under `noUncheckedIndexedAccess` such reads are typed `T | undefined`; these check the position instead and
 * fail with an error naming what was read, rather than a TypeError on `undefined` further on.
 */

/** The item at `index`, which must be within `items`. */
export function itemAt<T>(items: ArrayLike<T>, index: number, what = 'list'): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new RangeError(`${what}: no item at index ${index} (length ${items.length})`);
  }
  // In range, so an item of the list (undefined only where T itself admits it).
  return items[index] as T;
}

/** The last item of `items` (the last hop of a redirect chain, say), which must not be empty. */
export function lastItem<T>(items: ArrayLike<T>, what = 'list'): T {
  return itemAt(items, items.length - 1, what);
}
