/** Input in the address or a form that ThreatDesk cannot act on; the error handler words the page. */
export type InputProblem =
  /** `/incidents/:id` with something that is not an incident id. */
  | 'incident-id'
  /** A queue filter value outside its allow-list. */
  | 'filter'
  /** A "continue" link that was changed or cut short. */
  | 'cursor'
  /** `/jobs/:id` naming no job of this analyst's. */
  | 'job-id'
  /** A bulk change with no incidents, or more than one job may hold. */
  | 'selection';

export class InvalidInputError extends Error {
  constructor(
    readonly problem: InputProblem,
    /** What was wrong, in words safe to show (values are quoted, never markup). */
    readonly detail: string,
    /** Where the analyst can start again from. */
    readonly resetHref: string,
  ) {
    super(`invalid ${problem}: ${detail}`);
    this.name = 'InvalidInputError';
  }
}

/** What an analyst sent, as an error message quotes it: the text itself, else its JSON (a repeated or nested parameter), cut to `max`. */
export const quotedInput = (raw: unknown, max: number): string => (typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw))).slice(0, max);
