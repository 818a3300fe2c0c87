import type { NextFunction, Request, Response } from 'express';
import { sessionLifetime } from '../../src/auth/session';

const IDLE = 30 * 60_000;
const ABSOLUTE = 12 * 3600_000;
const account = { homeAccountId: 'o.t', tenantId: 't', username: 'a@b.example', oid: 'o' };

function run(session: Record<string, unknown>): Record<string, unknown> {
  const next = jest.fn() as unknown as NextFunction;
  sessionLifetime(IDLE, ABSOLUTE)({ session } as unknown as Request, {} as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  return session;
}

describe('session lifetime enforced by the app', () => {
  it('keeps an active session and refreshes lastSeen at most once a minute', () => {
    const now = Date.now();
    expect(run({ account, createdAt: now - 1000, lastSeen: now - 5_000 }).lastSeen).toBe(now - 5_000);
    expect(run({ account, createdAt: now - 1000, lastSeen: now - 120_000 }).lastSeen).toBeGreaterThanOrEqual(now);
  });

  it('control 5: forgets the analyst after the idle limit', () => {
    const s = run({ account, createdAt: Date.now() - 60_000, lastSeen: Date.now() - IDLE - 1 });
    expect(s.account).toBeUndefined();
    expect(s.flash).toEqual({ kind: 'error', text: 'Your session expired. Sign in again to continue.' });
  });

  it('control 6: forgets the analyst after the absolute limit, however active', () => {
    const s = run({ account, createdAt: Date.now() - ABSOLUTE - 1, lastSeen: Date.now() });
    expect(s.account).toBeUndefined();
  });
});
