import { EXTRA_COLUMNS, type ExtraColumn } from '../incidents/queueFilter';
import type { AnalystKey } from '../index/types';
import { partitionOf, type Db, type Partition } from '../index/values';

/** A view the analyst saved: a name and a queue filter (serialized). */
export interface SavedView {
  name: string;
  query: string;
}

export interface AnalystSettings {
  /** Extra queue columns in the analyst's order; null: never chosen (the default set). */
  columns: ExtraColumn[] | null;
  views: SavedView[];
}

/** The language and time zone an analyst chose; null where they follow their browser. */
export interface LocalePreferences {
  language: string | null;
  timeZone: string | null;
}

/** Views one analyst may keep: the list sits above the queue, so it stays short. */
export const MAX_VIEWS = 20;

/**
 * Each analyst's queue settings, in the index's database (migration 008). Like the index, reached
 * only through forAnalyst(): one analyst's views are never read for another. A view is shared as a
 * link (its filter in the URL), which the other analyst's queue applies to their own incidents.
 */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  forAnalyst(key: AnalystKey): AnalystSettingsStore {
    if (!key.tenantId || !key.oid) throw new Error('forAnalyst needs a tenant id and an object id');
    return new AnalystSettingsStore(this.db, partitionOf(key.tenantId, key.oid, key.username));
  }
}

const columnsOf = (raw: unknown): ExtraColumn[] | null => (Array.isArray(raw) ? EXTRA_COLUMNS.filter((c) => raw.includes(c)).sort((a, b) => raw.indexOf(a) - raw.indexOf(b)) : null);
const viewsOf = (raw: unknown): SavedView[] =>
  Array.isArray(raw) ? raw.filter((v): v is SavedView => typeof (v as SavedView)?.name === 'string' && typeof (v as SavedView)?.query === 'string') : [];

class AnalystSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly part: Partition,
  ) {}

  async get(): Promise<AnalystSettings> {
    const r = await this.db.selectFrom('analyst_settings').select(['columns', 'views']).where(this.part.mine).executeTakeFirst();
    return { columns: columnsOf(r?.columns), views: viewsOf(r?.views) };
  }

  async locale(): Promise<LocalePreferences> {
    const r = await this.db.selectFrom('analyst_settings').select(['language', 'time_zone']).where(this.part.mine).executeTakeFirst();
    return { language: r?.language ?? null, timeZone: r?.time_zone ?? null };
  }

  async saveLocale(prefs: Partial<LocalePreferences>): Promise<void> {
    const set = { ...(prefs.language !== undefined ? { language: prefs.language } : {}), ...(prefs.timeZone !== undefined ? { time_zone: prefs.timeZone } : {}) };
    await this.write(set);
  }

  async saveColumns(columns: ExtraColumn[]): Promise<void> {
    await this.write({ columns: JSON.stringify(columns) });
  }

  /** Adds the view, or replaces the one of the same name (names compare without case); false when the list is full. */
  async saveView(view: SavedView): Promise<boolean> {
    const { views } = await this.get();
    const others = views.filter((v) => v.name.toLowerCase() !== view.name.toLowerCase());
    if (others.length >= MAX_VIEWS) return false;
    await this.write({ views: JSON.stringify([...others, view]) });
    return true;
  }

  async deleteView(name: string): Promise<void> {
    const { views } = await this.get();
    await this.write({ views: JSON.stringify(views.filter((v) => v.name !== name)) });
  }

  private async write(set: { columns?: string; views?: string; language?: string | null; time_zone?: string | null }): Promise<void> {
    const now = new Date();
    await this.db
      .insertInto('analyst_settings')
      .values({ ...this.part.row, columns: set.columns ?? null, views: set.views ?? '[]', language: set.language ?? null, time_zone: set.time_zone ?? null, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid']).doUpdateSet({ ...set, updated_at: now }))
      .execute();
  }
}

export type { AnalystSettingsStore };
