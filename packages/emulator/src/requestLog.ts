import type { ApiRequest } from './context';

/**
 * The incidents-API requests (Defender and Graph) the emulator received, numbered from 0 in arrival order. Bounded: a load
 * test or a long demo keeps only the most recent `max`. A mark is the number of requests seen so far,
 * so "what came since the mark" stays right after older entries are dropped or the log is cleared.
 */
export class RequestLog {
  private entries: ApiRequest[] = [];
  /** The number of the first entry kept. */
  private first = 0;

  constructor(private readonly max = 50_000) {}

  /** Appends a request; the caller may fill in `status` and `upn` later (the entry is live until read). */
  push(entry: ApiRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.max * 1.25) {
      const drop = this.entries.length - this.max;
      this.entries = this.entries.slice(drop);
      this.first += drop;
    }
  }

  /** How many requests were received so far: pass it to `since` later. */
  mark(): number {
    return this.first + this.entries.length;
  }

  /** Copies of the requests received since `mark` (all kept ones by default), oldest first. */
  since(mark = 0): ApiRequest[] {
    const from = Math.max(0, mark - this.first);
    return this.entries.slice(from).map((r) => ({ ...r, query: { ...r.query } }));
  }

  /** Forgets every request received so far (marks stay valid: numbering goes on). */
  clear(): void {
    this.first += this.entries.length;
    this.entries = [];
  }
}
