import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiRequest, EmulatorContext, Quotas } from '../context';
import type { User } from '../directory';
import { RUNNING_KINDS, withOddItem, type Fault, type FaultEndpoint } from '../faults';
import { authenticate, type AuthOutcome } from './auth';
import { errorReply, legacyThrottled, ODATA_CONTENT_TYPE, quotaMessage, throttled, unauthorized, type Reply } from './errors';
import { ODataQueryError, parseListQuery } from './odata';
import { parsePatchBody, PatchError, resolveClassification } from './patch';
import type { QuotaTracker } from './quota';
import type { IncidentStoreImpl } from './store';

const CONTEXT = 'https://api.security.microsoft.com/api/$metadata#Incidents';
const ENTITY_CONTEXT = `${CONTEXT}/$entity`;
const READ = 'Incident.Read';
const WRITE = 'Incident.ReadWrite';

type RequestRecord = ApiRequest;
type Authenticated = Extract<AuthOutcome, { ok: true }>;
type Handler = (req: Request, auth: Authenticated) => Reply;

const OPERATIONS: Record<Extract<FaultEndpoint, `incidents.${string}`>, { quota: keyof Quotas; name: string }> = {
  'incidents.list': { quota: 'list', name: 'list incidents' },
  'incidents.get': { quota: 'get', name: 'get incident' },
  'incidents.update': { quota: 'update', name: 'update incident' },
  // A PATCH that only adds a comment: the same quota as any update.
  'incidents.comment': { quota: 'update', name: 'update incident' },
};
type Operation = keyof typeof OPERATIONS;

export function rawQuery(req: Request): URLSearchParams {
  const q = req.originalUrl.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : req.originalUrl.slice(q + 1));
}

/** A PATCH whose body is a JSON object with `comment` as its only property: how this API adds a comment. */
function isCommentOnly(body: unknown): boolean {
  if (!Buffer.isBuffer(body)) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).join() === 'comment';
  } catch {
    return false;
  }
}

function send(res: Response, reply: Reply): void {
  const record = res.locals.defenderRecord as RequestRecord | undefined;
  if (record) record.status = reply.status;
  res.status(reply.status);
  if (reply.status === 204) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', reply.contentType ?? ODATA_CONTENT_TYPE);
  res.setHeader('OData-Version', '4.0');
  // No Strict-Transport-Security although the real API sends it: this listener shares the host name
  // `localhost` with the emulator's plain-HTTP browser pages, which HSTS would break.
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Content-Length', Buffer.byteLength(reply.body));
  res.end(reply.body);
}

/**
 * An id as the API's Int64 key. Anything else names no incident and gets the same 404 as an unknown id
 * (a choice: a 400 would also be defensible, but the docs only describe 404 for ids that do not exist).
 */
