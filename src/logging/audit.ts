import type { Request } from 'express';
import type { Logger } from 'pino';

/**
 * The security events ThreatDesk records, one JSON line each, with a stable `audit` field to filter
 * on (README, "Security model"). Every line names the request (`requestId`, also sent to the browser
 * as X-Request-Id and shown on error pages) and, where known, the analyst by `oid` and `tid`.
 */
export type AuditEvent =
  | 'signin.success'
  | 'signin.failure'
  | 'signout'
  | 'signout.frontchannel'
  | 'session.ended'
  | 'consent.granted'
  | 'consent.refused'
  | 'csrf.refused'
  | 'cross-site.refused'
  | 'incident.write'
  | 'bulk.started'
  | 'bulk.cancelled'
  | 'handover.note'
  | 'hunting.run'
  | 'hunting.saved'
  | 'hunting.deleted';

export interface AuditFields {
  oid?: string;
  tid?: string;
  [field: string]: unknown;
}

/**
 * Logs one audit event for this request. Who it was defaults to the session's analyst; callers pass
 * `oid`/`tid` when the session has changed (a sign-in, a sign-out). Never pass free text typed by
 * an analyst (comments): only names of fields, ids and outcomes.
 */
export function audit(req: Request, event: AuditEvent, fields: AuditFields = {}, fallback?: Logger): void {
  const account = req.session?.account;
  const log = (req.log as Logger | undefined) ?? fallback;
  log?.info(
    {
      audit: event,
      requestId: req.id as string,
      oid: account?.oid,
      tid: account?.tenantId,
      ...fields,
    },
    `audit ${event}`,
  );
}

/** An audit event of work no request carries (a bulk job's writes, made by the job runner for `oid`). */
export function auditBackground(log: Logger, event: AuditEvent, fields: AuditFields & { oid: string; tid: string }): void {
  log.info({ audit: event, ...fields }, `audit ${event}`);
}
