import { createHash } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear. Redaction is path-based, so the code also never
 * logs whole msal responses or errors (they can carry tokens): see describeError().
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.accessToken',
  '*.idToken',
  '*.client_secret',
  '*.code',
  '*.code_verifier',
  '*.codeVerifier',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { service: 'threatdesk' },
    },
    destination,
  );
}

/** Session ids are bearer credentials: logs carry a short hash that still correlates lines. */
export function hashId(id: string | undefined): string | undefined {
  return id ? createHash('sha256').update(id).digest('base64url').slice(0, 12) : undefined;
}

/** What is safe to log about an error: its class, code and message, never attached request/response bodies. */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { errorCode?: string; subError?: string; code?: string; status?: number };
  return {
    type: e.name,
    errorCode: e.errorCode ?? e.code,
    subError: e.subError || undefined,
    status: e.status,
    // msal messages quote the server's error_description (AADSTS text), which holds no secrets.
    message: (e.message.split('\n')[0] ?? '').slice(0, 300),
  };
}
