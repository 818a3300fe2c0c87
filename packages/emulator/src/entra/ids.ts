import { randomBytes, randomUUID } from 'node:crypto';

/** An unguessable opaque value (codes, refresh tokens, session and transaction ids). */
export function opaque(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function guid(): string {
  return randomUUID();
}
