import type { Incident } from '../../src/incidents/model';

/** An incident of the model with sensible defaults, for unit tests. */
export function incident(id: number | string, lastUpdateAt: string, extra: Partial<Incident> = {}): Incident {
  return {
    id: String(id),
    displayName: `Incident ${id}`,
    status: 'active',
    severity: 'high',
    classification: '',
    determination: '',
    assignedTo: '',
    createdAt: lastUpdateAt,
    lastUpdateAt,
    redirectIncidentId: null,
    webUrl: null,
    description: null,
    customTags: [],
    systemTags: [],
    comments: [],
    ...extra,
  };
}
