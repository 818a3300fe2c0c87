import type express from 'express';
import type { EmulatorContext } from '../context';
import { QuotaTracker } from './quota';
import { defenderRouter } from './routes';
import { IncidentStoreImpl } from './store';

export { DEVICE_GROUPS, DETERMINATIONS, type Incident } from './model';
export type { IncidentSummary } from './store';
export type { NewAlert, NewIncident, PortalChange } from './portal';

/** Contract with startEmulator(); implemented in this folder. */
export interface Defender {
  /** Mounted at /defender on the HTTPS listener: /api/incidents, /api/incidents/{id}. */
  router: express.Router;
  store: IncidentStoreImpl;
  /** Per-minute quotas on the emulator clock. */
  quota: QuotaTracker;
}

export function createDefender(ctx: EmulatorContext): Defender {
  const store = new IncidentStoreImpl(ctx);
  const quota = new QuotaTracker(ctx.clock);
  return { router: defenderRouter(ctx, store, quota), store, quota };
}
