import type { SecurityApi } from '../../config/config';
import type { Incident, IncidentChange } from '../model';
import type { QueueFilter } from '../queueFilter';

export interface ListContext {
  upn: string;
  now: number;
}

export interface ListPage {
  incidents: Incident[];
  /** Items of the answer that did not fit the model: skipped and counted, never a failed page. */
  skipped: number;
  /** Where the listing continues, as the API said; absent at its end. */
  next?: string;
  /** How many incidents match the API-side part of the filter, when the API says so ($count). */
  total?: number;
}

/**
 * One security API, as ThreatDesk uses it. Both adapters (Graph, the legacy Defender API) map the
 * wire into the model, so nothing above this interface knows which API answered.
 */
export interface IncidentSource {
  readonly api: SecurityApi;
  /**
   * One page of the incident list, narrowed by whatever part of `filter` the API can apply. Pages
   * continue only from `continuation` as this method returned it; no order is assumed.
   */
  list(token: string, filter: QueueFilter, ctx: ListContext, continuation?: string): Promise<ListPage>;
  /** One incident with its alerts and their evidence. */
  get(token: string, id: string): Promise<Incident>;
  /** Sends only the fields present; returns the incident as the API answered, or undefined when it answered without a body. */
  update(token: string, id: string, change: IncidentChange): Promise<Incident | undefined>;
  comment(token: string, id: string, text: string): Promise<void>;
}

/** Whether a string is an incident id for this API (Graph ids are strings of digits too, today). */
export const INCIDENT_ID = /^[A-Za-z0-9-]{1,64}$/;
