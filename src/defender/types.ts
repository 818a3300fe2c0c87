/** The incident shape of the Defender incidents API (service-facts §1.5–1.8); real payloads omit null keys. */
export interface Incident {
  incidentId: number;
  incidentUri?: string;
  redirectIncidentId?: number | null;
  incidentName?: string;
  createdTime: string;
  lastUpdateTime: string;
  assignedTo?: string | null;
  classification?: string | null;
  determination?: string | null;
  detectionSource?: string;
  status: string;
  severity?: string;
  tags?: string[];
  comments?: IncidentComment[];
  alerts?: Alert[];
}

export interface IncidentComment {
  comment: string;
  createdBy?: string;
  createdTime?: string;
}

export interface Alert {
  alertId: string;
  providerAlertId?: string;
  incidentId?: number;
  serviceSource?: string;
  detectionSource?: string;
  detectorId?: string;
  creationTime?: string;
  lastUpdatedTime?: string;
  resolvedTime?: string | null;
  firstActivity?: string;
  lastActivity?: string;
  title?: string;
  description?: string;
  category?: string;
  status?: string;
  severity?: string;
  investigationId?: number | null;
  investigationState?: string;
  classification?: string | null;
  determination?: string | null;
  assignedTo?: string | null;
  actorName?: string | null;
  threatFamilyName?: string | null;
  mitreTechniques?: string[];
  devices?: Device[];
  entities?: Entity[];
}

export interface Device {
  mdatpDeviceId?: string;
  aadDeviceId?: string | null;
  deviceDnsName?: string;
  osPlatform?: string;
  version?: string;
  osProcessor?: string;
  osBuild?: number;
  healthStatus?: string;
  riskScore?: string;
  rbacGroupName?: string;
  rbacGroupId?: number;
  firstSeen?: string;
  tags?: string[];
}

export interface Entity {
  entityType: string;
  [field: string]: unknown;
}

export interface IncidentPatch {
  status?: string;
  assignedTo?: string | null;
  classification?: string;
  determination?: string;
  tags?: string[];
  comment?: string;
}
