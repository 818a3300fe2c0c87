import { ControlError, type EmulatorControl } from '../src/control';
import { startEmulator, type Emulator } from '../src';
import { CONTOSO_ID, DEFENDER_RESOURCE, FABRIKAM_ID, THREATDESK_CLIENT_ID } from '../src/directory';
import type { Incident } from '../src/defender';
import { itemAt, lastItem } from '../src/lists';
import { TestBrowser } from '../src/testing/browser';
import { DefenderCaller, type ErrorBody } from '../src/testing/defenderTokens';
import { authorizeUrl, obtainCode, postToken, redirectParams, REDIRECT_URI, scope, signInAtEmulator, type EmulatorRef } from './helpers/emulatorSignIn';
import { verifyToken } from './helpers/verifyToken';

/**
 * The one contract of EmulatorControl, run against each implementation (control.test.ts): in-process,
 * and over HTTP on either listener. `connect` gets a fresh emulator and returns the implementation to
 * test; every check goes through that implementation and proves the effect where the app would see it
 * (the Defender API, the token endpoint, the sign-in pages).
 */
export function controlContract(label: string, connect: (emu: Emulator) => { control: EmulatorControl; close(): Promise<void> }): void {
  describe(`EmulatorControl contract: ${label}`, () => {
    let emu: Emulator;
    let control: EmulatorControl;
    let disconnect: () => Promise<void>;
    let api: DefenderCaller;
    let ref: EmulatorRef & Pick<Emulator, 'caCertPem'>;
    const browsers: TestBrowser[] = [];
    const browser = () => {
      const b = new TestBrowser(emu.caCertPem);
      browsers.push(b);
      return b;
    };
    const mint = (upn: string) => control.tokens.mint(upn);
    const listIds = async (token: string) => {
      const ids: number[] = [];
      for (let skip = 0; ; skip += 100) {
        const res = await api.list<{ value: Incident[] }>(token, { $top: '100', $skip: String(skip) });
        expect(res.status).toBe(200);
        ids.push(...res.json.value.map((i) => i.incidentId));
        if (res.json.value.length < 100) return ids;
      }
    };

    beforeAll(async () => {
      emu = await startEmulator({ quotas: { list: 10_000, get: 10_000, update: 10_000 } });
      ({ control, close: disconnect } = connect(emu));
      api = new DefenderCaller(emu);
      ref = { urls: emu.urls, caCertPem: emu.caCertPem, control };
    });
    afterAll(async () => {
      await Promise.all(browsers.map((b) => b.close()));
      await api.close();
      await disconnect();
      await emu.close();
    });

    async function expectRefused(promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ControlError);
      expect({ status: (err as ControlError).status, message: (err as ControlError).message }).toEqual({ status, message: expect.stringMatching(message) });
    }

    it('faults: adds one or many, lists them with their defaults, applies them, clears them; a bad one adds nothing', async () => {
      expect(await control.faults.list()).toEqual([]);
      expect(await control.faults.add({ endpoint: 'incidents.list', kind: '503', retryAfter: 4 })).toEqual([
        { endpoint: 'incidents.list', kind: '503', retryAfter: 4, count: 1, delayMs: 1000 },
      ]);
      const both = await control.faults.add([
        { endpoint: 'token', kind: '500', count: 2 },
        { endpoint: 'discovery', kind: 'delay', delayMs: 5 },
      ]);
      expect(both.map((f) => `${f.endpoint}/${f.kind}/${f.count}`)).toEqual(['incidents.list/503/1', 'token/500/2', 'discovery/delay/1']);
      await expectRefused(control.faults.add([{ endpoint: 'incidents.get', kind: '500' }, { endpoint: 'nowhere', kind: '500' } as never]), 400, /unknown fault endpoint nowhere/);
      await expectRefused(control.faults.add({ endpoint: 'incidents.get', kind: 'boom' } as never), 400, /unknown fault kind boom/);
      await expectRefused(control.faults.add({ endpoint: 'incidents.get', kind: '500', count: 0 }), 400, /count/);
      expect(await control.faults.list()).toEqual(both);

      const res = await api.list(await mint('riley@contoso.example'), { $top: '1' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('4');
      expect((await control.faults.list()).map((f) => f.endpoint)).toEqual(['token', 'discovery']);
      await control.faults.clear();
      expect(await control.faults.list()).toEqual([]);
    });

    it('users: adds, reads plain copies, lists per tenant, refuses duplicates and unknown tenants', async () => {
      const added = await control.users.add({ upn: 'Robin@Contoso.example', name: 'Robin Lee', defender: { role: 'analyst', deviceGroups: ['Lab'] } });
      expect(added).toEqual({
        oid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/),
        upn: 'robin@contoso.example',
        name: 'Robin Lee',
        tenantId: CONTOSO_ID,
        isGlobalAdmin: false,
        entraRoles: [],
        defender: { role: 'analyst', deviceGroups: ['Lab'], canUpdate: false },
      });
      const copy = await control.users.get('ROBIN@contoso.example');
      expect(copy).toEqual(added);
      (copy!.defender.deviceGroups as string[]).push('Servers');
      copy!.defender.role = 'responder';
      expect(await control.users.get('robin@contoso.example')).toEqual(added);
      expect(await control.users.get('nobody@contoso.example')).toBeUndefined();

      await expectRefused(control.users.add({ upn: 'robin@contoso.example' }), 409, /exists/);
      await expectRefused(control.users.add({ upn: 'x@nowhere.example' }), 404, /No tenant/);
      await expectRefused(control.users.add({ upn: 'not-an-address' }), 400, /not a user principal name/);
      await expectRefused(control.users.add({ upn: 'y@contoso.example', defender: { role: 'admin' as never } }), 400, /defender\.role/);
      await expectRefused(control.users.add({ upn: 'y@contoso.example', entraRoles: ['Security Wizard' as never] }), 400, /entraRoles/);
      await expectRefused(control.users.add({ upn: 'y@contoso.example', entraRoles: ['Global Administrator'], isGlobalAdmin: false }), 400, /contradicts/);
      const admin = await control.users.add({ upn: 'z@contoso.example', isGlobalAdmin: true, entraRoles: ['Security Reader'] });
      expect(admin).toMatchObject({ isGlobalAdmin: true, entraRoles: ['Global Administrator', 'Security Reader'] });

      const fabrikam = await control.users.list('fabrikam.example');
      expect(fabrikam.map((u) => u.upn).sort()).toEqual(['casey@fabrikam.example', 'jordan@fabrikam.example']);
      expect(await control.users.list(FABRIKAM_ID)).toEqual(fabrikam);
      const all = (await control.users.list()).map((u) => u.upn);
      expect(all).toEqual(expect.arrayContaining(['alex@contoso.example', 'pat@contoso.example', 'casey@fabrikam.example', 'robin@contoso.example']));
      expect(all).toHaveLength(9);
      const roles = Object.fromEntries((await control.users.list()).map((u) => [u.upn, u.entraRoles]));
      expect(roles).toMatchObject({
        'alex@contoso.example': ['Security Reader'],
        'sam@contoso.example': ['Security Reader'],
        'jordan@fabrikam.example': ['Security Reader'],
        'riley@contoso.example': ['Security Operator'],
        'morgan@contoso.example': ['Global Administrator'],
        'casey@fabrikam.example': ['Global Administrator'],
        'pat@contoso.example': [],
      });
      await expectRefused(control.users.list('nowhere.example'), 404, /No tenant/);
    });

    it('users: updates a Defender role, and the Defender API follows at once', async () => {
      await control.users.add({ upn: 'casey.lab@contoso.example', defender: { role: 'analyst', deviceGroups: ['Lab'] } });
      const token = await mint('casey.lab@contoso.example');
      const labOnly = await listIds(token);
      expect(labOnly.length).toBeGreaterThan(0);
      expect(await control.incidents.visibleIds('casey.lab@contoso.example')).toEqual(labOnly);

      const updated = await control.users.update('casey.lab@contoso.example', { defender: { deviceGroups: ['Lab', 'Kiosks'] } });
      expect(updated.defender).toEqual({ role: 'analyst', deviceGroups: ['Lab', 'Kiosks'], canUpdate: false });
      const wider = await listIds(token);
      expect(wider.length).toBeGreaterThan(labOnly.length);
      expect(await control.incidents.visibleIds('casey.lab@contoso.example')).toEqual(wider);

      expect((await control.users.update('casey.lab@contoso.example', { defender: { role: 'none' }, isGlobalAdmin: true })).isGlobalAdmin).toBe(true);
      const refused = await api.list(token);
      expect(refused.status).toBe(403);
      expect((refused.json as ErrorBody).error.message).toMatch(/no Microsoft Defender XDR role/);
      expect(await control.incidents.visibleIds('casey.lab@contoso.example')).toEqual([]);

      await expectRefused(control.users.update('nobody@contoso.example', { isGlobalAdmin: true }), 404, /No user/);
      await expectRefused(control.users.update('casey.lab@contoso.example', { defender: { deviceGroups: 'Lab' as never } }), 400, /deviceGroups/);
    });

    it('users: updates Entra roles, kept in step with isGlobalAdmin', async () => {
      await control.users.add({ upn: 'roles@contoso.example', entraRoles: ['Security Reader'] });
      expect((await control.users.update('roles@contoso.example', { entraRoles: ['Security Operator'] })).entraRoles).toEqual(['Security Operator']);
      expect(await control.users.update('roles@contoso.example', { isGlobalAdmin: true })).toMatchObject({
        isGlobalAdmin: true,
        entraRoles: ['Global Administrator', 'Security Operator'],
      });
      expect(await control.users.update('roles@contoso.example', { entraRoles: [] })).toMatchObject({ isGlobalAdmin: false, entraRoles: [] });
      expect((await control.users.get('roles@contoso.example'))?.entraRoles).toEqual([]);
      await expectRefused(control.users.update('roles@contoso.example', { entraRoles: 'Security Reader' as never }), 400, /entraRoles/);
    });

    it('users: revokes refresh tokens, counting the live ones', async () => {
      const { code, verifier } = await obtainCode(browser(), ref, 'sam@contoso.example');
      const grantsBefore = await control.stats.grants();
      const first = await postToken(browser(), ref, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
      expect(first.status).toBe(200);
      expect(await control.stats.grants()).toEqual({ ...grantsBefore, authorization_code: grantsBefore.authorization_code + 1 });
      expect(await control.users.revokeRefreshTokens('sam@contoso.example')).toBe(1);
      expect(await control.users.revokeRefreshTokens('sam@contoso.example')).toBe(0);
      const refused = await postToken(browser(), ref, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token as string });
      expect(refused.json.error_codes).toEqual([700082]);
      expect((await control.stats.grants()).refresh_token).toBe(grantsBefore.refresh_token + 1);
      await expectRefused(control.users.revokeRefreshTokens('nobody@contoso.example'), 404, /No user/);
    });

    it('consent: reads, grants and withdraws admin consent per resource and permission; reads what a user consented to', async () => {
      const G = (name: string) => `https://graph.microsoft.com/${name}`;
      const seeded = [scope('Incident.Read'), scope('Incident.ReadWrite'), G('SecurityIncident.Read.All'), G('SecurityIncident.ReadWrite.All'), G('ThreatHunting.Read.All')];
      expect(await control.consent.tenantScopes(CONTOSO_ID)).toEqual(seeded);
      expect(await control.consent.tenantScopes('contoso.example')).toEqual(seeded);
      expect(await control.consent.tenantScopes(FABRIKAM_ID)).toEqual([]);
      // Bare Defender names still work (compatibility); answers are full URIs.
      expect(await control.consent.grantAdmin('fabrikam.example', ['Incident.ReadWrite', 'Incident.Read'])).toEqual([scope('Incident.Read'), scope('Incident.ReadWrite')]);
      // Jordan (Fabrikam, where users may not consent) now signs in without consent_required.
      const page = await signInAtEmulator(browser(), authorizeUrl(ref, {}, FABRIKAM_ID), 'jordan@fabrikam.example');
      expect(redirectParams(page).get('code')).toBeTruthy();
      expect(await control.consent.revokeAdmin(FABRIKAM_ID, [scope('Incident.ReadWrite')])).toEqual([scope('Incident.Read')]);
      expect(await control.consent.revokeAdmin(FABRIKAM_ID)).toEqual([]);
      const after = await signInAtEmulator(browser(), authorizeUrl(ref, {}, FABRIKAM_ID), 'jordan@fabrikam.example');
      expect(redirectParams(after).get('error')).toBe('consent_required');

      // Graph permissions by full URI, by bare name, and by .default (every Graph permission of the app).
      expect(await control.consent.grantAdmin(FABRIKAM_ID, [G('SecurityIncident.Read.All'), 'SecurityIncident.ReadWrite.All'])).toEqual([
        G('SecurityIncident.Read.All'),
        G('SecurityIncident.ReadWrite.All'),
      ]);
      const graphScope = `openid ${G('SecurityIncident.Read.All')}`;
      const graphPage = await signInAtEmulator(browser(), authorizeUrl(ref, { scope: graphScope }, FABRIKAM_ID), 'jordan@fabrikam.example');
      expect(redirectParams(graphPage).get('code')).toBeTruthy();
      // Graph consent does not cover the Defender API: that is another resource.
      const defenderPage = await signInAtEmulator(browser(), authorizeUrl(ref, {}, FABRIKAM_ID), 'jordan@fabrikam.example');
      expect(redirectParams(defenderPage).get('error')).toBe('consent_required');
      expect(await control.consent.grantAdmin(FABRIKAM_ID, ['https://graph.microsoft.com/.default'])).toEqual(
        ['SecurityAlert.Read.All', 'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All', 'User.Read'].map(G),
      );
      expect(await control.consent.revokeAdmin(FABRIKAM_ID, ['https://graph.microsoft.com/.default'])).toEqual([]);

      await expectRefused(control.consent.grantAdmin(CONTOSO_ID, ['Machine.Isolate']), 400, /permissions of https:\/\/api\.security\.microsoft\.com or https:\/\/graph\.microsoft\.com/);
      await expectRefused(control.consent.grantAdmin(CONTOSO_ID, ['https://management.azure.com/user_impersonation']), 400, /'https:\/\/management\.azure\.com\/user_impersonation' is none/);
      await expectRefused(control.consent.tenantScopes('nowhere.example'), 404, /No tenant/);
      await expectRefused(control.consent.tenantScopes('organizations'), 404, /No tenant/);

      expect(await control.consent.userScopes('riley@contoso.example')).toEqual([]);
      await signInAtEmulator(browser(), authorizeUrl(ref, { scope: `openid ${scope('AdvancedHunting.Read')}` }), 'riley@contoso.example');
      expect(await control.consent.userScopes('riley@contoso.example')).toEqual([scope('AdvancedHunting.Read')]);
      await signInAtEmulator(browser(), authorizeUrl(ref, { scope: `openid ${G('SecurityAlert.Read.All')}` }), 'riley@contoso.example');
      expect(await control.consent.userScopes('riley@contoso.example')).toEqual([scope('AdvancedHunting.Read'), G('SecurityAlert.Read.All')]);
      await expectRefused(control.consent.userScopes('nobody@contoso.example'), 404, /No user/);
    });

    it('tokens: mints Graph tokens on request', async () => {
      const token = await control.tokens.mint('riley@contoso.example', { resource: 'graph' });
      const claims = await verifyToken(ref, token, { audience: 'https://graph.microsoft.com', issuer: `https://sts.windows.net/${CONTOSO_ID}/` });
      expect(claims).toMatchObject({ upn: 'riley@contoso.example', scp: 'SecurityIncident.Read.All SecurityIncident.ReadWrite.All', ver: '1.0' });
      expect(await control.tokens.issuedSecrets()).toContain(token);
      await expectRefused(control.tokens.mint('riley@contoso.example', { resource: 'azure' as never }), 400, /resource must be one of defender, graph/);
    });

    it('tokens: mints Defender tokens as Entra issues them, records them, and expires every token issued so far', async () => {
      const token = await control.tokens.mint('alex@contoso.example');
      const alex = await control.users.get('alex@contoso.example');
      const claims = await verifyToken(ref, token, { audience: DEFENDER_RESOURCE, issuer: `https://sts.windows.net/${CONTOSO_ID}/` });
      expect(claims).toMatchObject({ oid: alex?.oid, tid: CONTOSO_ID, upn: 'alex@contoso.example', appid: THREATDESK_CLIENT_ID, scp: 'Incident.Read Incident.ReadWrite', ver: '1.0' });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(Math.abs(claims.iat! * 1000 - (await control.clock.now()))).toBeLessThan(5_000);
      expect(await control.tokens.issuedSecrets()).toContain(token);
      expect((await api.list(token, { $top: '1' })).status).toBe(200);

      const shaped = await control.tokens.mint('alex@contoso.example', { claims: { scp: 'Incident.Read', appid: '44444444-4444-4444-8444-444444444444' }, remove: ['upn', 'name'] });
      const payload = await verifyToken(ref, shaped);
      expect(payload).toMatchObject({ scp: 'Incident.Read', appid: '44444444-4444-4444-8444-444444444444' });
      expect(payload).not.toHaveProperty('upn');
      expect(payload).not.toHaveProperty('name');
      await expectRefused(control.tokens.mint('nobody@contoso.example'), 404, /No user/);
      await expectRefused(control.tokens.mint('alex@contoso.example', { remove: 'upn' as never }), 400, /remove/);

      await control.tokens.expireAll();
      const refused = await api.list(token, { $top: '1' });
      expect(refused.status).toBe(401);
      expect((refused.json as ErrorBody).error.message).toMatch(/revoked/);
      expect((await api.list(await mint('alex@contoso.example'), { $top: '1' })).status).toBe(200);
    });

    it('stats: reads the Defender requests since a mark, all of them, and clears them', async () => {
      const mark = await control.stats.mark();
      const token = await mint('alex@contoso.example');
      await api.list(token, { $top: '2', $filter: "status eq 'Active'" });
      await api.get('/api/incidents/1', 'garbage');
      const since = await control.stats.requests(mark);
      expect(since).toEqual([
        { api: 'defender', method: 'GET', path: '/api/incidents', query: { $top: '2', $filter: "status eq 'Active'" }, upn: 'alex@contoso.example', status: 200 },
        { api: 'defender', method: 'GET', path: '/api/incidents/1', query: {}, status: 401 },
      ]);
      expect(await control.stats.mark()).toBe(mark + 2);
      expect((await control.stats.requests()).slice(-2)).toEqual(since);

      await control.stats.clearRequests();
      expect(await control.stats.requests()).toEqual([]);
      expect(await control.stats.mark()).toBe(mark + 2);
      await api.get('/api/incidents/2', token);
      expect(await control.stats.requests(mark)).toEqual([{ api: 'defender', method: 'GET', path: '/api/incidents/2', query: {}, upn: 'alex@contoso.example', status: 404 }]);
      expect(await control.stats.requests(mark + 3)).toEqual([]);
      await expectRefused(control.stats.requests(-1), 400, /not a mark/);
    });

    it('incidents: lists, counts and gets what is stored, as the API serves it; says who sees what', async () => {
      const stored = await control.incidents.list(CONTOSO_ID);
      expect(stored).toHaveLength(300);
      expect(await control.incidents.count(CONTOSO_ID)).toBe(300);
      expect(await control.incidents.list('contoso.example')).toEqual(stored);
      const riley = await mint('riley@contoso.example');
      expect(await listIds(riley)).toEqual(stored.map((s) => s.incidentId));

      const { incidentId } = itemAt(stored, 3, 'stored incidents');
      const one = await control.incidents.get(CONTOSO_ID, incidentId);
      const served = await api.get<Incident & { '@odata.context'?: string }>(`/api/incidents/${incidentId}`, riley);
      delete served.json['@odata.context'];
      expect(one).toEqual(served.json);
      one!.tags.push('changed only in the copy');
      expect(await control.incidents.get(CONTOSO_ID, incidentId)).toEqual(served.json);
      expect(await control.incidents.get(CONTOSO_ID, 999_999_999)).toBeUndefined();
      await expectRefused(control.incidents.get('nowhere.example', incidentId), 404, /No tenant/);
      await expectRefused(control.incidents.count('nowhere.example'), 404, /No tenant/);

      expect(await control.incidents.visibleIds('alex@contoso.example')).toEqual(await listIds(await mint('alex@contoso.example')));
      expect(await control.incidents.visibleIds('pat@contoso.example')).toEqual([]);
      await expectRefused(control.incidents.visibleIds('nobody@contoso.example'), 404, /No user/);
    });

    it('incidents: reads and changes the listing settings, which both APIs follow', async () => {
      expect(await control.incidents.listing()).toEqual({ order: 'shuffled', pageSize: null });
      const shuffled = (await control.incidents.list(CONTOSO_ID)).map((s) => s.incidentId);
      try {
        expect(await control.incidents.setListing({ order: 'created' })).toEqual({ order: 'created', pageSize: null });
        const created = await control.incidents.list(CONTOSO_ID);
        for (let i = 1; i < created.length; i++) expect(itemAt(created, i - 1).createdTime > itemAt(created, i).createdTime).toBe(true);
        expect(await listIds(await mint('riley@contoso.example'))).toEqual(created.map((s) => s.incidentId));
        expect(await control.incidents.setListing({ pageSize: 25 })).toEqual({ order: 'created', pageSize: 25 });
        const page = await api.list<{ value: Incident[] }>(await mint('riley@contoso.example'));
        expect(page.json.value.map((i) => i.incidentId)).toEqual(created.slice(0, 25).map((s) => s.incidentId));
        await expectRefused(control.incidents.setListing({ order: 'alphabetical' as never }), 400, /order must be one of shuffled, lastUpdated, created/);
        await expectRefused(control.incidents.setListing({ pageSize: 0 }), 400, /pageSize must be an integer from 1 to 100/);
        await expectRefused(control.incidents.setListing({ pageSize: 101 }), 400, /pageSize/);
      } finally {
        expect(await control.incidents.setListing({ order: 'shuffled', pageSize: null })).toEqual({ order: 'shuffled', pageSize: null });
      }
      expect((await control.incidents.list(CONTOSO_ID)).map((s) => s.incidentId)).toEqual(shuffled);
    });

    it('incidents: a change "in the portal" is stamped by the emulator clock and moves the incident to the top of a newest-update-first listing', async () => {
      await control.incidents.setListing({ order: 'lastUpdated' });
      try {
        await portalChange();
      } finally {
        await control.incidents.setListing({ order: 'shuffled' });
      }
    });

    const portalChange = async () => {
      const stored = await control.incidents.list(CONTOSO_ID);
      const target = lastItem(stored, 'stored incidents');
      const before = (await control.incidents.get(CONTOSO_ID, target.incidentId))!;
      await control.clock.advance(3_600_000);
      const clockNow = await control.clock.now();
      const changed = await control.incidents.change(CONTOSO_ID, target.incidentId, {
        status: 'InProgress',
        assignedTo: 'sam@contoso.example',
        classification: 'TruePositive',
        determination: 'Malware',
        tags: ['Escalated'],
        comment: 'Isolated the host from the portal.',
        by: 'soc.lead@contoso.example',
      });
      expect(changed).toMatchObject({ status: 'InProgress', assignedTo: 'sam@contoso.example', classification: 'TruePositive', determination: 'Malware', tags: ['Escalated'] });
      expect(changed.comments).toEqual([...before.comments, { comment: 'Isolated the host from the portal.', createdBy: 'soc.lead@contoso.example', createdTime: changed.lastUpdateTime }]);
      expect(Math.abs(Date.parse(changed.lastUpdateTime) - clockNow)).toBeLessThan(5_000);
      expect(Date.parse(changed.lastUpdateTime)).toBeGreaterThan(Date.now() + 3_500_000);
      const riley = await mint('riley@contoso.example');
      const top = await api.list<{ value: Incident[] }>(riley, { $top: '1' });
      expect(top.json.value[0]).toEqual(changed);
      expect((await control.incidents.list(CONTOSO_ID))[0]).toMatchObject({ incidentId: target.incidentId, status: 'InProgress', lastUpdateTime: changed.lastUpdateTime });

      const unassigned = await control.incidents.change('contoso.example', target.incidentId, { assignedTo: null });
      expect(unassigned).not.toHaveProperty('assignedTo');
      expect(unassigned.lastUpdateTime > changed.lastUpdateTime).toBe(true);

      await expectRefused(control.incidents.change(CONTOSO_ID, target.incidentId, { classification: 'FalsePositive', determination: 'Malware' }), 400, /determination 'Malware' is not valid/);
      await expectRefused(control.incidents.change(CONTOSO_ID, target.incidentId, { status: 'Closed' }), 400, /Invalid value 'Closed' for 'status'/);
      await expectRefused(control.incidents.change(CONTOSO_ID, target.incidentId, {}), 400, /nothing to apply/);
      await expectRefused(control.incidents.change(CONTOSO_ID, 999_999_999, { status: 'Active' }), 404, /not found/);
    };

    it('incidents: a change "in the portal" may set AwaitingAction, which the Defender API shows as Active', async () => {
      const target = (await control.incidents.list(CONTOSO_ID)).find((s) => s.status === 'InProgress')!;
      const changed = await control.incidents.change(CONTOSO_ID, target.incidentId, { status: 'AwaitingAction' });
      expect(changed.status).toBe('Active');
      expect((await control.incidents.list(CONTOSO_ID)).find((s) => s.incidentId === target.incidentId)?.status).toBe('AwaitingAction');
      const served = await api.get<Incident>(`/api/incidents/${target.incidentId}`, await mint('riley@contoso.example'));
      expect(served.json.status).toBe('Active');
    });

    it('incidents: an alert added in the portal joins its device group and raises the severity', async () => {
      await control.users.add({ upn: 'kiosk.only@contoso.example', defender: { role: 'analyst', deviceGroups: ['Kiosks'] } });
      const kioskView = new Set(await control.incidents.visibleIds('kiosk.only@contoso.example'));
      const target = (await control.incidents.list(CONTOSO_ID)).find((s) => !kioskView.has(s.incidentId) && s.severity === 'Low')!;
      expect(target).toBeDefined();
      const before = (await control.incidents.get(CONTOSO_ID, target.incidentId))!;
      const changed = await control.incidents.change(CONTOSO_ID, target.incidentId, { alert: { title: 'Ransomware note dropped on a kiosk', severity: 'High', deviceGroup: 'Kiosks' } });
      expect(changed.alerts).toHaveLength(before.alerts.length + 1);
      const alert = changed.alerts.at(-1)!;
      expect(alert).toMatchObject({ title: 'Ransomware note dropped on a kiosk', severity: 'High', status: 'New', incidentId: target.incidentId, creationTime: changed.lastUpdateTime });
      expect(alert.devices.map((d) => d.rbacGroupName)).toEqual(['Kiosks']);
      expect(changed.severity).toBe('High');
      expect(await control.incidents.visibleIds('kiosk.only@contoso.example')).toContain(target.incidentId);
      const seen = await api.get<Incident>(`/api/incidents/${target.incidentId}`, await mint('kiosk.only@contoso.example'));
      expect(seen.status).toBe(200);
      await expectRefused(control.incidents.change(CONTOSO_ID, target.incidentId, { alert: { title: 'x', deviceGroup: 'Basement' as never } }), 400, /Unknown device group/);
    });

    it('incidents: adds a new incident, the newest in every newest-first queue that may see it', async () => {
      await control.incidents.setListing({ order: 'lastUpdated' });
      try {
        await addIncident();
      } finally {
        await control.incidents.setListing({ order: 'shuffled' });
      }
    });

    const addIncident = async () => {
      const ids = (await control.incidents.list(CONTOSO_ID)).map((s) => s.incidentId);
      const added = await control.incidents.add('contoso.example', {
        incidentName: 'Suspicious sign-in followed by mailbox rule',
        tags: ['New'],
        alerts: [{ title: 'Inbox rule forwards to an external address', severity: 'Medium', deviceGroup: 'Workstations' }],
      });
      expect(added.incidentId).toBe(Math.max(...ids) + 1);
      expect(added).toMatchObject({
        incidentName: 'Suspicious sign-in followed by mailbox rule',
        incidentUri: `https://security.microsoft.com/incidents/${added.incidentId}?tid=${CONTOSO_ID}`,
        status: 'Active',
        severity: 'Medium',
        classification: 'Unknown',
        determination: 'NotAvailable',
        tags: ['New'],
        comments: [],
      });
      expect(added.createdTime).toBe(added.lastUpdateTime);
      expect(added.alerts).toHaveLength(1);
      expect(await control.incidents.count(CONTOSO_ID)).toBe(ids.length + 1);
      const sam = await api.list<{ value: Incident[] }>(await mint('sam@contoso.example'), { $top: '1' });
      expect(sam.json.value[0]).toEqual(added);
      expect(await control.incidents.get(CONTOSO_ID, added.incidentId)).toEqual(added);

      const bare = await control.incidents.add(FABRIKAM_ID, { incidentName: 'Password spray' });
      expect(bare.alerts.map((a) => a.title)).toEqual(['Password spray']);
      expect(itemAt(bare.alerts, 0, 'alerts').devices).toEqual([]);
      await expectRefused(control.incidents.add(CONTOSO_ID, { incidentName: '' }), 400, /incidentName/);
      await expectRefused(control.incidents.add(CONTOSO_ID, { incidentName: 'x', status: 'Open' }), 400, /Invalid value 'Open' for 'status'/);
    };

    it('quotas: reads and changes the quota sizes, and resets what was counted', async () => {
      expect(await control.quotas.get()).toEqual({ list: 10_000, get: 10_000, update: 10_000, graph: 150, hunting: 45 });
      expect(await control.quotas.set({ list: 2 })).toEqual({ list: 2, get: 10_000, update: 10_000, graph: 150, hunting: 45 });
      await control.quotas.reset();
      const token = await mint('riley@contoso.example');
      expect((await api.list(token, { $top: '1' })).status).toBe(200);
      expect((await api.list(token, { $top: '1' })).status).toBe(200);
      expect((await api.list(token, { $top: '1' })).status).toBe(429);
      await control.quotas.reset();
      expect((await api.list(token, { $top: '1' })).status).toBe(200);
      await expectRefused(control.quotas.set({ list: 0 }), 400, /positive integer/);
      expect(await control.quotas.set({ list: 10_000, graph: 300, hunting: 45 })).toEqual({ list: 10_000, get: 10_000, update: 10_000, graph: 300, hunting: 45 });
      await expectRefused(control.quotas.set({ hourly: 5 } as never), 400, /unknown field 'hourly'/);
    });

    it('clock: reads, advances and sets the one clock', async () => {
      const now = await control.clock.now();
      const advanced = await control.clock.advance(90_000);
      expect(advanced - now).toBeGreaterThanOrEqual(90_000);
      expect(advanced - now).toBeLessThan(95_000);
      // A whole second a year or so ahead of real time.
      const target = Math.ceil((Date.now() + 400 * 86_400_000) / 1000) * 1000;
      const set = await control.clock.set(target);
      expect(set - target).toBeGreaterThanOrEqual(0);
      expect(set - target).toBeLessThan(5_000);
      // Tokens issued now carry the clock's time, and the Defender API accepts them.
      const token = await mint('riley@contoso.example');
      const iatMs = (await verifyToken(ref, token)).iat! * 1000;
      expect(iatMs - target).toBeGreaterThanOrEqual(0);
      expect(iatMs - target).toBeLessThan(5_000);
      expect((await api.list(token, { $top: '1' })).status).toBe(200);
      await expectRefused(control.clock.advance(-1), 400, /only moves forward/);
      await expectRefused(control.clock.set(Number.NaN), 400, /epochMs/);
      expect(Math.abs((await control.clock.set(Date.now())) - Date.now())).toBeLessThan(5_000);
    });

    it('app: reads the registration and registers more redirect URIs, which authorize then accepts', async () => {
      const reg = await control.app.registration();
      expect(reg).toEqual({
        clientId: THREATDESK_CLIENT_ID,
        clientSecret: 'emulator-client-secret-not-for-production',
        redirectUris: ['http://localhost:3000/auth/redirect', 'http://localhost:3000/admin/consent/callback', 'http://localhost:3000/auth/signed-out'],
      });
      const extra = 'http://localhost:45678/auth/redirect';
      const unregistered = await browser().get(authorizeUrl(ref, { redirect_uri: extra }));
      expect(unregistered.$('[data-code]').attr('data-code')).toBe('50011');
      expect(await control.app.addRedirectUris([extra])).toEqual({ ...reg, redirectUris: [...reg.redirectUris, extra] });
      const page = await signInAtEmulator(browser(), authorizeUrl(ref, { redirect_uri: extra }), 'alex@contoso.example');
      expect(page.location?.startsWith(`${extra}?code=`)).toBe(true);
      await expectRefused(control.app.addRedirectUris(['not a url']), 400, /absolute URLs/);
    });
  });
}
