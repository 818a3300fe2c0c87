import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiRequest, EmulatorContext } from '../context';
import { authenticate, type AuthOutcome } from '../defender/auth';
import type { QuotaTracker } from '../defender/quota';
import { rawQuery } from '../defender/routes';
import type { IncidentStoreImpl } from '../defender/store';
import { GRAPH_APP_ID, GRAPH_RESOURCE, type EntraRole, type User } from '../directory';
import { RUNNING_KINDS, withOddItem, type Fault, type FaultEndpoint } from '../faults';
import { itemAt } from '../lists';
import type { CursorStore } from './cursor';
import type { EnumOptions } from './enums';
import { badRequest, GRAPH_CONTENT_TYPE, graphError, GraphRequestError, invalidToken, requestIds, tooManyRequests, type GraphReply, type RequestIds } from './errors';
import { parseComment, parseIncidentPatch, resolvePair } from './patch';
import { parseGetQuery, parseListQuery } from './query';
import { commentObjects, incidentJson } from './view';
import { huntingRequest, runHunting } from '../hunting/run';

/*
 * Microsoft Graph security API v1.0, incidents (graph-security-api.md §2–§5) and advanced hunting
 * (src/hunting/), mounted at /v1.0 on the HTTPS listener, over the same store as the Defender API.
 *
 * Checks, in order: fault → 401 (token: signature, exp/nbf on the emulator clock, `aud` Graph, issuer,
 * tenant, not revoked, user exists) → 403 (the permission in `scp`, then the user's Entra role) → the
 * tenant's quota → the operation. Device-group visibility (the user's Defender role) decides which
 * incidents the user sees: others answer 404 like unknown ids.
 */

const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#security/incidents';
const ENTITY_CONTEXT = `${CONTEXT}/$entity`;
const READ = 'SecurityIncident.Read.All';
const WRITE = 'SecurityIncident.ReadWrite.All';
const HUNT = 'ThreatHunting.Read.All';
/** Graph accepts its tokens under either spelling of its audience. */
const AUDIENCES = [GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, GRAPH_APP_ID];
const READ_ROLES: readonly EntraRole[] = ['Security Reader', 'Security Operator', 'Security Administrator', 'Global Administrator'];
const WRITE_ROLES: readonly EntraRole[] = ['Security Operator', 'Security Administrator', 'Global Administrator'];
const PREFER_UNKNOWN = 'include-unknown-enum-members';

type Operation = Exclude<FaultEndpoint, 'token' | 'authorize' | 'discovery'>;
type Authenticated = Extract<AuthOutcome, { ok: true }>;
interface Call {
  req: Request;
  auth: Authenticated;
  ids: RequestIds;
  enums: EnumOptions;
}
type Handler = (call: Call) => GraphReply;

const FAULT_HTML =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The service is temporarily unavailable. Please try again later.</p></body></html>';

/** Whether the `Prefer` header(s) ask for evolvable enum members added after unknownFutureValue. */
function prefersUnknownMembers(req: Request): boolean {
  const raw = req.headers.prefer;
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(','));
  return values.some((v) => v.trim().toLowerCase() === PREFER_UNKNOWN);
}

