import type express from 'express';
import type { EmulatorContext } from '../context';
import type { User } from '../directory';
import type { Incident } from './model';
import { QuotaTracker } from './quota';
import { defenderRouter } from './routes';
import { IncidentStoreImpl, type IncidentSummary } from './store';

export { DEVICE_GROUPS, DETERMINATIONS, type Incident } from './model';
export type { IncidentSummary } from './store';

/** Contract with startEmulator(); implemented in this folder. */
export interface IncidentStore {
  /** Ids of the incidents of the user's tenant that the user's Defender role may see. */
  visibleIds(user: User): Set<number>;
  /** Whether the user may see that incident of their tenant (false when it does not exist). */
  canSee(user: User, id: number): boolean;
  /** How many incidents the tenant has (visible to anyone or not). */
  count(tenantId: string): number;
  /** The tenant's incidents in API order (lastUpdateTime desc, incidentId desc), without alerts. */
  list(tenantId: string): IncidentSummary[];
  /** One full incident as the API would return it (a copy), or undefined. */
  get(tenantId: string, id: number): Incident | undefined;
}

export interface Defender {
  /** Mounted at /defender on the HTTPS listener: /api/incidents, /api/incidents/{id}. */
  router: express.Router;
  store: IncidentStore;
  /** Per-minute quotas; tests shorten `windowMs` so recovery is quick, and `reset()` between cases. */
  quota: QuotaTracker;
}

export function createDefender(ctx: EmulatorContext): Defender {
  const store = new IncidentStoreImpl(ctx);
  const quota = new QuotaTracker();
  return { router: defenderRouter(ctx, store, quota), store, quota };
}
