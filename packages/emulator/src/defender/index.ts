import type express from 'express';
import type { EmulatorContext } from '../context';
import { QuotaTracker } from './quota';
import { defenderRouter } from './routes';
import { IncidentStoreImpl } from './store';

export { DEVICE_GROUPS, DETERMINATIONS, type Incident } from './model';
export type { IncidentSummary } from './store';
export type { NewAlert, NewIncident, PortalChange } from './portal';
export { IncidentStoreImpl } from './store';
export { QuotaTracker } from './quota';

/** Contract with startEmulator(); implemented in this folder. */
export interface Defender {
  /** Mounted at /defender on the HTTPS listener: /api/incidents, /api/incidents/{id}. */
  router: express.Router;
  /** The incident store, shared with the Graph surface. */
  store: IncidentStoreImpl;
  /** Per-minute quotas on the emulator clock, shared with the Graph surface. */
  quota: QuotaTracker;
}

/** The Defender API over a store and quota tracker made here, or given (to share them with the Graph surface). */
export function createDefender(ctx: EmulatorContext, store = new IncidentStoreImpl(ctx), quota = new QuotaTracker(ctx.clock)): Defender {
  return { router: defenderRouter(ctx, store, quota), store, quota };
}
