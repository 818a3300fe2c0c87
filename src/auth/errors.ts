/** The analyst must go back through Entra sign-in (expired/revoked session, new consent needed). */
export class InteractionRequiredError extends Error {
  constructor(
    readonly reason: string,
    /** Scopes the new sign-in must ask for. */
    readonly scopes: string[],
    readonly aadsts?: number,
    /**
     * The analyst's refresh token is gone (revoked, expired, or the cache holding it is): this is no
     * longer a signed-in analyst, only a browser that was one. Their session state is ended rather
     * than left naming them. Not set for a consent still needed or an API refusing a fresh token.
     */
    readonly tokensGone = false,
  ) {
    super(`interaction required: ${reason}`);
    this.name = 'InteractionRequiredError';
  }
}

/** Entra refused or could not serve a request, in a way signing in again will not fix. */
export class IdentityProviderError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'misconfigured' | 'rejected',
    message: string,
    readonly aadsts?: number,
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'IdentityProviderError';
  }
}

/** Extracts the first AADSTS number from an error_description or msal message. */
export function aadstsCode(text: string | undefined): number | undefined {
  const m = text?.match(/AADSTS(\d{4,7})/);
  return m ? Number(m[1]) : undefined;
}

export interface AadstsExplanation {
  title: string;
  /** What happened, in the analyst's words. */
  what: string;
  /** What the analyst, or their administrator, can do. */
  todo: string;
  /** Whether the fix lies with an administrator: the page then links to /admin/consent. */
  admin?: boolean;
}

/** Plain-language explanations for the AADSTS codes an analyst can meet (service-facts §2.5). */
const EXPLANATIONS: Record<number, AadstsExplanation> = {
  65001: {
    title: 'ThreatDesk has not been approved for your organization',
    what: 'Your organization has not granted ThreatDesk the Microsoft Defender permissions it needs, and users there cannot approve apps themselves.',
    todo: 'Ask a global administrator of your tenant to open the admin consent page and grant ThreatDesk its permissions, then sign in again.',
    admin: true,
  },
  90094: {
    title: 'An administrator must approve ThreatDesk first',
    what: 'ThreatDesk asked for a permission that only an administrator can grant in your organization.',
    todo: 'Ask a global administrator to grant consent from the admin consent page, then sign in again.',
    admin: true,
  },
  65004: {
    title: 'Consent was declined',
    what: 'The permission request was declined, so ThreatDesk cannot read incidents for you.',
    todo: 'Sign in again and accept the permission request, or ask your administrator to grant consent for everyone.',
    admin: true,
  },
  50011: {
    title: 'ThreatDesk is not registered for this address',
    what: 'The sign-in service does not recognise the address ThreatDesk asked it to return to.',
    todo: 'An administrator must add this deployment\'s redirect URI to the app registration (see the admin consent page for the exact value).',
    admin: true,
  },
  700016: {
    title: 'ThreatDesk is not registered in your tenant',
    what: 'The application id ThreatDesk is configured with is not known to your tenant.',
    todo: 'An administrator should check CLIENT_ID and TENANT, or grant admin consent so the app is added to your tenant.',
    admin: true,
  },
  7000215: {
    title: 'ThreatDesk\'s credentials were rejected',
    what: 'The sign-in service rejected ThreatDesk\'s client secret.',
    todo: 'An administrator must update the client secret (the secret value, not its id) or switch to a certificate.',
  },
  7000222: {
    title: 'ThreatDesk\'s client secret has expired',
    what: 'The secret ThreatDesk uses to prove its identity has expired.',
    todo: 'An administrator must create a new client secret or certificate and update the configuration.',
  },
  54005: {
    title: 'This sign-in link was already used',
    what: 'The one-time code from the sign-in service had already been redeemed, for example because the page was reloaded or opened twice.',
    todo: 'Start sign-in again.',
  },
  70008: {
    title: 'The sign-in took too long',
    what: 'The one-time code from the sign-in service expired before ThreatDesk could use it.',
    todo: 'Start sign-in again.',
  },
  501481: {
    title: 'The sign-in could not be verified',
    what: 'The proof ThreatDesk keeps for this sign-in did not match the sign-in service\'s answer.',
    todo: 'Start sign-in again, in a single tab.',
  },
  700082: {
    title: 'Your sign-in has expired',
    what: 'Your session with the sign-in service expired or was revoked.',
    todo: 'Sign in again.',
  },
  50058: {
    title: 'You are not signed in to Microsoft',
    what: 'A silent sign-in was attempted but you have no session with the sign-in service.',
    todo: 'Sign in again.',
  },
};

export function explainAadsts(code: number | undefined): AadstsExplanation | undefined {
  return code === undefined ? undefined : EXPLANATIONS[code];
}

/** Consent-type failures: the guidance page, not a retry, is what helps. */
export function isConsentError(error: string | undefined, code: number | undefined, subError?: string): boolean {
  return error === 'consent_required' || subError === 'consent_required' || code === 65001 || code === 90094 || code === 65004;
}

/** Why a return from Entra sign-in could not complete; the error handler turns each into its page. */
export type SignInFailure =
  /** The analyst pressed cancel at Microsoft. */
  | 'cancelled'
  /** Entra answered with an error (consent, policy, a failed sign-in). */
  | 'refused'
  /** The callback came without the session that started it (cookies blocked, another browser, expired). */
  | 'unmatched-browser'
  /** The callback's state belongs to no sign-in of this browser (replayed, expired, tampered). */
  | 'unknown-state'
  /** Entra's answer carried no authorization code. */
  | 'no-code';

export class SignInError extends Error {
  constructor(
    readonly failure: SignInFailure,
    readonly details: { returnTo?: string; error?: string; aadsts?: number } = {},
  ) {
    super(`sign-in failed: ${failure}${details.error ? ` (${details.error})` : ''}`);
    this.name = 'SignInError';
  }
}

/** Why an admin-consent callback could not be confirmed. */
export type ConsentFailure =
  | 'unconfirmed'
  | 'refused'
  | 'unexpected'
  /** Microsoft named another tenant than the one id the link was made for. */
  | 'tenant-mismatch';

export class ConsentError extends Error {
  constructor(
    readonly failure: ConsentFailure,
    readonly details: { error?: string; aadsts?: number; requestedTenant?: string; returnedTenant?: string } = {},
  ) {
    super(`admin consent: ${failure}${details.error ? ` (${details.error})` : ''}`);
    this.name = 'ConsentError';
  }
}

/** A request that needs a signed-in analyst came without one (and is not a page a browser can be redirected from). */
export class SignInRequiredError extends Error {
  constructor() {
    super('sign-in required');
    this.name = 'SignInRequiredError';
  }
}
