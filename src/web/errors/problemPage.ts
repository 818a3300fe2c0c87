/** An error page: status aside, the words and the ways on. */
export interface ProblemPage {
  title: string;
  /** What happened, in the analyst's words. */
  what: string;
  /** What the analyst, or their administrator, can do. */
  todo?: string;
  /** Link to the admin consent guidance. */
  admin?: boolean;
  retryAfterSec?: number;
  actions?: { href: string; label: string }[];
  /** Upstream tracking id to quote to support (Defender's `target`). */
  trackingId?: string;
}

export type Problem = [status: number, page: ProblemPage];
