/** An error that already knows the page to show: status, words, and where to go next. */
export interface ProblemPage {
  title: string;
  /** What happened, in the analyst's words. */
  what: string;
  /** What the analyst, or their administrator, can do. */
  todo?: string;
  /** Link to the admin consent guidance. */
  admin?: boolean;
  retryAfterSec?: number;
  actions?: { href: string; label: string; method?: 'get' | 'post' }[];
  /** Upstream tracking id to quote to support (Defender's `target`). */
  trackingId?: string;
}

export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly page: ProblemPage,
  ) {
    super(page.title);
    this.name = 'PageError';
  }
}
