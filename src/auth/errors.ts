import { DEFAULT_LANGUAGE, t, translatorFor } from '../i18n/i18n';

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
/** What went wrong with the sign-in service, as auth:idp.<key> words it. */
export type IdentityProviderProblem = 'credentials' | 'unavailable' | 'refused' | 'mismatch' | 'unreachable' | 'notAccepted' | 'noAccount' | 'notForUs';

export class IdentityProviderError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'misconfigured' | 'rejected',
    readonly problem: IdentityProviderProblem,
    readonly aadsts?: number,
    readonly retryAfterSec?: number,
    /** The OAuth error code Entra sent, where the words name it. */
    readonly errorCode?: string,
  ) {
    // English for the logs; the page says it in the reader's language (describe()).
    super(translatorFor(DEFAULT_LANGUAGE)(`auth:idp.${problem}`, { errorCode }));
    this.name = 'IdentityProviderError';
  }

  describe(): string {
    return t(`auth:idp.${this.problem}`, { errorCode: this.errorCode });
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

/**
 * The AADSTS codes an analyst can meet (service-facts §2.5), with whether the fix lies with an
 * administrator. Their plain-language explanations are in the auth catalogue (auth:aadsts.<code>),
 * read when a page is rendered so that they come in the reader's language.
 */
const EXPLAINED: Readonly<Record<number, { admin?: true }>> = {
  65001: { admin: true },
  90094: { admin: true },
  65004: { admin: true },
  50011: { admin: true },
  700016: { admin: true },
  7000215: {},
  7000222: {},
  54005: {},
  70008: {},
  501481: {},
  700082: {},
  50058: {},
};

export function explainAadsts(code: number | undefined): AadstsExplanation | undefined {
  if (code === undefined || !Object.hasOwn(EXPLAINED, code)) return undefined;
  return {
    title: t(`auth:aadsts.${code}.title`),
    what: t(`auth:aadsts.${code}.what`),
    todo: t(`auth:aadsts.${code}.todo`),
    ...EXPLAINED[code],
  };
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
