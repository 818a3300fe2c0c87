import { t } from '../i18n/i18n';

/**
 * Display labels for every enumeration the model carries, as the Defender portal words them, in
 * the reader's language (locales/<lang>/labels.json). A member ThreatDesk does not know is shown as
 * it came, marked, never dressed up as a known one.
 *
 * Each table maps a value as the API spells it to its message key; the text itself is looked up
 * at call time, so a label is in the language of the request that asks for it.
 */

const keys = (...values: string[]): Record<string, string> => Object.fromEntries(values.map((v) => [v, v]));

const STATUS = keys('active', 'inProgress', 'awaitingAction', 'resolved', 'redirected');

const SEVERITY = keys('high', 'medium', 'low', 'informational', 'unknown');

// An empty value has no key of its own in a catalogue: it reads "Not set", as `unknown` does.
const CLASSIFICATION: Record<string, string> = { '': 'notSet', unknown: 'notSet', ...keys('truePositive', 'informationalExpectedActivity', 'falsePositive') };

// `unknown` is not a determination ThreatDesk knows: it is shown marked, as it always was.
const DETERMINATION: Record<string, string> = {
  '': 'notSet',
  ...keys(
    'multiStagedAttack', 'maliciousUserActivity', 'compromisedAccount', 'malware', 'phishing', 'unwantedSoftware', 'other', 'securityTesting',
    'lineOfBusinessApplication', 'confirmedActivity', 'notMalicious', 'notEnoughDataToValidate', 'apt', 'securityPersonnel',
  ),
};

const SOURCE = keys(
  'microsoftDefenderForEndpoint', 'microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps', 'microsoftDefenderForOffice365', 'microsoft365Defender',
  'azureAdIdentityProtection', 'microsoftAppGovernance', 'dataLossPrevention', 'microsoftDefenderForCloud', 'microsoftSentinel', 'antivirus', 'smartScreen',
  'customTi', 'automatedInvestigation', 'microsoftThreatExperts', 'customDetection', 'cloudAppSecurity', 'manual', 'microsoftDataLossPrevention',
  'appGovernancePolicy', 'appGovernanceDetection', 'unknown',
);

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

const REMEDIATION = keys('none', 'remediated', 'prevented', 'blocked', 'notFound', 'unknown');

const EVIDENCE = keys(
  'device', 'user', 'ip', 'url', 'file', 'process', 'mailbox', 'analyzedMessage', 'mailCluster', 'registryKey', 'registryValue', 'securityGroup',
  'cloudApplication', 'oauthApplication', 'azureResource', 'amazonResource', 'googleCloudResource', 'blob', 'blobContainer', 'container', 'containerImage',
  'containerRegistry', 'kubernetesCluster', 'kubernetesController', 'kubernetesNamespace', 'kubernetesPod', 'kubernetesSecret', 'kubernetesServiceAccount',
  'kubernetesService',
);

const VERDICT = keys('unknown', 'suspicious', 'malicious', 'noThreatsFound');
const ALERT_STATUS = keys('new', 'inProgress', 'resolved');

/**
 * Looks a value up as spelled, then in any case; a page asks a few hundred times, so both are maps.
 * `say` turns the key found into words: each labeller names its own prefix in full, so that the
 * catalogue check sees which messages are used.
 */
function labeller(table: Record<string, string>, say: (key: string) => string) {
  const exact = new Map(Object.entries(table));
  const anyCase = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
  return (value: string | null | undefined): string => {
    if (value === null || value === undefined) return '';
    const key = exact.get(value) ?? anyCase.get(value.toLowerCase());
    return key === undefined ? t('labels:notKnown', { value }) : say(key);
  };
}

export const labels = {
  status: labeller(STATUS, (k) => t(`labels:status.${k}`)),
  severity: labeller(SEVERITY, (k) => t(`labels:severity.${k}`)),
  classification: labeller(CLASSIFICATION, (k) => t(`labels:classification.${k}`)),
  determination: labeller(DETERMINATION, (k) => t(`labels:determination.${k}`)),
  source: labeller(SOURCE, (k) => t(`labels:source.${k}`)),
  evidence: labeller(EVIDENCE, (k) => t(`labels:evidence.${k}`)),
  verdict: labeller(VERDICT, (k) => t(`labels:verdict.${k}`)),
  alertStatus: labeller(ALERT_STATUS, (k) => t(`labels:alertStatus.${k}`)),
  remediation: labeller(REMEDIATION, (k) => t(`labels:remediation.${k}`)),
};
