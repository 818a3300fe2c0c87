import express from 'express';
import type { EmulatorContext } from '../context';
import type { User } from '../directory';

/** Contract with startEmulator(); implemented in this folder. */
export interface IncidentStore {
  /** Ids of the incidents of the user's tenant that the user's Defender role may see. */
  visibleIds(user: User): Set<number>;
}

export interface Defender {
  /** Mounted at /defender on the HTTPS listener: /api/incidents, /api/incidents/{id}. */
  router: express.Router;
  store: IncidentStore;
}

export function createDefender(_ctx: EmulatorContext): Defender {
  return { router: express.Router(), store: { visibleIds: () => new Set() } };
}