function incidentId(raw: string): number | undefined {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

function notFound(id: string): Reply {
  return errorReply(404, 'ResourceNotFound', `Incident ${id} was not found.`);
}

function forbiddenNoRole(user: User): Reply | undefined {
  if (user.defender.role !== 'none') return undefined;
  return errorReply(
    403,
    'Forbidden',
    `The user ${user.upn} has no Microsoft Defender XDR role, so they may not view incidents in the portal or through the API.`,
  );
}

const FAULT_HTML =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The service is temporarily unavailable. Please try again later.</p></body></html>';

export function defenderRouter(ctx: EmulatorContext, store: IncidentStoreImpl, quota: QuotaTracker): express.Router {
  const router = express.Router();

  router.use((req, res, next) => {
    const record: RequestRecord = {
      api: 'defender',
      method: req.method,
      path: req.path,
      query: Object.fromEntries(rawQuery(req)),
      status: 0,
    };
    if (typeof req.headers.prefer === 'string') record.prefer = req.headers.prefer;
    ctx.stats.apiRequests.push(record);
    res.locals.defenderRecord = record;
    next();
  });

  /**
   * Order: fault (so an injected 401 works even without a valid token) → 401 → 403 (permission, then
   * role) → quota → the handler. Only calls that pass authentication and authorisation count toward the
   * quota; faulted and refused calls do not. `delay`, `truncated` and `no-content` let the call run.
   */
  const handle = (operationOf: Operation | ((req: Request) => Operation), authorize: (auth: Authenticated) => Reply | undefined, handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      const operation = typeof operationOf === 'function' ? operationOf(req) : operationOf;
      let auth = authenticate(ctx, req.headers.authorization);
      const record = res.locals.defenderRecord as RequestRecord;
      if (auth.ok) record.upn = auth.user.upn;
      const fault = ctx.faults.take(operation);
      const runs = fault === undefined || RUNNING_KINDS.includes(fault.kind);
      if (fault && !runs) return send(res, faultReply(fault, operation));
      if (fault?.kind === 'delay') {
        await sleep(fault.delayMs);
        auth = authenticate(ctx, req.headers.authorization);
      }
      const reply = pipeline(req, auth, operation, authorize, handler);
      if (fault?.kind === 'truncated') {
        return send(res, { ...reply, status: 200, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) });
      }
      // no-content replaces a successful answer only: a refused call still says why.
      if (fault?.kind === 'no-content' && reply.status >= 200 && reply.status < 300) return send(res, { status: 204, body: '' });
      if (fault?.kind === 'odd-item' && reply.status === 200) return send(res, { ...reply, body: withOddItem(reply.body) });
      send(res, reply);
    };

  const pipeline = (
    req: Request,
    auth: AuthOutcome,
    operation: Operation,
    authorize: (auth: Authenticated) => Reply | undefined,
    handler: Handler,
  ): Reply => {
    if (!auth.ok) return unauthorized(auth.message);
    const refused = authorize(auth);
    if (refused) return refused;
    const { quota: kind, name } = OPERATIONS[operation];
    const limit = ctx.options.quotas[kind];
    const taken = quota.take(`${auth.tenantId}|${auth.appId}|${kind}`, limit);
    if (!taken.ok) return throttled(quotaMessage(limit, name, taken.retryAfterSec), taken.retryAfterSec);
    return handler(req, auth);
  };

  const mayRead = (auth: Authenticated): Reply | undefined => {
    if (!auth.scopes.has(READ) && !auth.scopes.has(WRITE)) {
      return errorReply(
        403,
        'Forbidden',
        `The access token does not grant the delegated permission ${READ} or ${WRITE}, which reading incidents requires (scp: '${[...auth.scopes].join(' ')}').`,
      );
    }
    return forbiddenNoRole(auth.user);
  };

  // The two refusals of an update are told apart by wording: the first names the missing permission
  // (fixed by consent), the second the user's role (fixed by a Defender administrator) and never mentions
  // Incident.ReadWrite, so a client can tell the analyst which of the two it is.
  const mayUpdate = (auth: Authenticated): Reply | undefined => {
    if (!auth.scopes.has(WRITE)) {
      return errorReply(
        403,
        'Forbidden',
        `The access token does not grant the delegated permission ${WRITE}, which updating incidents requires (scp: '${[...auth.scopes].join(' ')}').`,
      );
    }
    const noRole = forbiddenNoRole(auth.user);
    if (noRole) return noRole;
    if (!auth.user.defender.canUpdate) {
      return errorReply(
        403,
        'Forbidden',
        `The Microsoft Defender XDR role of ${auth.user.upn} (${auth.user.defender.role}) is read-only: it does not allow managing incidents. Ask a Defender administrator for a role that may.`,
      );
    }
    return undefined;
  };

  router.get(
    '/api/incidents',
    handle('incidents.list', mayRead, (req, auth) => {
      let query;
      try {
        query = parseListQuery(rawQuery(req));
      } catch (err) {
        if (err instanceof ODataQueryError) return errorReply(400, 'ODataError', err.message);
        throw err;
      }
      // The server's page size caps every page; without $top it is the page size.
      const pageSize = store.pageSize('defender');
      const ids = store.query(auth.user, query.filter, query.skip, Math.min(query.top ?? pageSize, pageSize));
      const value = ids.map((id) => store.json(auth.user, id) as string);
      return { status: 200, body: `{"@odata.context":${JSON.stringify(CONTEXT)},"value":[${value.join(',')}]}` };
    }),
  );

  // A user is answered 404 for incidents outside their device groups, exactly as for ids that do not
  // exist: the API "only returns incidents the user can see", and a 403 would confirm the id exists.
  router.get(
    '/api/incidents/:id',
    handle('incidents.get', mayRead, (req, auth) => {
      const raw = String(req.params.id);
      const id = incidentId(raw);
      const json = id === undefined ? undefined : store.json(auth.user, id);
      if (json === undefined) return notFound(raw);
      return { status: 200, body: entity(json) };
    }),
  );

  router.patch(
    '/api/incidents/:id',
    express.raw({ type: () => true, limit: '1mb' }),
    handle((req) => (isCommentOnly(req.body) ? 'incidents.comment' : 'incidents.update'), mayUpdate, (req, auth) => {
      const raw = String(req.params.id);
      try {
        const patch = parsePatchBody(req.body, req.headers['content-type']);
        const id = incidentId(raw);
        const current = id === undefined || !store.canSee(auth.user, id) ? undefined : store.current(auth.tenantId, id);
        if (id === undefined || !current) return notFound(raw);
        const { determination } = resolveClassification(current, patch);
        return { status: 200, body: entity(store.update(auth.tenantId, id, { ...patch, determination, by: auth.user.upn })) };
      } catch (err) {
        if (err instanceof PatchError) return errorReply(400, 'InvalidRequestBody', err.message);
        throw err;
      }
    }),
  );

  router.use((_req, res) => {
    send(res, errorReply(404, 'NotFound', 'No such resource. This API serves GET /api/incidents, GET /api/incidents/{id} and PATCH /api/incidents/{id}.'));
  });

  // Body-parser failures (too large, aborted) and anything unexpected, still in the API's error shape.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return send(res, errorReply(400, 'InvalidRequestBody', 'The request body is larger than 1 MB.'));
    if (typeof type === 'string' && type.startsWith('request.')) {
      return send(res, errorReply(400, 'InvalidRequestBody', `The request body could not be read (${type}).`));
    }
    send(res, errorReply(500, 'InternalServerError', `An unexpected error occurred: ${err instanceof Error ? err.message : String(err)}`));
  });

  return router;
}

function entity(incidentJson: string): string {
  return `{"@odata.context":${JSON.stringify(ENTITY_CONTEXT)},${incidentJson.slice(1)}`;
}

function faultReply(fault: Required<Fault>, operation: Operation): Reply {
  switch (fault.kind) {
    case '429':
      return throttled(
        `API calls quota exceeded! Maximum allowed calls for ${OPERATIONS[operation].name} reached. Try again in ${fault.retryAfter} second${fault.retryAfter === 1 ? '' : 's'}.`,
        fault.retryAfter,
      );
    case '429-body':
      return legacyThrottled(fault.retryAfter);
    case '500':
      return errorReply(500, 'InternalServerError', 'An internal error occurred. Retry the request.');
    case '503':
      return errorReply(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Retry later.', {
        'Retry-After': String(fault.retryAfter),
      });
    case '401':
      return unauthorized('The access token is invalid or has expired.');
    case 'non-json':
    default:
      return { status: 200, body: FAULT_HTML, contentType: 'text/html; charset=utf-8' };
  }
}
