/**
 * Request parameters as Entra reads them: one value per name. A repeated parameter is an error rather
 * than "first one wins", so a client bug that sends two redirect_uri values cannot slip through.
 */
export class Params {
  private constructor(private readonly values: Map<string, string[]>) {}

  /** From the raw query string, so Express's own query parser cannot reshape values. */
  static fromUrl(originalUrl: string): Params {
    const q = originalUrl.indexOf('?');
    return Params.fromSearch(new URLSearchParams(q < 0 ? '' : originalUrl.slice(q + 1)));
  }

  static fromSearch(search: URLSearchParams): Params {
    const values = new Map<string, string[]>();
    for (const [k, v] of search) values.set(k, [...(values.get(k) ?? []), v]);
    return new Params(values);
  }

  /** From a body parsed by express.urlencoded({ extended: false }) (strings, or arrays when repeated). */
  static fromBody(body: unknown): Params {
    const values = new Map<string, string[]>();
    if (body && typeof body === 'object') {
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        if (typeof v === 'string') values.set(k, [v]);
        else if (Array.isArray(v)) values.set(k, v.filter((x): x is string => typeof x === 'string'));
      }
    }
    return new Params(values);
  }

  /** Query and body together (logout accepts either); a name present in both counts as repeated. */
  merge(other: Params): Params {
    const values = new Map(this.values);
    for (const [k, v] of other.values) values.set(k, [...(values.get(k) ?? []), ...v]);
    return new Params(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The first of `names` that was sent more than once. */
  repeated(names: readonly string[]): string | undefined {
    return names.find((n) => (this.values.get(n)?.length ?? 0) > 1);
  }
}
