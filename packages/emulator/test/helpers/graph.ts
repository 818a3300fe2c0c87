import type { GraphCaller } from '../../src/testing/graph';

/** The Graph wire shapes the tests read. */
export interface GraphComment {
  comment: string;
  createdByDisplayName: string;
  createdDateTime: string;
}

export interface GraphEvidence {
  '@odata.type': string;
  createdDateTime: string;
  verdict: string;
  remediationStatus: string;
  roles: string[];
  tags: string[];
  [field: string]: unknown;
}

export interface GraphAlert {
  id: string;
  incidentId: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  serviceSource: string;
  detectionSource: string;
  category: string;
  mitreTechniques: string[];
  createdDateTime: string;
  firstActivityDateTime: string;
  lastActivityDateTime: string;
  resolvedDateTime: string | null;
  alertWebUrl: string;
  threatFamilyName: string | null;
  actorDisplayName: string | null;
  evidence: GraphEvidence[];
}

export interface GraphIncident {
  id: string;
  tenantId: string;
  status: string;
  incidentWebUrl: string;
  redirectIncidentId: string | null;
  displayName: string;
  createdDateTime: string;
  lastUpdateDateTime: string;
  assignedTo: string | null;
  classification: string;
  determination: string;
  severity: string;
  customTags: string[];
  systemTags: string[];
  description: string | null;
  comments: GraphComment[];
  alerts?: GraphAlert[];
}

export interface GraphPage {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: GraphIncident[];
}

/** Follows @odata.nextLink from a first list request to the end; returns every page. */
export async function allPages(api: GraphCaller, token: string, query: Record<string, string> = {}, headers?: Record<string, string>): Promise<GraphPage[]> {
  const pages: GraphPage[] = [];
  let res = await api.list<GraphPage>(token, query, headers);
  for (;;) {
    expect(res.status).toBe(200);
    pages.push(res.json);
    const next = res.json['@odata.nextLink'];
    if (next === undefined) return pages;
    expect(pages.length).toBeLessThan(10_000);
    res = await api.get<GraphPage>(next, token, headers);
  }
}

export const idsOf = (pages: GraphPage[]): string[] => pages.flatMap((p) => p.value.map((i) => i.id));
