import type { EmulatorContext } from '../context';
import type { Defender } from '../defender';
import { addInPortal, changeInPortal } from '../defender/portal';
import { PatchError } from '../defender/patch';
import { rolesWithAdmin, type Tenant, type User } from '../directory';
import type { Entra } from '../entra';
import { badInput, ControlError, notFound } from './errors';
import type { EmulatorControl } from './types';
import {
  checkFault,
  checkIncidentId,
  checkInstant,
  checkListing,
  checkMark,
  checkMint,
  checkNewIncident,
  checkNewUser,
  checkPortalChange,
  checkQuotas,
  checkScopes,
  checkUpn,
  checkUris,
  checkUserUpdate,
} from './validate';

export interface ControlParts {
  ctx: EmulatorContext;
  entra: Entra;
  defender: Defender;
}

/** A deep, JSON-shaped copy: what the HTTP implementation returns too (undefined-valued keys dropped). */
function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Runs an operation as the HTTP endpoints do: asynchronously, returning a copy, refusing with ControlErrors. */
function run<T>(operation: () => T): Promise<T> {
  // The executor runs at once (as an async function's body would); what it throws rejects the promise.
  return new Promise((resolve) => {
    try {
      resolve(plain(operation()));
    } catch (err) {
      if (err instanceof PatchError) throw badInput(err.message);
      throw err;
    }
  });
}

const sorted = (scopes: Iterable<string>) => [...scopes].sort();

/** The control face by direct calls, for tests and demos in the emulator's own process (`emu.control`). */
export function inProcessControl({ ctx, entra, defender }: ControlParts): EmulatorControl {
  const { directory, clock } = ctx;
  const store = defender.store;

  const userOf = (upn: unknown): User => {
    const user = directory.findUser(checkUpn(upn));
    if (!user) throw notFound(`No user ${String(upn)}.`);
    return user;
  };
  const tenantOf = (segment: unknown): Tenant => {
    const tenant = typeof segment === 'string' ? directory.resolveTenant(segment) : undefined;
    if (!tenant || tenant === 'organizations') throw notFound(`No tenant ${String(segment)}.`);
    return tenant;
  };
  const registration = () => ({ clientId: directory.clientId, clientSecret: directory.clientSecret, redirectUris: [...directory.redirectUris] });

  return {
    faults: {
      add: (faults) =>
        run(() => {
          const checked = (Array.isArray(faults) ? faults : [faults]).map(checkFault);
          checked.forEach((f) => ctx.faults.add(f));
          return ctx.faults.pending();
        }),
      list: () => run(() => ctx.faults.pending()),
      clear: () => run(() => ctx.faults.clear()),
    },

    users: {
      add: (input) =>
        run(() => {
          const user = checkNewUser(input);
          if (directory.findUser(user.upn)) throw new ControlError(409, `User ${user.upn} exists.`);
          const tenantId = user.tenantId ?? directory.tenantByDomain(user.upn.split('@')[1] ?? '')?.id;
          if (!tenantId || !directory.tenants.has(tenantId)) throw notFound(`No tenant for ${user.upn}.`);
          return directory.addUser({ ...user, tenantId });
        }),
      get: (upn) => run(() => directory.findUser(checkUpn(upn))),
      list: (tenant) =>
        run(() => {
          const all = [...directory.users.values()];
          if (tenant === undefined) return all;
          const { id } = tenantOf(tenant);
          return all.filter((u) => u.tenantId === id);
        }),
      update: (upn, update) =>
        run(() => {
          const user = userOf(upn);
          const { defender: role, entraRoles, isGlobalAdmin } = checkUserUpdate(update);
          if (role) user.defender = { ...user.defender, ...role };
          user.entraRoles = rolesWithAdmin(entraRoles ?? user.entraRoles, isGlobalAdmin);
          user.isGlobalAdmin = user.entraRoles.includes('Global Administrator');
          return user;
        }),
      revokeRefreshTokens: (upn) => run(() => entra.revokeRefreshTokens(userOf(upn).upn)),
    },

    consent: {
      grantAdmin: (tenant, scopes) =>
        run(() => {
          const t = tenantOf(tenant);
          directory.grantAdminConsent(t.id, checkScopes(scopes));
          return sorted(t.consentedScopes);
        }),
      revokeAdmin: (tenant, scopes) =>
        run(() => {
          const t = tenantOf(tenant);
          directory.revokeAdminConsent(t.id, scopes === undefined ? undefined : checkScopes(scopes));
          return sorted(t.consentedScopes);
        }),
      tenantScopes: (tenant) => run(() => sorted(tenantOf(tenant).consentedScopes)),
      userScopes: (upn) => run(() => sorted(directory.userConsents.get(userOf(upn).oid) ?? [])),
    },

    tokens: {
      expireAll: () => run(() => ctx.accessTokens.revokeAllIssuedUntilNow()),
      mint: (upn, request) => run(() => entra.mintAccessToken(userOf(upn), checkMint(request))),
      issuedSecrets: () => run(() => entra.issuedSecrets()),
    },

    stats: {
      grants: () => run(() => ctx.stats.grants),
      mark: () => run(() => ctx.stats.apiRequests.mark()),
      requests: (since) => run(() => ctx.stats.apiRequests.since(checkMark(since))),
      clearRequests: () => run(() => ctx.stats.apiRequests.clear()),
    },

    incidents: {
      list: (tenant) => run(() => store.list(tenantOf(tenant).id)),
      get: (tenant, id) => run(() => store.get(tenantOf(tenant).id, checkIncidentId(id))),
      count: (tenant) => run(() => store.count(tenantOf(tenant).id)),
      visibleIds: (upn) => run(() => [...store.visibleIds(userOf(upn))]),
      listing: () => run(() => ctx.options.listing),
      setListing: (settings) => run(() => Object.assign(ctx.options.listing, checkListing(settings))),
      change: (tenant, id, change) =>
        run(() => {
          const t = tenantOf(tenant);
          const incident = changeInPortal(store, t.id, checkIncidentId(id), checkPortalChange(change));
          if (!incident) throw notFound(`Incident ${id} was not found in ${t.domain}.`);
          return incident;
        }),
      add: (tenant, incident) =>
        run(() => addInPortal(store, tenantOf(tenant).id, clock.now(), checkNewIncident(incident)) as NonNullable<ReturnType<typeof addInPortal>>),
    },

    quotas: {
      get: () => run(() => ctx.options.quotas),
      set: (quotas) => run(() => Object.assign(ctx.options.quotas, checkQuotas(quotas))),
      reset: () => run(() => defender.quota.reset()),
    },

    clock: {
      now: () => run(() => clock.now()),
      advance: (ms) =>
        run(() => {
          if (checkInstant(ms, 'ms') < 0) throw badInput('The clock only moves forward; use set to go back.');
          return clock.advance(ms);
        }),
      set: (epochMs) => run(() => clock.set(checkInstant(epochMs, 'epochMs'))),
    },

    app: {
      registration: () => run(registration),
      addRedirectUris: (uris) =>
        run(() => {
          checkUris(uris).forEach((u) => directory.redirectUris.add(u));
          return registration();
        }),
    },
  };
}
