import type express from 'express';
import type { EmulatorContext } from '../context';
import type { QuotaTracker } from '../defender/quota';
import type { IncidentStoreImpl } from '../defender/store';
import { CursorStore } from './cursor';
import { graphRouter } from './routes';

/** Contract with startEmulator(); implemented in this folder. */
export interface Graph {
  /** Mounted at /v1.0 on the HTTPS listener: /security/incidents, /security/incidents/{id}, /security/incidents/{id}/comments. */
  router: express.Router;
  /** Paging snapshots behind @odata.nextLink. */
  cursors: CursorStore;
}

/** The Microsoft Graph security API (incidents), over the Defender API's store and quota tracker. */
export function createGraph(ctx: EmulatorContext, store: IncidentStoreImpl, quota: QuotaTracker): Graph {
  const cursors = new CursorStore();
  return { router: graphRouter(ctx, store, quota, cursors), cursors };
}