/** An id as Graph's incident key: digits only (anything else names no incident: 404, as for unknown ids). */
function incidentId(raw: string): number | undefined {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

function tokenMessage(auth: Extract<AuthOutcome, { ok: false }>): string {
  switch (auth.reason) {
    case 'missing':
    case 'scheme':
      return 'Access token is empty.';
    case 'expired':
    case 'notYetValid':
      return 'Lifetime validation failed, the token is expired.';
    case 'audience':
      return 'Access token validation failure. Invalid audience.';
    case 'revoked':
      return 'Access token has been revoked; acquire a new one.';
    default:
      return `Access token validation failure. ${auth.message}`;
  }
}

function missingScope(required: string[], auth: Authenticated, ids: RequestIds): GraphReply {
  return graphError(
    ids,
    403,
    'Forbidden',
    `Missing scope permissions on the request. API requires one of '${required.join(', ')}'. Scopes on the request '${[...auth.scopes].join(', ')}'.`,
  );
}

function missingRole(user: User, roles: readonly EntraRole[], what: string, ids: RequestIds): GraphReply {
  return graphError(
    ids,
    403,
    'Forbidden',
    `The signed-in user ${user.upn} has no Microsoft Entra role that may ${what}; one of ${roles.join(', ')} is needed (user's roles: ${user.entraRoles.join(', ') || 'none'}).`,
  );
}

const mayRead = (auth: Authenticated, ids: RequestIds): GraphReply | undefined => {
  if (!auth.scopes.has(READ) && !auth.scopes.has(WRITE)) return missingScope([READ, WRITE], auth, ids);
  if (!auth.user.entraRoles.some((r) => READ_ROLES.includes(r))) return missingRole(auth.user, READ_ROLES, 'read security incidents', ids);
  return undefined;
};

const mayHunt = (auth: Authenticated, ids: RequestIds): GraphReply | undefined => {
  if (!auth.scopes.has(HUNT)) return missingScope([HUNT], auth, ids);
  if (!auth.user.entraRoles.some((r) => READ_ROLES.includes(r))) return missingRole(auth.user, READ_ROLES, 'run advanced hunting queries', ids);
  return undefined;
};

// The two refusals of a write are told apart by wording: the first names the permission (fixed by
// consent), the second the user's Entra role (fixed by an administrator) and never names the permission.
const mayWrite = (auth: Authenticated, ids: RequestIds): GraphReply | undefined => {
  if (!auth.scopes.has(WRITE)) return missingScope([WRITE], auth, ids);
  if (!auth.user.entraRoles.some((r) => WRITE_ROLES.includes(r))) return missingRole(auth.user, WRITE_ROLES, 'manage security incidents', ids);
  return undefined;
};

function faultReply(fault: Required<Fault>, ids: RequestIds, authorityHost: string): GraphReply {
  switch (fault.kind) {
    case '429':
      return tooManyRequests(ids, fault.retryAfter);
    case '429-body':
      return graphError(ids, 429, 'TooManyRequests', `API calls quota exceeded! You can send requests again in ${fault.retryAfter} seconds.`);
    case '500':
      return graphError(ids, 500, 'InternalServerError', 'An internal server error occurred. Retry the request.');
    case '503':
      return graphError(ids, 503, 'ServiceUnavailable', 'The service is temporarily unavailable. Retry later.', { 'Retry-After': String(fault.retryAfter) });
    case '401':
      return invalidToken(ids, 'Access token validation failure.', authorityHost);
    default:
      return { status: 200, body: FAULT_HTML, contentType: 'text/html; charset=utf-8' };
  }
}

export function graphRouter(ctx: EmulatorContext, store: IncidentStoreImpl, quota: QuotaTracker, cursors: CursorStore): express.Router {
  const router = express.Router();
  const origin = () => ctx.urls.graphBase;

  const send = (res: Response, ids: RequestIds, reply: GraphReply): void => {
    const record = res.locals.graphRecord as ApiRequest | undefined;
    if (record) record.status = reply.status;
    res.status(reply.status);
    res.setHeader('request-id', ids.requestId);
    res.setHeader('client-request-id', ids.clientRequestId);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.status === 204) return void res.end();
    res.setHeader('Content-Type', reply.contentType ?? GRAPH_CONTENT_TYPE);
    res.setHeader('OData-Version', '4.0');
    res.setHeader('Content-Length', Buffer.byteLength(reply.body));
    res.end(reply.body);
  };

  const idsOf = (req: Request): RequestIds => {
    const sent = req.headers['client-request-id'];
    return requestIds(ctx.clock.now(), typeof sent === 'string' ? sent : undefined);
  };

  router.use((req, res, next) => {
    const record: ApiRequest = { api: 'graph', method: req.method, path: `/v1.0${req.path}`, query: Object.fromEntries(rawQuery(req)), status: 0 };
    if (typeof req.headers.prefer === 'string') record.prefer = req.headers.prefer;
    ctx.stats.apiRequests.push(record);
    res.locals.graphRecord = record;
    next();
  });

  const pipeline = (req: Request, auth: AuthOutcome, ids: RequestIds, authorize: typeof mayRead, handler: Handler): GraphReply => {
    if (!auth.ok) return invalidToken(ids, tokenMessage(auth), ctx.urls.authorityHost);
    const refused = authorize(auth, ids);
    if (refused) return refused;
    const taken = quota.take(`${auth.tenantId}|${auth.appId}|graph`, ctx.options.quotas.graph);
    if (!taken.ok) return tooManyRequests(ids, taken.retryAfterSec);
    try {
      return handler({ req, auth, ids, enums: { includeUnknownMembers: prefersUnknownMembers(req) } });
    } catch (err) {
      if (err instanceof GraphRequestError) return graphError(ids, err.status, err.code, err.message);
      throw err;
    }
  };

  /** Faults first (an injected 401 works without a token); only calls that pass the checks count toward the quota. */
  const handle = (operation: Operation, authorize: typeof mayRead, handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      const ids = idsOf(req);
      let auth = authenticate(ctx, req.headers.authorization, AUDIENCES);
      const record = res.locals.graphRecord as ApiRequest;
      if (auth.ok) record.upn = auth.user.upn;
      const fault = ctx.faults.take(operation);
      const runs = fault === undefined || RUNNING_KINDS.includes(fault.kind);
      if (fault && !runs) return send(res, ids, faultReply(fault, ids, ctx.urls.authorityHost));
      if (fault?.kind === 'delay') {
        await sleep(fault.delayMs);
        auth = authenticate(ctx, req.headers.authorization, AUDIENCES);
      }
      const reply = pipeline(req, auth, ids, authorize, handler);
      if (fault?.kind === 'truncated') return send(res, ids, { ...reply, status: 200, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) });
      if (fault?.kind === 'no-content' && reply.status >= 200 && reply.status < 300) return send(res, ids, { status: 204, body: '' });
      if (fault?.kind === 'odd-item' && reply.status === 200) return send(res, ids, { ...reply, body: withOddItem(reply.body) });
      send(res, ids, reply);
    };

  const notFound = (ids: RequestIds, raw: string) => graphError(ids, 404, 'NotFound', `Incident ${raw} was not found.`);
  const profileOf = (tenantId: string) => {
    const data = store.tenant(tenantId);
    if (!data) throw new Error(`tenant ${tenantId} vanished`);
    return data.profile;
  };
  const entity = (json: string) => `{"@odata.context":${JSON.stringify(ENTITY_CONTEXT)},${json.slice(1)}`;

  router.get(
    '/security/incidents',
    handle('incidents.list', mayRead, ({ req, auth, enums }) => {
      const query = parseListQuery(rawQuery(req), enums);
      const pageSize = store.pageSize('graph');
      const limit = Math.min(query.top ?? pageSize, pageSize);
      let ids: number[];
      let count: number;
      let next: string | undefined;
      if (query.skiptoken !== undefined) {
        const found = cursors.resolve(query.skiptoken);
        const same = found && found.snapshot.oid === auth.user.oid && JSON.stringify(found.snapshot.kept) === JSON.stringify(query.kept);
        if (!found || !same) {
          throw new GraphRequestError(400, 'BadRequest', 'The $skiptoken is not valid, has expired or belongs to another query; follow @odata.nextLink as it was given, or start again without it.');
        }
        // Walk the snapshot, leaving out what the caller may no longer see or what no longer matches.
        ids = [];
        let at = found.offset;
        while (at < found.snapshot.ids.length && ids.length < limit) {
          const id = itemAt(found.snapshot.ids, at++, 'listing snapshot');
          if (store.matches(auth.user, id, query.filter)) ids.push(id);
        }
        count = found.snapshot.count;
        if (at < found.snapshot.ids.length) next = cursors.next(found.id, at);
      } else {
        const all = store.matching(auth.user, query.filter);
        count = all.length;
        const end = query.skip + limit;
        ids = all.slice(query.skip, end);
        if (limit > 0 && end < all.length) next = cursors.create({ oid: auth.user.oid, tenantId: auth.tenantId, kept: query.kept, ids: all.slice(end), count }, 0);
      }
      const profile = profileOf(auth.tenantId);
      const value = ids.flatMap((id) => {
        const incident = store.view(auth.user, id);
        return incident ? [incidentJson(profile, incident, { ...enums, expandAlerts: query.expandAlerts })] : [];
      });
      const parts = [`"@odata.context":${JSON.stringify(CONTEXT)}`];
      if (query.count) parts.push(`"@odata.count":${count}`);
      parts.push(`"value":[${value.join(',')}]`);
      if (next !== undefined) parts.push(`"@odata.nextLink":${JSON.stringify(nextLink(origin(), query.kept, next))}`);
      return { status: 200, body: `{${parts.join(',')}}` };
    }),
  );

  router.get(
    '/security/incidents/:id',
    handle('incidents.get', mayRead, ({ req, auth, ids, enums }) => {
      const { expandAlerts } = parseGetQuery(rawQuery(req));
      const raw = String(req.params.id);
      const id = incidentId(raw);
      const incident = id === undefined ? undefined : store.view(auth.user, id);
      if (!incident) return notFound(ids, raw);
      return { status: 200, body: entity(incidentJson(profileOf(auth.tenantId), incident, { ...enums, expandAlerts })) };
    }),
  );

  router.patch(
    '/security/incidents/:id',
    express.raw({ type: () => true, limit: '1mb' }),
    handle('incidents.update', mayWrite, ({ req, auth, ids, enums }) => {
      const raw = String(req.params.id);
      const patch = parseIncidentPatch(req.body, req.headers['content-type']);
      const id = incidentId(raw);
      const current = id === undefined || !store.canSee(auth.user, id) ? undefined : store.current(auth.tenantId, id);
      if (id === undefined || !current) return notFound(ids, raw);
      const determination = resolvePair(current, patch);
      store.update(auth.tenantId, id, { ...patch, determination, by: auth.user.upn });
      const incident = store.view(auth.user, id);
      if (!incident) return notFound(ids, raw);
      return { status: 200, body: entity(incidentJson(profileOf(auth.tenantId), incident, { ...enums, expandAlerts: false })) };
    }),
  );

  router.post(
    '/security/incidents/:id/comments',
    express.raw({ type: () => true, limit: '1mb' }),
    handle('incidents.comment', mayWrite, ({ req, auth, ids }) => {
      const raw = String(req.params.id);
      const comment = parseComment(req.body, req.headers['content-type']);
      const id = incidentId(raw);
      if (id === undefined || !store.canSee(auth.user, id)) return notFound(ids, raw);
      store.update(auth.tenantId, id, { comment, by: auth.user.upn });
      const incident = store.view(auth.user, id);
      if (!incident) return notFound(ids, raw);
      const context = `https://graph.microsoft.com/v1.0/$metadata#security/incidents('${id}')/comments`;
      return { status: 200, body: JSON.stringify({ '@odata.context': context, value: commentObjects(incident) }) };
    }),
  );

  router.post(
    '/security/runHuntingQuery',
    express.raw({ type: () => true, limit: '1mb' }),
    handle('hunting.run', mayHunt, ({ req, auth, ids }) => {
      // Hunting's own quota, per tenant, on top of the Graph call the pipeline counted.
      const taken = quota.take(`${auth.tenantId}|hunting`, ctx.options.quotas.hunting);
      if (!taken.ok) return tooManyRequests(ids, taken.retryAfterSec);
      const { query, timespan } = huntingRequest(req.body as Buffer, req.headers['content-type']);
      // The caller's incidents' activity: what their Defender role lets them see.
      const incidents = [...store.visibleIds(auth.user)].flatMap((id) => store.view(auth.user, id) ?? []);
      return { status: 200, body: runHunting(query, timespan, incidents, profileOf(auth.tenantId).netbios, ctx.clock.now()) };
    }),
  );

  const methodNotAllowed = (req: Request, res: Response) => {
    const ids = idsOf(req);
    send(res, ids, graphError(ids, 405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed on ${req.originalUrl.split('?')[0]}.`));
  };
  router.all('/security/incidents', methodNotAllowed);
  router.all('/security/incidents/:id', methodNotAllowed);
  router.all('/security/incidents/:id/comments', methodNotAllowed);
  router.all('/security/runHuntingQuery', methodNotAllowed);

  router.use((req: Request, res: Response) => {
    const ids = idsOf(req);
    send(res, ids, graphError(ids, 404, 'NotFound', `Resource not found for the segment '${req.path}'. This emulator serves /v1.0/security/incidents, /v1.0/security/incidents/{id}, /v1.0/security/incidents/{id}/comments and /v1.0/security/runHuntingQuery.`));
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const ids = idsOf(req);
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return send(res, ids, badRequest(ids, 'The request body is larger than 1 MB.'));
    if (typeof type === 'string' && type.startsWith('request.')) return send(res, ids, badRequest(ids, `The request body could not be read (${type}).`));
    send(res, ids, graphError(ids, 500, 'InternalServerError', `An unexpected error occurred: ${err instanceof Error ? err.message : String(err)}`));
  });

  return router;
}

/** An absolute @odata.nextLink on the emulator's HTTPS origin, repeating the query's options. */
function nextLink(origin: string, kept: Record<string, string>, skiptoken: string): string {
  const parts = Object.entries(kept).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  parts.push(`$skiptoken=${encodeURIComponent(skiptoken)}`);
  return `${origin}/v1.0/security/incidents?${parts.join('&')}`;
}
