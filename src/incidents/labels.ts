/**
 * Display labels for every enumeration the model carries, as the Defender portal words them. A
 * member ThreatDesk does not know is shown as it came, marked, never dressed up as a known one.
 */

const STATUS: Record<string, string> = {
  active: 'Active',
  inProgress: 'In progress',
  awaitingAction: 'Awaiting action',
  resolved: 'Resolved',
  redirected: 'Merged',
};

const SEVERITY: Record<string, string> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  informational: 'Informational',
  unknown: 'Unspecified',
};

const CLASSIFICATION: Record<string, string> = {
  '': 'Not set',
  unknown: 'Not set',
  truePositive: 'True positive',
  informationalExpectedActivity: 'Informational, expected activity',
  falsePositive: 'False positive',
};

const DETERMINATION: Record<string, string> = {
  '': 'Not set',
  multiStagedAttack: 'Multi-staged attack',
  maliciousUserActivity: 'Malicious user activity',
  compromisedAccount: 'Compromised account',
  malware: 'Malware',
  phishing: 'Phishing',
  unwantedSoftware: 'Unwanted software',
  other: 'Other',
  securityTesting: 'Security testing',
  lineOfBusinessApplication: 'Line-of-business application',
  confirmedActivity: 'Confirmed activity',
  notMalicious: 'Not malicious',
  notEnoughDataToValidate: 'Not enough data to validate',
  apt: 'Advanced persistent threat',
  securityPersonnel: 'Security personnel',
};

const SOURCE: Record<string, string> = {
  microsoftDefenderForEndpoint: 'Defender for Endpoint',
  microsoftDefenderForIdentity: 'Defender for Identity',
  microsoftDefenderForCloudApps: 'Defender for Cloud Apps',
  microsoftDefenderForOffice365: 'Defender for Office 365',
  microsoft365Defender: 'Microsoft Defender XDR',
  azureAdIdentityProtection: 'Entra ID Protection',
  microsoftAppGovernance: 'App governance',
  dataLossPrevention: 'Data loss prevention',
  microsoftDefenderForCloud: 'Defender for Cloud',
  microsoftSentinel: 'Microsoft Sentinel',
  antivirus: 'Antivirus',
  smartScreen: 'SmartScreen',
  customTi: 'Custom threat intelligence',
  automatedInvestigation: 'Automated investigation',
  microsoftThreatExperts: 'Microsoft Threat Experts',
  customDetection: 'Custom detection',
  cloudAppSecurity: 'Cloud app security',
  manual: 'Manual',
  microsoftDataLossPrevention: 'Microsoft Purview DLP',
  appGovernancePolicy: 'App governance policy',
  appGovernanceDetection: 'App governance detection',
  unknown: 'Unknown',
};

/** The products an alert comes from (Graph's serviceSource), as the queue's filter offers them. */
export const SERVICE_SOURCES = [
  'microsoftDefenderForEndpoint', 'microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps', 'microsoftDefenderForOffice365', 'microsoft365Defender',
  'azureAdIdentityProtection', 'microsoftAppGovernance', 'dataLossPrevention', 'microsoftDefenderForCloud', 'microsoftSentinel',
] as const;

/** What raised an alert (Graph's detectionSource), as the queue's filter offers them. */
export const DETECTION_SOURCES = [
  'antivirus', 'smartScreen', 'customTi', 'automatedInvestigation', 'microsoftThreatExperts', 'customDetection', 'cloudAppSecurity', 'manual',
  'microsoftDataLossPrevention', 'appGovernancePolicy', 'appGovernanceDetection', 'microsoftDefenderForEndpoint', 'microsoftDefenderForIdentity',
  'microsoftDefenderForOffice365', 'microsoft365Defender', 'azureAdIdentityProtection',
] as const;

const REMEDIATION: Record<string, string> = { none: 'None', remediated: 'Remediated', prevented: 'Prevented', blocked: 'Blocked', notFound: 'Not found', unknown: 'Unknown' };

const EVIDENCE: Record<string, string> = {
  device: 'Device',
  user: 'User',
  ip: 'IP address',
  url: 'URL',
  file: 'File',
  process: 'Process',
  mailbox: 'Mailbox',
  analyzedMessage: 'Email message',
  mailCluster: 'Email cluster',
  registryKey: 'Registry key',
  registryValue: 'Registry value',
  securityGroup: 'Security group',
  cloudApplication: 'Cloud application',
  oauthApplication: 'OAuth application',
  azureResource: 'Azure resource',
  amazonResource: 'Amazon resource',
  googleCloudResource: 'Google Cloud resource',
  blob: 'Storage blob',
  blobContainer: 'Storage container',
  container: 'Container',
  containerImage: 'Container image',
  containerRegistry: 'Container registry',
  kubernetesCluster: 'Kubernetes cluster',
  kubernetesController: 'Kubernetes controller',
  kubernetesNamespace: 'Kubernetes namespace',
  kubernetesPod: 'Kubernetes pod',
  kubernetesSecret: 'Kubernetes secret',
  kubernetesServiceAccount: 'Kubernetes service account',
  kubernetesService: 'Kubernetes service',
};

const VERDICT: Record<string, string> = { unknown: 'Unknown', suspicious: 'Suspicious', malicious: 'Malicious', noThreatsFound: 'No threats found' };
const ALERT_STATUS: Record<string, string> = { new: 'New', inProgress: 'In progress', resolved: 'Resolved' };

/** Looks a value up as spelled, then in any case; a page asks a few hundred times, so both are maps. */
function labeller(table: Record<string, string>) {
  const exact = new Map(Object.entries(table));
  const anyCase = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
  return (value: string | null | undefined): string => {
    if (value === null || value === undefined) return '';
    return exact.get(value) ?? anyCase.get(value.toLowerCase()) ?? `${value} (not known to ThreatDesk)`;
  };
}

export const labels = {
  status: labeller(STATUS),
  severity: labeller(SEVERITY),
  classification: labeller(CLASSIFICATION),
  determination: labeller(DETERMINATION),
  source: labeller(SOURCE),
  evidence: labeller(EVIDENCE),
  verdict: labeller(VERDICT),
  alertStatus: labeller(ALERT_STATUS),
  remediation: labeller(REMEDIATION),
};
