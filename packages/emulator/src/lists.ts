/**
 * Reads from lists at positions the caller knows exist: a loop bound, a length just checked, a seeded
 * table. With `noUncheckedIndexedAccess` each such read is typed `T | undefined`; these check the position
 * instead, and fail with an error naming what was read if that knowledge is ever wrong, rather than
 * passing `undefined` along.
 */

/** The item at `index`, which must be within `items` (a RangeError names `what` otherwise). */
export function itemAt<T>(items: ArrayLike<T>, index: number, what = 'list'): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new RangeError(`${what}: no item at index ${index} (length ${items.length})`);
  }
  // In range, so an item of the list (undefined only where T itself admits it).
  return items[index] as T;
}

/** The last item of `items`, which must not be empty. */
export function lastItem<T>(items: ArrayLike<T>, what = 'list'): T {
  return itemAt(items, items.length - 1, what);
}
