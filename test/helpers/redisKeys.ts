/** The few commands these helpers need of a test's own Redis client. */
export interface RawRedis {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
  del(keys: string[]): Promise<unknown>;
  close(): Promise<unknown>;
}

export async function keysMatching(raw: RawRedis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of raw.scanIterator({ MATCH: pattern, COUNT: 500 })) found.push(...batch);
  return found;
}

/** Deletes every key a test run wrote under its prefix, then closes the client. */
export async function dropKeysAndClose(raw: RawRedis, prefix: string): Promise<void> {
  const mine = await keysMatching(raw, `${prefix}*`);
  if (mine.length) await raw.del(mine);
  await raw.close();
}
