import express, { type NextFunction, type Request, type Response } from 'express';
import { ControlError } from './errors';
import type { EmulatorControl } from './types';

/**
 * The control face over HTTP, mounted at `/_emulator` on both listeners (JSON in and out). Every route
 * calls the in-process implementation, so the two behave the same by construction; the shared contract
 * test (test/control-contract.ts) checks it through EmulatorControlClient. Not part of any Microsoft API,
 * and unauthenticated: the emulator listens on loopback only and exists for tests and demos.
 *
 * A lookup that finds nothing (a user, an incident) is a 404 whose body says `found: false`, which the
 * client turns back into undefined; other refusals are `{ error }` with the ControlError's status.
 */
export const CONTROL_ROUTES = [
  'GET /faults',
  'POST /faults',
  'DELETE /faults',
  'GET /users?tenant=',
  'POST /users',
  'GET /users/{upn}',
  'PATCH /users/{upn}',
  'POST /users/{upn}/revoke',
  'GET /users/{upn}/consent',
  'GET /users/{upn}/incidents',
  'GET /incidents/listing',
  'PATCH /incidents/listing',
  'GET /tenants/{tenant}/consent',
  'POST /tenants/{tenant}/consent',
  'POST /tenants/{tenant}/consent/revoke',
  'GET /tenants/{tenant}/incidents',
  'POST /tenants/{tenant}/incidents',
  'GET /tenants/{tenant}/incidents/count',
  'GET /tenants/{tenant}/incidents/{id}',
  'PATCH /tenants/{tenant}/incidents/{id}',
  'POST /tokens',
  'POST /tokens/expire',
  'GET /tokens/issued',
  'GET /stats/grants',
  'GET /stats/requests?since=',
  'GET /stats/requests/mark',
  'DELETE /stats/requests',
  'GET /quotas',
  'PATCH /quotas',
  'POST /quotas/reset',
  'GET /clock',
  'POST /clock/advance',
  'PUT /clock',
  'GET /app',
  'POST /app/redirect-uris',
] as const;

type Handler = (req: Request) => Promise<unknown>;

const param = (req: Request, name: string): string => String(req.params[name]);
const body = (req: Request): Record<string, unknown> => (typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {});
const numberParam = (raw: unknown): unknown => (typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw);

export function controlRouter(control: EmulatorControl): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  const on = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, handler: Handler, status = 200) =>
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      handler(req).then((result) => {
        if (result === undefined && status === 204) return void res.status(204).end();
        res.status(status).json(result);
      }, next);
    });
  /** A lookup: undefined becomes a 404 saying `found: false`. */
  const lookup = (path: string, what: (req: Request) => string, handler: Handler) =>
    router.get(path, (req: Request, res: Response, next: NextFunction) => {
      handler(req).then((result) => {
        if (result === undefined) return void res.status(404).json({ error: `${what(req)} was not found.`, found: false });
        res.json(result);
      }, next);
    });

  on('get', '/faults', () => control.faults.list());
  on('post', '/faults', (req) => control.faults.add(req.body as never), 201);
  on('delete', '/faults', () => control.faults.clear(), 204);

  on('get', '/users', (req) => control.users.list(typeof req.query.tenant === 'string' ? req.query.tenant : undefined));
  on('post', '/users', (req) => control.users.add(req.body as never), 201);
  lookup('/users/:upn', (req) => `User ${param(req, 'upn')}`, (req) => control.users.get(param(req, 'upn')));
  on('patch', '/users/:upn', (req) => control.users.update(param(req, 'upn'), req.body as never));
  on('post', '/users/:upn/revoke', async (req) => ({ revoked: await control.users.revokeRefreshTokens(param(req, 'upn')) }));
  on('get', '/users/:upn/consent', async (req) => ({ scopes: await control.consent.userScopes(param(req, 'upn')) }));
  on('get', '/users/:upn/incidents', async (req) => ({ ids: await control.incidents.visibleIds(param(req, 'upn')) }));

  on('get', '/incidents/listing', () => control.incidents.listing());
  on('patch', '/incidents/listing', (req) => control.incidents.setListing(req.body as never));

  on('get', '/tenants/:tenant/consent', async (req) => ({ scopes: await control.consent.tenantScopes(param(req, 'tenant')) }));
  on('post', '/tenants/:tenant/consent', async (req) => ({ scopes: await control.consent.grantAdmin(param(req, 'tenant'), body(req).scopes as never) }));
  on('post', '/tenants/:tenant/consent/revoke', async (req) => ({
    scopes: await control.consent.revokeAdmin(param(req, 'tenant'), body(req).scopes as never),
  }));
  on('get', '/tenants/:tenant/incidents', (req) => control.incidents.list(param(req, 'tenant')));
  on('post', '/tenants/:tenant/incidents', (req) => control.incidents.add(param(req, 'tenant'), req.body as never), 201);
  on('get', '/tenants/:tenant/incidents/count', async (req) => ({ count: await control.incidents.count(param(req, 'tenant')) }));
  lookup(
    '/tenants/:tenant/incidents/:id',
    (req) => `Incident ${param(req, 'id')}`,
    (req) => control.incidents.get(param(req, 'tenant'), numberParam(param(req, 'id')) as number),
  );
  on('patch', '/tenants/:tenant/incidents/:id', (req) =>
    control.incidents.change(param(req, 'tenant'), numberParam(param(req, 'id')) as number, req.body as never),
  );

  on('post', '/tokens', async (req) => {
    const { upn, ...request } = body(req);
    return { token: await control.tokens.mint(upn as string, request) };
  });
  on('post', '/tokens/expire', () => control.tokens.expireAll(), 204);
  on('get', '/tokens/issued', async () => ({ secrets: await control.tokens.issuedSecrets() }));

  on('get', '/stats/grants', () => control.stats.grants());
  on('get', '/stats/requests/mark', async () => ({ mark: await control.stats.mark() }));
  on('get', '/stats/requests', (req) => control.stats.requests(numberParam(req.query.since) as number | undefined));
  on('delete', '/stats/requests', () => control.stats.clearRequests(), 204);

  on('get', '/quotas', () => control.quotas.get());
  on('patch', '/quotas', (req) => control.quotas.set(req.body as never));
  on('post', '/quotas/reset', () => control.quotas.reset(), 204);

  on('get', '/clock', async () => ({ now: await control.clock.now() }));
  on('post', '/clock/advance', async (req) => ({ now: await control.clock.advance(body(req).ms as number) }));
  on('put', '/clock', async (req) => ({ now: await control.clock.set(body(req).now as number) }));

  on('get', '/app', () => control.app.registration());
  on('post', '/app/redirect-uris', (req) => control.app.addRedirectUris(body(req).uris as string[]));

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: `No such control route; the routes are ${CONTROL_ROUTES.join(', ')}.` });
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ControlError) return void res.status(err.status).json({ error: err.message });
    const type = (err as { type?: string }).type;
    if (typeof type === 'string' && (type.startsWith('entity.') || type.startsWith('request.'))) {
      return void res.status(400).json({ error: `The request body could not be read as JSON (${type}).` });
    }
    res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
  });
  return router;
}
