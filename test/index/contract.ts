import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Alert, Evidence, Incident } from '../../src/incidents/model';
import { HISTORY_FIELDS, SORT_COLUMNS, type AnalystIndex, type IncidentIndex, type IndexQuery, type SortColumn } from '../../src/index/incidentIndex';
import { incident } from '../helpers/incidents';
import { DEFAULT_SLA, parseSlaTargets } from '../../src/incidents/sla';

/**
 * The contract every engine under the incident index keeps (PostgreSQL and the embedded PGlite),
 * as src/store/contract.ts is for key-value stores. Checks use node:assert, so any runner can run
 * them. Each check works in partitions of its own (fresh tenant and analyst ids), so checks can
 * share one database; only the purge check looks across partitions, and it works in 1990, when
 * no other check's analyst was seen.
 */
export interface IndexContractCheck {
  name: string;
  run(index: IncidentIndex): Promise<void>;
}

const uid = () => randomBytes(6).toString('hex');
const analyst = (username = 'me@contoso.example') => ({ tenantId: `tenant-${uid()}`, oid: `oid-${uid()}`, username });
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const sorted = (xs: string[]) => [...xs].sort();

export function evidence(type: string, name: string, details: [string, string][] = []): Evidence {
  return { type, key: `${type}|${name}`, name, details, verdict: 'suspicious', remediationStatus: null, roles: [] };
}

export function alert(id: string, extra: Partial<Alert> = {}): Alert {
  return {
    id,
    title: `Alert ${id}`,
    description: null,
    severity: 'high',
    status: 'new',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'antivirus',
    category: 'Malware',
    mitreTechniques: [],
    createdAt: '2026-01-01T00:00:00Z',
    firstActivityAt: null,
    lastActivityAt: null,
    resolvedAt: null,
    threatFamilyName: null,
    actorDisplayName: null,
    webUrl: null,
    evidence: [],
    ...extra,
  };
}

/** An incident with every field of the model set, alerts and evidence of each searchable kind included. */
export function fullIncident(id: string): Incident {
  return incident(id, '2026-03-04T05:06:07.1234567Z', {
    displayName: 'Ransomware on “FIN-WS-042” — ünïcødé',
    status: 'inProgress',
    severity: 'medium',
    classification: 'truePositive',
    determination: 'malware',
    assignedTo: 'Sam@Contoso.example',
    createdAt: '2026-03-01T00:00:00Z',
    redirectIncidentId: null,
    webUrl: `https://security.microsoft.com/incidents/${id}`,
    description: 'Line one\nLine two',
    customTags: ['vip', 'finance'],
    systemTags: ['Ransomware'],
    comments: [
      { text: 'First look', author: 'sam@contoso.example', createdAt: '2026-03-02T00:00:00Z' },
      { text: 'No author', author: null, createdAt: null },
    ],
    alerts: [
      alert(`da${id}`, {
        description: 'Something ran',
        mitreTechniques: ['T1486'],
        threatFamilyName: 'Akira',
        evidence: [
          evidence('device', 'fin-ws-042.contoso.example', [['OS', 'Windows11'], ['Device group', 'Finance']]),
          evidence('user', 'Kim@Contoso.example', [['Domain', 'contoso']]),
          evidence('file', 'akira.exe', [['SHA-256', 'AB'.repeat(32)], ['SHA-1', 'cd'.repeat(20)]]),
        ],
      }),
      alert(`ea${id}`, {
        serviceSource: 'microsoftDefenderForOffice365',
        detectionSource: 'automatedInvestigation',
        category: 'InitialAccess',
        evidence: [
          evidence('ip', '203.0.113.9'),
          evidence('url', 'https://evil.example/Payload'),
          evidence('mailbox', 'kim@contoso.example', [['Name', 'Kim']]),
        ],
      }),
    ],
  });
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/**
 * Twelve incidents that differ in every queue column, so that each filter keeps some and drops
 * others and each sort has ties to break. Ids 1…12 make the numeric order of ids differ from text order.
 */
export function queueFixture(): Incident[] {
  const statuses = ['active', 'inProgress', 'awaitingAction', 'resolved', 'redirected', 'active'];
  const severities = ['high', 'medium', 'low', 'informational', 'unknown', 'high', 'medium'];
  const assignees = ['', 'me@contoso.example', 'sam@contoso.example', 'ana@contoso.example'];
  const classes: [string, string][] = [
    ['', ''],
    ['truePositive', 'malware'],
    ['truePositive', 'phishing'],
    ['falsePositive', 'notMalicious'],
    ['informationalExpectedActivity', 'securityTesting'],
  ];
  return WORDS.map((word, i) => {
    const n = i + 1;
    const [classification, determination] = classes[i % classes.length] ?? ['', ''];
    return incident(n, new Date(Date.UTC(2026, 0, 1 + ((n * 7) % 12), n)).toISOString(), {
      displayName: `${word} incident on host ${n}`,
      status: statuses[i % statuses.length],
      severity: severities[i % severities.length],
      classification,
      determination,
      assignedTo: assignees[i % assignees.length],
      createdAt: n % 5 === 0 ? null : new Date(Date.UTC(2025, 11, 1 + ((n * 5) % 12))).toISOString(),
      customTags: n % 3 === 0 ? ['vip'] : n % 3 === 1 ? ['lab', 'noisy'] : [],
      alerts: [
        alert(`a${n}`, {
          serviceSource: n % 2 ? 'microsoftDefenderForEndpoint' : 'microsoftDefenderForIdentity',
          detectionSource: n % 4 === 0 ? 'customDetection' : 'antivirus',
          category: n % 3 === 0 ? 'CredentialAccess' : 'Malware',
          evidence: [
            evidence('device', `ws-${word}.contoso.example`, [['Device group', n <= 4 ? 'Servers' : 'Workstations']]),
            evidence('user', `${word}.user@contoso.example`),
            evidence('ip', `10.0.0.${n}`),
            evidence('file', `${word}_tool.exe`, [['SHA-256', `${String(n).padStart(2, '0')}${'f'.repeat(62)}`]]),
          ],
        }),
      ],
    });
  });
}

/** The order the index must return for a sort, computed independently of SQL. */
function expectedOrder(rows: Incident[], column: SortColumn, dir: 'asc' | 'desc'): string[] {
  const rank: Record<string, number> = { high: 4, medium: 3, low: 2, informational: 1 };
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const sign = dir === 'asc' ? 1 : -1;
  const byId = (a: Incident, b: Incident) => sign * (cmp(a.id.length, b.id.length) || cmp(a.id, b.id));
  const byIdText = (a: Incident, b: Incident) => sign * cmp(a.id, b.id);
  const key: Record<Exclude<SortColumn, 'id' | 'severity' | 'createdAt'>, (i: Incident) => string | number> = {
    displayName: (i) => i.displayName,
    status: (i) => i.status,
    classification: (i) => i.classification,
    determination: (i) => i.determination,
    assignedTo: (i) => i.assignedTo.toLowerCase(),
    lastUpdateAt: (i) => Date.parse(i.lastUpdateAt),
  };
  return [...rows]
    .sort((a, b) => {
      switch (column) {
        case 'id':
          return byId(a, b);
        case 'severity':
          return sign * cmp(rank[a.severity] ?? 0, rank[b.severity] ?? 0) || -cmp(Date.parse(a.lastUpdateAt), Date.parse(b.lastUpdateAt)) || byIdText(a, b);
        case 'createdAt': {
          if (a.createdAt === null || b.createdAt === null) return cmp(a.createdAt === null ? 1 : 0, b.createdAt === null ? 1 : 0) || byIdText(a, b);
          return sign * cmp(Date.parse(a.createdAt), Date.parse(b.createdAt)) || byIdText(a, b);
        }
        default:
          return sign * cmp(key[column](a), key[column](b)) || byIdText(a, b);
      }
    })
    .map((i) => i.id);
}

async function filled(index: IncidentIndex, username?: string): Promise<{ mine: AnalystIndex; rows: Incident[] }> {
  const mine = index.forAnalyst(analyst(username));
  const rows = queueFixture();
  await mine.upsert(rows, '2026-02-01T00:00:00Z');
  return { mine, rows };
}

/** Runs a query with a page large enough for all, and checks its rows against a predicate that keeps some but not all. */
async function expectMatches(mine: AnalystIndex, rows: Incident[], query: IndexQuery, keep: (i: Incident) => boolean, what: string) {
  const expected = sorted(ids(rows.filter(keep)));
  assert.ok(expected.length > 0 && expected.length < rows.length, `fixture: ${what} should keep some incidents and drop others`);
  const page = await mine.query({ ...query, pageSize: 100 });
  assert.deepEqual(sorted(ids(page.rows)), expected, what);
  assert.equal(page.total, expected.length, `${what}: total`);
}

export const incidentIndexContract: IndexContractCheck[] = [
  {
    name: 'migrations are applied once: running them again applies nothing and keeps the data',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      await mine.upsert([incident(1, '2026-01-01T00:00:00Z')], '2026-01-02T00:00:00Z');
      for (let i = 0; i < 2; i++) {
        const again = await index.migrate();
        assert.equal(again.error, undefined);
        assert.deepEqual(again.results, []);
      }
      assert.equal((await mine.get('1'))?.id, '1');
      // Statistics can be refreshed on either engine (PGlite has no autovacuum).
      await index.analyze();
      assert.equal((await mine.query()).total, 1);
    },
  },
  {
    name: 'get() returns exactly the incident upserted, every field of the model included; unknown ids are undefined',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const full = fullIncident('42');
      const plain = incident('7', '2026-01-01T00:00:00Z');
      assert.deepEqual(await mine.upsert([full, plain], '2026-03-05T00:00:00Z'), { created: 2, changed: 0 });
      assert.deepEqual(await mine.get('42'), full);
      assert.deepEqual(await mine.get('7'), plain);
      assert.equal(await mine.get('43'), undefined);
      // A second identical read changes nothing and records nothing.
      assert.deepEqual(await mine.upsert([full], '2026-03-06T00:00:00Z'), { created: 0, changed: 0 });
      assert.deepEqual(await mine.get('42'), full);
    },
  },
  {
    name: 'an incident read without alerts (a Graph list) keeps the alerts and entities an earlier read stored',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const full = fullIncident('5');
      await mine.upsert([full], '2026-03-05T00:00:00Z');
      const listed: Incident = { ...full, status: 'resolved', lastUpdateAt: '2026-03-07T00:00:00Z' };
      delete listed.alerts;
      await mine.upsert([listed], '2026-03-07T00:00:00Z');
      assert.deepEqual(await mine.get('5'), { ...full, status: 'resolved', lastUpdateAt: '2026-03-07T00:00:00Z' });
      assert.deepEqual(ids((await mine.query({ search: 'akira.exe' })).rows), ['5']);
      assert.deepEqual(ids((await mine.query({ deviceGroup: 'Finance' })).rows), ['5']);
      // A read with an empty alert list does replace them.
      await mine.upsert([{ ...listed, alerts: [] }], '2026-03-08T00:00:00Z');
      assert.equal((await mine.query({ search: 'akira.exe' })).total, 0);
      assert.equal((await mine.query({ deviceGroup: 'Finance' })).total, 0);
    },
  },
  {
    name: 'entry() tells whether the alerts are current; needingAlerts() lists those never read or stale, open ones first',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const full = fullIncident('1');
      const listed = (i: Incident, extra: Partial<Incident> = {}): Incident => {
        const copy: Incident = { ...i, ...extra };
        delete copy.alerts;
        return copy;
      };
      const open = incident('2', '2026-03-01T00:00:00Z');
      const closed = incident('3', '2026-03-09T00:00:00Z', { status: 'resolved' });
      await mine.upsert([full, open, closed], '2026-03-05T00:00:00Z');
      assert.deepEqual(await mine.entry('1'), { incident: full, alertsCurrent: true, seenAt: '2026-03-05T00:00:00.000Z' });
      assert.deepEqual(await mine.entry('2'), { incident: open, alertsCurrent: false, seenAt: '2026-03-05T00:00:00.000Z' });
      assert.equal(await mine.entry('4'), undefined);
      assert.deepEqual(await mine.needingAlerts(['active', 'inProgress'], 10), ['2', '3']);
      assert.deepEqual(await mine.needingAlerts(['active', 'inProgress'], 1), ['2']);
      // Read again without alerts after a change: the alerts kept are stale, and stay so until read.
      await mine.upsert([listed(full, { lastUpdateAt: '2026-03-06T00:00:00Z' })], '2026-03-06T00:00:00Z');
      assert.deepEqual(await mine.entry('1'), { incident: { ...full, lastUpdateAt: '2026-03-06T00:00:00Z' }, alertsCurrent: false, seenAt: '2026-03-06T00:00:00.000Z' });
      await mine.upsert([listed(full, { lastUpdateAt: '2026-03-06T00:00:00Z' })], '2026-03-07T00:00:00Z');
      assert.equal((await mine.entry('1'))?.alertsCurrent, false);
      assert.deepEqual(await mine.needingAlerts(['active', 'inProgress'], 10), ['1', '2', '3']);
      await mine.upsert([{ ...full, lastUpdateAt: '2026-03-06T00:00:00Z' }], '2026-03-08T00:00:00Z');
      assert.equal((await mine.entry('1'))?.alertsCurrent, true);
      assert.deepEqual(await mine.needingAlerts(['active', 'inProgress'], 10), ['2', '3']);
    },
  },
  {
    name: 'history records creation, then each changed field with its old and new value, when, and who changed it through ThreatDesk',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const before = incident(9, '2026-01-01T00:00:00Z', { customTags: ['a'] });
      await mine.upsert([before], '2026-01-01T00:01:00Z');
      const after: Incident = {
        ...before,
        status: 'resolved',
        severity: 'low',
        assignedTo: 'sam@contoso.example',
        classification: 'falsePositive',
        determination: 'notMalicious',
        customTags: ['a', 'b'],
        displayName: 'Renamed',
        redirectIncidentId: '10',
        lastUpdateAt: '2026-01-02T00:00:00Z',
      };
      assert.deepEqual(await mine.upsert([after], '2026-01-02T00:01:00Z', 'alex@contoso.example'), { created: 0, changed: 1 });
      // Observed in the API (nobody through ThreatDesk): changed_by is null.
      await mine.upsert([{ ...after, status: 'active', lastUpdateAt: '2026-01-03T00:00:00Z' }], '2026-01-03T00:01:00Z');
      // Only lastUpdateAt differs: no history.
      await mine.upsert([{ ...after, status: 'active', lastUpdateAt: '2026-01-04T00:00:00Z' }], '2026-01-04T00:01:00Z');

      const history = await mine.history('9');
      assert.deepEqual(history[0], { incidentId: '9', field: 'created', oldValue: null, newValue: null, observedAt: '2026-01-01T00:01:00.000Z', changedBy: null });
      const changes = history.slice(1, 1 + HISTORY_FIELDS.length);
      assert.deepEqual(
        changes.map((h) => h.field),
        [...HISTORY_FIELDS],
      );
      const expected: Record<string, [unknown, unknown]> = {
        status: ['active', 'resolved'],
        severity: ['high', 'low'],
        assignedTo: ['', 'sam@contoso.example'],
        classification: ['', 'falsePositive'],
        determination: ['', 'notMalicious'],
        customTags: [['a'], ['a', 'b']],
        displayName: ['Incident 9', 'Renamed'],
        redirectIncidentId: [null, '10'],
      };
      for (const h of changes) {
        assert.deepEqual([h.oldValue, h.newValue], expected[h.field], h.field);
        assert.equal(h.changedBy, 'alex@contoso.example');
        assert.equal(h.observedAt, '2026-01-02T00:01:00.000Z');
      }
      assert.deepEqual(history.slice(1 + HISTORY_FIELDS.length), [
        { incidentId: '9', field: 'status', oldValue: 'resolved', newValue: 'active', observedAt: '2026-01-03T00:01:00.000Z', changedBy: null },
      ]);
      assert.deepEqual(await mine.history('unknown'), []);
    },
  },
  {
    name: 'two analysts never see each other’s rows, whatever the interleaving, even with the same incident ids',
    async run(index) {
      const tenantId = `tenant-${uid()}`;
      const oid = `oid-${uid()}`;
      const a = index.forAnalyst({ tenantId, oid });
      const b = index.forAnalyst({ tenantId, oid: `oid-${uid()}` });
      // Same oid in another tenant: a partition of its own too.
      const aElsewhere = index.forAnalyst({ tenantId: `tenant-${uid()}`, oid });
      const writes: Promise<unknown>[] = [];
      for (let round = 0; round < 5; round++) {
        writes.push(a.upsert([incident(`a${round}`, '2026-01-01T00:00:00Z', { displayName: `only-a ${round}` }), incident('shared', '2026-01-01T00:00:00Z', { displayName: 'A version' })], '2026-01-05T00:00:00Z'));
        writes.push(b.upsert([incident(`b${round}`, '2026-01-01T00:00:00Z', { displayName: `only-b ${round}`, alerts: [alert('x', { evidence: [evidence('user', 'secret.b@contoso.example')] })] })], '2026-01-05T00:00:00Z'));
        writes.push(b.upsert([incident('shared', '2026-01-01T00:00:00Z', { displayName: 'B version', status: 'resolved' })], '2026-01-05T00:00:00Z', 'bob'));
      }
      await Promise.all(writes);
      await aElsewhere.upsert([incident('elsewhere', '2026-01-01T00:00:00Z')], '2026-01-05T00:00:00Z');

      assert.deepEqual(sorted(ids((await a.query({ pageSize: 100 })).rows)), ['a0', 'a1', 'a2', 'a3', 'a4', 'shared']);
      assert.deepEqual(sorted(ids((await b.query({ pageSize: 100 })).rows)), ['b0', 'b1', 'b2', 'b3', 'b4', 'shared']);
      assert.deepEqual(ids((await aElsewhere.query()).rows), ['elsewhere']);
      assert.equal((await a.get('shared'))?.displayName, 'A version');
      assert.equal((await b.get('shared'))?.displayName, 'B version');
      assert.equal(await a.get('b0'), undefined);
      assert.equal(await b.get('a0'), undefined);
      assert.equal(await aElsewhere.get('a0'), undefined);
      assert.deepEqual(await a.history('b0'), []);
      assert.deepEqual(
        (await a.history('shared')).map((h) => h.field),
        ['created'],
      );
      // Concurrent writes of one partition are serialised: the same incident is created once.
      assert.deepEqual(
        (await b.history('shared')).map((h) => h.field),
        ['created'],
      );
      // Search reaches neither the other's names, ids nor entities.
      assert.equal((await a.query({ search: 'only-b' })).total, 0);
      assert.equal((await a.query({ search: 'b1' })).total, 0);
      assert.equal((await a.query({ search: 'secret.b@contoso.example' })).total, 0);
      assert.equal((await b.query({ search: 'secret.b@contoso.example' })).total, 5);
      // Removing the other's ids removes nothing of theirs.
      assert.equal(await a.remove(['b0', 'b1']), 0);
      assert.equal((await b.query()).total, 6);
      assert.ok((await a.syncState()) !== undefined && (await b.syncState()) !== undefined);
      await a.saveSyncState({ backfillCursor: 'a-cursor' });
      assert.equal((await b.syncState())?.backfillCursor, null);
    },
  },
  {
    name: 'every filter keeps exactly the incidents it names',
    async run(index) {
      const { mine, rows } = await filled(index, 'Me@Contoso.example');
      const firstUpdate = rows[0]?.lastUpdateAt ?? assert.fail('empty fixture');
      const ev = (i: Incident) => (i.alerts ?? []).flatMap((a) => a.evidence);
      const cases: [string, IndexQuery, (i: Incident) => boolean][] = [
        ['status', { status: ['active', 'resolved'] }, (i) => ['active', 'resolved'].includes(i.status)],
        ['severity', { severity: ['high'] }, (i) => i.severity === 'high'],
        ['severity, several', { severity: ['low', 'informational', 'unknown'] }, (i) => ['low', 'informational', 'unknown'].includes(i.severity)],
        ['assignee=me (any case)', { assignee: { kind: 'me' } }, (i) => i.assignedTo === 'me@contoso.example'],
        ['assignee=unassigned', { assignee: { kind: 'unassigned' } }, (i) => i.assignedTo === ''],
        ['assignee=address', { assignee: { kind: 'address', address: 'SAM@contoso.example' } }, (i) => i.assignedTo === 'sam@contoso.example'],
        ['classification', { classification: ['truePositive'] }, (i) => i.classification === 'truePositive'],
        ['determination', { determination: ['phishing', 'notMalicious'] }, (i) => ['phishing', 'notMalicious'].includes(i.determination)],
        ['tag', { tag: 'vip' }, (i) => i.customTags.includes('vip')],
        ['service source', { serviceSource: 'microsoftDefenderForIdentity' }, (i) => i.alerts?.[0]?.serviceSource === 'microsoftDefenderForIdentity'],
        ['detection source', { detectionSource: 'customDetection' }, (i) => i.alerts?.[0]?.detectionSource === 'customDetection'],
        ['category', { category: 'CredentialAccess' }, (i) => i.alerts?.[0]?.category === 'CredentialAccess'],
        ['device group', { deviceGroup: 'Servers' }, (i) => ev(i).some((e) => e.details.some(([l, v]) => l === 'Device group' && v === 'Servers'))],
        ['from', { from: '2026-01-06T00:00:00Z' }, (i) => Date.parse(i.lastUpdateAt) >= Date.parse('2026-01-06T00:00:00Z')],
        ['to (inclusive)', { to: firstUpdate }, (i) => Date.parse(i.lastUpdateAt) <= Date.parse(firstUpdate)],
        ['from and to', { from: '2026-01-03T00:00:00Z', to: new Date('2026-01-09T00:00:00Z') }, (i) => Date.parse(i.lastUpdateAt) >= Date.parse('2026-01-03T00:00:00Z') && Date.parse(i.lastUpdateAt) <= Date.parse('2026-01-09T00:00:00Z')],
        [
          'several filters at once',
          { status: ['active', 'inProgress', 'awaitingAction'], severity: ['high', 'medium'], tag: 'lab' },
          (i) => ['active', 'inProgress', 'awaitingAction'].includes(i.status) && ['high', 'medium'].includes(i.severity) && i.customTags.includes('lab'),
        ],
      ];
      for (const [what, query, keep] of cases) await expectMatches(mine, rows, query, keep, what);
      // Empty lists and absent filters mean "no filter".
      assert.equal((await mine.query({ status: [], severity: [] })).total, rows.length);
      assert.equal((await mine.query({ assignee: { kind: 'anyone' } })).total, rows.length);
      // Values no incident has match nothing.
      assert.equal((await mine.query({ tag: 'nope' })).total, 0);
      assert.equal((await mine.query({ status: ['nope'] })).total, 0);
      await assert.rejects(mine.query({ from: 'not a date' }), RangeError);
    },
  },
  {
    name: 'assignee=me needs the analyst’s username',
    async run(index) {
      const anonymous = index.forAnalyst({ tenantId: `tenant-${uid()}`, oid: `oid-${uid()}` });
      await assert.rejects(anonymous.query({ assignee: { kind: 'me' } }), /username/);
    },
  },
  {
    name: 'every queue column sorts both ways, ties broken by id, dates missing last',
    async run(index) {
      const { mine, rows } = await filled(index);
      for (const column of SORT_COLUMNS) {
        for (const direction of ['asc', 'desc'] as const) {
          const page = await mine.query({ sort: { column, direction }, pageSize: 100 });
          assert.deepEqual(ids(page.rows), expectedOrder(rows, column, direction), `${column} ${direction}`);
        }
      }
      // The default: last update, newest first.
      assert.deepEqual(ids((await mine.query({ pageSize: 100 })).rows), expectedOrder(rows, 'lastUpdateAt', 'desc'));
      // Ids sort as numbers.
      assert.deepEqual(ids((await mine.query({ sort: { column: 'id', direction: 'asc' }, pageSize: 3 })).rows), ['1', '2', '3']);
      await assert.rejects(mine.query({ sort: { column: 'doc; drop table incidents' as SortColumn, direction: 'asc' } }), RangeError);
    },
  },
  {
    name: 'search finds an incident by id, by part of its name, and by each kind of entity, case-insensitively',
    async run(index) {
      const { mine } = await filled(index);
      const full = fullIncident('777');
      await mine.upsert([full], '2026-03-05T00:00:00Z');
      const cases: [string, string[]][] = [
        ['777', ['777']],
        ['12', ['12']],
        ['GOLF INCIDENT', ['7']],
        ['on host 1', ['1', '10', '11', '12']],
        ['ünïcødé', ['777']],
        ['kim@contoso.example', ['777']],
        ['KIM@', ['777']],
        ['fin-ws-042.contoso.example', ['777']],
        ['fin-ws', ['777']],
        ['ws-hotel', ['8']],
        ['203.0.113.9', ['777']],
        ['10.0.0.1', ['1', '10', '11', '12']],
        ['akira.exe', ['777']],
        ['ab'.repeat(32), ['777']],
        ['CD'.repeat(20), ['777']],
        [`05${'F'.repeat(62)}`, ['5']],
        ['https://evil.example/payload', ['777']],
        ['india.user@contoso.example', ['9']],
        ['  lima_tool.exe  ', ['12']],
      ];
      for (const [term, expected] of cases) {
        const page = await mine.query({ search: term, pageSize: 100 });
        assert.deepEqual(sorted(ids(page.rows)), sorted(expected), `search ${JSON.stringify(term)}`);
        assert.equal(page.total, expected.length, `search ${JSON.stringify(term)}: total`);
      }
    },
  },
  {
    name: 'search text is data, never SQL or a wildcard',
    async run(index) {
      const { mine, rows } = await filled(index);
      await mine.upsert([incident('pct', '2026-01-01T00:00:00Z', { displayName: '100% sure_thing' })], '2026-02-01T00:00:00Z');
      for (const term of ["'; drop table incidents; --", "' or '1'='1", '%', '_', '\\', 'o_e', '$1']) {
        const page = await mine.query({ search: term, pageSize: 100 });
        const expected = term === '%' || term === '_' ? ['pct'] : [];
        assert.deepEqual(ids(page.rows), expected, `search ${JSON.stringify(term)}`);
      }
      assert.deepEqual(ids((await mine.query({ search: '0% S' })).rows), ['pct']);
      assert.equal((await mine.query({ tag: "vip' or 'x'='x" })).total, 0);
      assert.equal((await mine.query({ pageSize: 100 })).total, rows.length + 1);
    },
  },
  {
    name: 'the total counts every match whatever the page; pages are disjoint, ordered, and cover the whole',
    async run(index) {
      const { mine, rows } = await filled(index);
      const all = expectedOrder(rows, 'severity', 'desc');
      const seen: string[] = [];
      for (let page = 1; page <= 5; page++) {
        const result = await mine.query({ sort: { column: 'severity', direction: 'desc' }, page, pageSize: 5 });
        assert.equal(result.total, rows.length, `total on page ${page}`);
        assert.equal(result.page, page);
        assert.equal(result.pageSize, 5);
        seen.push(...ids(result.rows));
      }
      assert.deepEqual(seen, all);
      const filtered = await mine.query({ severity: ['high'], page: 2, pageSize: 1 });
      assert.equal(filtered.total, rows.filter((i) => i.severity === 'high').length);
      assert.equal(filtered.rows.length, 1);
      await assert.rejects(mine.query({ pageSize: 0 }), RangeError);
      await assert.rejects(mine.query({ pageSize: 501 }), RangeError);
      await assert.rejects(mine.query({ page: 0 }), RangeError);
    },
  },
  {
    name: 'remove() forgets incidents with their entities, comments and history',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      await mine.upsert([fullIncident('1'), fullIncident('2')], '2026-03-05T00:00:00Z');
      assert.equal(await mine.remove(['1', 'missing']), 1);
      assert.equal(await mine.get('1'), undefined);
      assert.deepEqual(await mine.history('1'), []);
      assert.deepEqual(ids((await mine.query({ search: 'akira.exe' })).rows), ['2']);
      assert.equal(await mine.remove([]), 0);
      // Seen again later, it is new again.
      assert.deepEqual(await mine.upsert([fullIncident('1')], '2026-03-06T00:00:00Z'), { created: 1, changed: 0 });
    },
  },
  {
    name: 'sync state: absent for a new analyst, saved field by field, read back as saved',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      assert.equal(await mine.syncState(), undefined);
      const first = await mine.saveSyncState({ lastSeenAt: '2026-02-01T00:00:00Z', watermark: '2026-01-31T23:59:59.123Z', backfillCursor: 'https://graph.example/next?$skiptoken=a%27b' });
      assert.match(first.dataVersion, /^\d+$/);
      assert.deepEqual(first, {
        dataVersion: first.dataVersion,
        watermark: '2026-01-31T23:59:59.123Z',
        lastDeltaAt: null,
        lastReconcileAt: null,
        lastBackfillAt: null,
        backfillCursor: 'https://graph.example/next?$skiptoken=a%27b',
        backfillPhase: 'open',
        backfillDone: false,
        backfillCount: 0,
        lastSeenAt: '2026-02-01T00:00:00.000Z',
        lastError: null,
      });
      const second = await mine.saveSyncState({ lastDeltaAt: '2026-02-01T00:05:00Z', backfillCount: 2500, backfillDone: true, backfillCursor: null, lastBackfillAt: '2026-02-01T00:04:00Z', lastReconcileAt: '2026-02-01T00:03:00Z' });
      assert.deepEqual(second, {
        ...first,
        lastDeltaAt: '2026-02-01T00:05:00.000Z',
        lastReconcileAt: '2026-02-01T00:03:00.000Z',
        lastBackfillAt: '2026-02-01T00:04:00.000Z',
        backfillCursor: null,
        backfillDone: true,
        backfillCount: 2500,
      });
      assert.deepEqual(await mine.syncState(), second);
      // Upserts keep the sync state as it is, but for a new data version.
      await mine.upsert([incident(1, '2026-01-01T00:00:00Z')], '2026-03-01T00:00:00Z');
      const third = await mine.syncState();
      assert.deepEqual(third, { ...second, dataVersion: third?.dataVersion });
      assert.notEqual(third?.dataVersion, second.dataVersion);
    },
  },
  {
    name: 'the queue reads each incident as its queue row: no alerts, comments or description, with the alerts’ figures, kept when a list carries no alerts',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const full = fullIncident('7');
      await mine.upsert([full], '2026-03-05T00:00:00Z');
      const { alerts: _a, comments: _c, description: _d, ...rest } = full;
      const expected = {
        ...rest,
        stats: {
          sources: ['microsoftDefenderForEndpoint', 'microsoftDefenderForOffice365'],
          activeAlerts: 2,
          totalAlerts: 2,
          devices: 1,
          users: 1,
        },
        unassignedSince: null,
      };
      assert.deepEqual((await mine.query()).rows, [expected]);
      const listed: Incident = { ...full, status: 'resolved', lastUpdateAt: '2026-03-07T00:00:00.000Z' };
      delete listed.alerts;
      await mine.upsert([listed], '2026-03-07T00:00:00Z');
      assert.deepEqual((await mine.view()).page.rows, [{ ...expected, status: 'resolved', lastUpdateAt: '2026-03-07T00:00:00.000Z' }]);
      // Never read with alerts: no figures rather than zeros.
      const bare = incident(8, '2026-03-08T00:00:00Z');
      delete bare.alerts;
      await mine.upsert([bare], '2026-03-08T00:00:00Z');
      assert.equal((await mine.query({ search: '8' })).rows[0]?.stats, null);
    },
  },
  {
    name: 'view() answers as query() and counts() do, and shows every write at once: changes, new incidents, removals, a purge',
    async run(index) {
      const { mine } = await filled(index);
      const q: IndexQuery = { status: ['active'], sort: { column: 'severity', direction: 'desc' }, pageSize: 3 };
      const first = await mine.view(q);
      assert.deepEqual(first, { page: await mine.query(q), counts: await mine.counts(q) });
      assert.deepEqual(await mine.view(q), first);
      const top = first.page.rows[0] ?? assert.fail('fixture: no active incident');
      await mine.upsert([{ ...((await mine.get(top.id)) ?? assert.fail('gone')), status: 'resolved' }], '2026-02-02T00:00:00Z');
      const afterChange = await mine.view(q);
      assert.equal(afterChange.page.total, first.page.total - 1);
      assert.ok(!ids(afterChange.page.rows).includes(top.id));
      await mine.upsert([incident('new', '2026-02-03T00:00:00Z', { status: 'active', severity: 'high' })], '2026-02-03T00:00:00Z');
      assert.deepEqual(ids((await mine.view(q)).page.rows).slice(0, 1), ['new']);
      assert.equal(await mine.remove(['new']), 1);
      assert.deepEqual(await mine.view(q), afterChange);
      await mine.saveSyncState({ lastSeenAt: '1990-01-01T00:00:00Z' });
      assert.equal(await index.purgeIdle(30, new Date('1990-03-01T00:00:00Z')), 1);
      assert.deepEqual(await mine.view(q), { page: { rows: [], total: 0, page: 1, pageSize: 3 }, counts: { bySeverity: {}, byStatus: {}, merged: 0 } });
    },
  },
  {
    name: 'SLA clocks: since when an incident is unassigned (from the version that unassigned it), and the overdue and soon views',
    async run(index) {
      const mine = index.forAnalyst(analyst());
      const since = async (id: string) => (await mine.query({ search: id, pageSize: 100 })).rows.find((r) => r.id === id)?.unassignedSince;
      await mine.upsert([incident('u', '2026-03-01T10:00:00Z', { assignedTo: '', createdAt: '2026-03-01T09:00:00Z' })], '2026-03-01T10:05:00Z');
      assert.equal(await since('u'), '2026-03-01T09:00:00.000Z');
      await mine.upsert([incident('u', '2026-03-01T11:00:00Z', { assignedTo: 'sam@contoso.example', createdAt: '2026-03-01T09:00:00Z' })], '2026-03-01T11:05:00Z');
      assert.equal(await since('u'), null);
      await mine.upsert([incident('u', '2026-03-01T12:00:00Z', { assignedTo: '', createdAt: '2026-03-01T09:00:00Z' })], '2026-03-01T12:05:00Z');
      assert.equal(await since('u'), '2026-03-01T12:00:00.000Z');
      // Still unassigned at a later version: the clock keeps running from when it started.
      await mine.upsert([incident('u', '2026-03-01T13:00:00Z', { assignedTo: '', createdAt: '2026-03-01T09:00:00Z', status: 'inProgress' })], '2026-03-01T13:05:00Z');
      assert.equal(await since('u'), '2026-03-01T12:00:00.000Z');
      assert.deepEqual(ids((await mine.query({ unassignedBefore: '2026-03-01T12:30:00Z', search: 'u' })).rows), ['u']);
      assert.equal((await mine.query({ unassignedBefore: '2026-03-01T11:30:00Z', search: 'u' })).total, 0);

      const at = Date.parse('2026-03-10T12:00:00Z');
      const ago = (h: number) => new Date(at - h * 3_600_000).toISOString();
      const sla = (state: 'overdue' | 'soon') => ({ state, at: new Date(at).toISOString(), targets: { high: { assignMs: 3_600_000, resolveMs: 8 * 3_600_000 } } });
      const other = index.forAnalyst(analyst());
      await other.upsert(
        [
          incident('late', ago(0.5), { severity: 'high', assignedTo: 'sam@contoso.example', createdAt: ago(9) }),
          incident('nearly', ago(0.5), { severity: 'high', assignedTo: 'sam@contoso.example', createdAt: ago(7) }),
          incident('waiting', ago(50 / 60), { severity: 'high', assignedTo: '', createdAt: ago(50 / 60) }),
          incident('fresh', ago(1), { severity: 'high', assignedTo: 'sam@contoso.example', createdAt: ago(1) }),
          incident('closed', ago(1), { severity: 'high', status: 'resolved', createdAt: ago(10) }),
          incident('low', ago(1), { severity: 'low', createdAt: ago(100) }),
        ],
        new Date(at),
      );
      assert.deepEqual(sorted(ids((await other.query({ sla: sla('overdue') })).rows)), ['late']);
      assert.deepEqual(sorted(ids((await other.query({ sla: sla('soon') })).rows)), ['nearly', 'waiting']);
    },
  },
  {
    name: 'acknowledged and resolved times: dated by the version that brought the change, estimated for an incident first read so',
    async run(index) {
      const part = index.forAnalyst(analyst());
      const of = (c: Awaited<ReturnType<typeof part.clocks>>) => c && { ack: c.acknowledgedAt, ackEst: c.ackEstimated, res: c.resolvedAt, resEst: c.resolvedEstimated };
      const rows = async () => new Map(await Promise.all(['seen', 'late', 'bare', 'taken', 'merged'].map(async (id) => [id, of(await part.clocks(id))] as const)));
      const base = { createdAt: '2026-05-01T00:00:00Z', assignedTo: '', status: 'active' };
      await part.upsert(
        [
          incident('seen', '2026-05-01T00:00:00Z', base),
          // First read already resolved: its latest alert's resolution is the estimate; acknowledged then at the latest.
          incident('late', '2026-05-01T09:00:00Z', { ...base, status: 'resolved', assignedTo: 'sam@contoso.example', alerts: [alert('a1', { resolvedAt: '2026-05-01T04:00:00Z' }), alert('a2', { resolvedAt: '2026-05-01T06:00:00Z' })] }),
          // Read without alerts: its last update.
          incident('bare', '2026-05-01T08:00:00Z', { ...base, status: 'resolved' }),
          incident('taken', '2026-05-01T08:00:00Z', { ...base, status: 'inProgress' }),
          incident('merged', '2026-05-01T08:00:00Z', { ...base, status: 'redirected' }),
        ],
        '2026-05-01T10:00:00Z',
      );
      assert.deepEqual(await rows(), new Map([
        ['seen', { ack: null, ackEst: false, res: null, resEst: false }],
        ['late', { ack: '2026-05-01T06:00:00.000Z', ackEst: true, res: '2026-05-01T06:00:00.000Z', resEst: true }],
        ['bare', { ack: '2026-05-01T08:00:00.000Z', ackEst: true, res: '2026-05-01T08:00:00.000Z', resEst: true }],
        ['taken', { ack: '2026-05-01T08:00:00.000Z', ackEst: true, res: null, resEst: false }],
        ['merged', { ack: '2026-05-01T08:00:00.000Z', ackEst: true, res: null, resEst: false }],
      ]));
      await part.upsert([incident('seen', '2026-05-01T11:00:00Z', { ...base, assignedTo: 'sam@contoso.example' })], '2026-05-01T11:05:00Z');
      await part.upsert([incident('seen', '2026-05-01T12:00:00Z', { ...base, assignedTo: '' })], '2026-05-01T12:05:00Z');
      await part.upsert([incident('seen', '2026-05-01T13:00:00Z', { ...base, status: 'resolved' })], '2026-05-01T13:05:00Z');
      // Read again with its alerts, an estimate improves; a time seen happen stays.
      await part.upsert([incident('bare', '2026-05-01T08:00:00Z', { ...base, status: 'resolved', alerts: [alert('b1', { resolvedAt: '2026-05-01T07:00:00Z' })] })], '2026-05-01T13:10:00Z');
      const after = await rows();
      // Unassigned again afterwards: the first acknowledgement stays.
      assert.deepEqual(after.get('seen'), { ack: '2026-05-01T11:00:00.000Z', ackEst: false, res: '2026-05-01T13:00:00.000Z', resEst: false });
      assert.deepEqual(after.get('bare'), { ack: '2026-05-01T07:00:00.000Z', ackEst: true, res: '2026-05-01T07:00:00.000Z', resEst: true });
      // Reopened, then resolved again: the new resolution, seen.
      await part.upsert([incident('late', '2026-05-02T00:00:00Z', { ...base, status: 'active', assignedTo: 'sam@contoso.example' })], '2026-05-02T00:05:00Z');
      await part.upsert([incident('late', '2026-05-02T02:00:00Z', { ...base, status: 'resolved', assignedTo: 'sam@contoso.example' })], '2026-05-02T02:05:00Z');
      assert.deepEqual((await rows()).get('late'), { ack: '2026-05-01T06:00:00.000Z', ackEst: true, res: '2026-05-02T02:00:00.000Z', resEst: false });
    },
  },
  {
    name: 'recent changes for the handover, and visits: an incident’s last opening, the queue’s visit before the current one',
    async run(index) {
      const part = index.forAnalyst(analyst());
      await part.upsert([incident('x', '2026-06-01T00:00:00Z', { severity: 'low' })], '2026-06-01T00:00:00Z');
      await part.upsert([incident('x', '2026-06-01T01:00:00Z', { severity: 'high', assignedTo: 'sam@contoso.example', customTags: ['t'] })], '2026-06-01T01:00:00Z', 'me@contoso.example');
      const changes = await part.changesSince(new Date('2026-06-01T00:30:00Z'));
      assert.deepEqual(changes.map((c) => [c.field, c.oldValue, c.newValue, c.changedBy]), [['severity', 'low', 'high', 'me@contoso.example'], ['assignedTo', '', 'sam@contoso.example', 'me@contoso.example']]);
      assert.deepEqual((await part.changesSince(new Date('2026-05-01T00:00:00Z'))).map((c) => c.field), ['created', 'severity', 'assignedTo']);
      const t = (s: string) => new Date(`2026-06-01T${s}:00Z`);
      assert.equal(await part.recordVisit('x', t('02:00')), null);
      assert.equal(await part.recordVisit('x', t('02:01')), '2026-06-01T02:00:00.000Z');
      assert.deepEqual(await part.openedAt(['x', 'y']), new Map([['x', '2026-06-01T02:01:00.000Z']]));
      // The queue: paging within half an hour keeps comparing with the visit before.
      assert.equal(await part.recordVisit('', t('03:00')), null);
      assert.equal(await part.recordVisit('', t('03:20')), null);
      assert.equal(await part.recordVisit('', t('04:00')), '2026-06-01T03:20:00.000Z');
      assert.equal(await part.recordVisit('', t('04:10')), '2026-06-01T03:20:00.000Z');
      await part.remove(['x']);
      assert.deepEqual(await part.openedAt(['x']), new Map());
    },
  },
  {
    name: 'metrics: the period’s and the previous period’s figures, computed by the engine over the partition',
    async run(index) {
      const part = index.forAnalyst(analyst());
      const T = Date.parse('2026-07-10T00:00:00Z');
      const at = (h: number) => new Date(T + h * 3_600_000).toISOString();
      const H = 3_600_000;
      const sources = [alert('a1', { detectionSource: 'antivirus' }), alert('a2', { detectionSource: 'customDetection' })];
      // a: seen created, assigned after 1 h, resolved after 5 h (true positive, commented).
      await part.upsert([incident('a', at(0))], at(0));
      await part.upsert([incident('a', at(1), { createdAt: at(0), assignedTo: 'sam@contoso.example' })], at(1));
      const comment = { text: 'Cleaned.', author: 'sam@contoso.example', createdAt: at(5) };
      await part.upsert([incident('a', at(5), { createdAt: at(0), assignedTo: 'sam@contoso.example', status: 'resolved', classification: 'truePositive', determination: 'malware', comments: [comment], alerts: sources })], at(5));
      await part.upsert(
        [
          // b: first read resolved (estimated at its last update, 36 h after creation), no determination, no comment, alerts never read.
          incident('b', at(12), { createdAt: at(-24), severity: 'medium', status: 'resolved', classification: 'falsePositive', determination: 'notAvailable' }),
          // c: open and unassigned, 70 h old at the period's end.
          incident('c', at(-22), { severity: 'low' }),
          // d: resolved in the previous period, estimated at its alert's resolution (16 h after creation), not classified.
          incident('d', at(-10), { createdAt: at(-36), status: 'resolved', alerts: [alert('d1', { resolvedAt: at(-20) })] }),
          incident('m', at(1), { createdAt: at(0), status: 'redirected', redirectIncidentId: 'a' }),
        ],
        at(30),
      );
      const { current: cur, previous: prev, covered } = await part.metrics({ from: T, to: T + 48 * H }, parseSlaTargets(DEFAULT_SLA));
      assert.equal(covered, 4);
      assert.deepEqual(cur.acknowledge.high, { n: 1, estimated: 0, median: H, p90: H, target: H, met: 1 });
      assert.deepEqual(cur.acknowledge.medium, { n: 1, estimated: 1, median: 36 * H, p90: 36 * H, target: 4 * H, met: 0 });
      assert.deepEqual(cur.acknowledge.all, { n: 2, estimated: 1, median: 18.5 * H, p90: 32.5 * H, target: null, met: 0 });
      assert.deepEqual([cur.resolve.high?.median, cur.resolve.high?.met, cur.resolve.medium?.met, cur.resolve.low?.n], [5 * H, 1, 0, 0]);
      assert.deepEqual(prev.resolve.high, { n: 1, estimated: 1, median: 16 * H, p90: 16 * H, target: 8 * H, met: 0 });
      assert.deepEqual(prev.acknowledge.high, { n: 1, estimated: 1, median: 16 * H, p90: 16 * H, target: H, met: 0 });
      assert.deepEqual(cur.backlog.map((b) => [b.bucket, b.total, b.bySeverity.low]), [['lt1d', 0, 0], ['1to3d', 1, 1], ['3to7d', 0, 0], ['gt7d', 0, 0]]);
      assert.deepEqual([cur.backlogTotal, prev.backlogTotal], [1, 2]);
      assert.deepEqual(cur.trend, [{ at: T + 24 * H, open: 1 }, { at: T + 48 * H, open: 1 }]);
      assert.deepEqual(cur.workload, [{ assignee: '', open: 1, resolved: 1 }, { assignee: 'sam@contoso.example', open: 0, resolved: 1 }]);
      assert.deepEqual(cur.outcomes.byDetectionSource, [
        { source: '', n: 1, truePositive: 0, falsePositive: 1, informational: 0, unclassified: 0 },
        { source: 'antivirus', n: 1, truePositive: 1, falsePositive: 0, informational: 0, unclassified: 0 },
        { source: 'customDetection', n: 1, truePositive: 1, falsePositive: 0, informational: 0, unclassified: 0 },
      ]);
      assert.deepEqual(cur.outcomes.byServiceSource.map((o) => [o.source, o.n]), [['', 1], ['microsoftDefenderForEndpoint', 1]]);
      assert.deepEqual([cur.outcomes.resolved, cur.outcomes.unclassified, cur.outcomes.noDetermination, cur.outcomes.noComment], [2, 0, 1, 1]);
      assert.deepEqual([prev.outcomes.resolved, prev.outcomes.unclassified, prev.outcomes.noDetermination, prev.outcomes.noComment], [1, 1, 1, 1]);
      // Another analyst's partition sees none of it.
      assert.equal((await index.forAnalyst(analyst()).metrics({ from: T, to: T + 48 * H }, {})).covered, 0);
    },
  },
  {
    name: 'saved hunting queries: an analyst’s own, and those shared in their tenant (read-only), never another tenant’s',
    async run(index) {
      const tenantId = `tenant-${uid()}`;
      const me = { tenantId, oid: `oid-${uid()}`, username: 'me@contoso.example' };
      const colleague = { tenantId, oid: `oid-${uid()}`, username: 'colleague@contoso.example' };
      const stranger = analyst('stranger@fabrikam.example');
      const mine = index.huntingQueries.forAnalyst(me);
      const draft = (name: string, shared: boolean, query = 'AlertInfo | take 1') => ({ name, description: `about ${name}`, query, range: 'P7D', shared });
      const at = new Date('2026-05-01T00:00:00Z');
      const privateOne = await mine.save(draft('b private', false), at);
      const sharedOne = await mine.save(draft('a shared', true), at);
      await index.huntingQueries.forAnalyst(colleague).save(draft('c theirs, shared', true));
      await index.huntingQueries.forAnalyst(colleague).save(draft('d theirs, private', false));
      await index.huntingQueries.forAnalyst(stranger).save(draft('e other tenant, shared', true));
      assert.equal(privateOne.kind, 'saved');
      assert.equal(sharedOne.kind, 'saved');
      const sharedId = sharedOne.kind === 'saved' ? sharedOne.query.id : '';
      // Own first (by name), then the tenant's shared ones.
      assert.deepEqual((await mine.list()).map((q) => [q.name, q.mine, q.author]), [['a shared', true, 'me@contoso.example'], ['b private', true, 'me@contoso.example'], ['c theirs, shared', false, 'colleague@contoso.example']]);
      assert.deepEqual((await index.huntingQueries.forAnalyst(colleague).list()).map((q) => q.name), ['c theirs, shared', 'd theirs, private', 'a shared']);
      assert.deepEqual((await index.huntingQueries.forAnalyst(stranger).list()).map((q) => q.name), ['e other tenant, shared']);
      assert.deepEqual(await mine.get(sharedId), { id: sharedId, author: 'me@contoso.example', name: 'a shared', description: 'about a shared', query: 'AlertInfo | take 1', range: 'P7D', shared: true, mine: true, updatedAt: '2026-05-01T00:00:00.000Z' });
      assert.equal((await index.huntingQueries.forAnalyst(colleague).get(sharedId))?.mine, false);
      assert.equal(await index.huntingQueries.forAnalyst(stranger).get(sharedId), undefined);
      // Only the author deletes; saving a name again replaces that query, keeping its id.
      assert.equal(await index.huntingQueries.forAnalyst(colleague).delete(sharedId), false);
      const replaced = await mine.save(draft('a shared', false, 'AlertInfo | take 2'));
      assert.deepEqual(replaced.kind === 'saved' && [replaced.query.id, replaced.query.query, replaced.query.shared], [sharedId, 'AlertInfo | take 2', false]);
      assert.deepEqual((await index.huntingQueries.forAnalyst(colleague).list()).map((q) => q.name), ['c theirs, shared', 'd theirs, private']);
      assert.equal(await mine.delete(sharedId), true);
      assert.equal(await mine.delete(sharedId), false);
      assert.deepEqual((await mine.list()).map((q) => q.name), ['b private', 'c theirs, shared']);
    },
  },
  {
    name: 'an analyst’s language and time zone: none until chosen, kept apart from their views and columns, never another analyst’s',
    async run(index) {
      const me = analyst();
      const colleague = { ...analyst('colleague@contoso.example'), tenantId: me.tenantId };
      const mine = index.settings.forAnalyst(me);
      assert.deepEqual(await mine.locale(), { language: null, timeZone: null });
      await mine.saveView({ name: 'Mine', query: 'severity=high' });
      await mine.saveLocale({ language: 'fr' });
      await mine.saveLocale({ timeZone: 'Europe/Paris' });
      await mine.saveColumns(['devices']);
      assert.deepEqual(await mine.locale(), { language: 'fr', timeZone: 'Europe/Paris' });
      assert.deepEqual(await mine.get(), { columns: ['devices'], views: [{ name: 'Mine', query: 'severity=high' }] });
      assert.deepEqual(await index.settings.forAnalyst(colleague).locale(), { language: null, timeZone: null });
      // A first write of a locale creates the row without views or columns; null goes back to the browser's.
      await index.settings.forAnalyst(colleague).saveLocale({ language: 'en', timeZone: null });
      assert.deepEqual(await index.settings.forAnalyst(colleague).get(), { columns: null, views: [] });
      await mine.saveLocale({ language: null });
      assert.deepEqual(await mine.locale(), { language: null, timeZone: 'Europe/Paris' });
    },
  },
  {
    name: 'purgeIdle() deletes every partition of analysts not seen for that many days, and only those',
    async run(index) {
      const [idleKey, activeKey, goneKey] = [analyst(), analyst(), analyst()];
      const keys = [idleKey, activeKey, goneKey];
      const [idle, active, neverSeenAgain] = [index.forAnalyst(idleKey), index.forAnalyst(activeKey), index.forAnalyst(goneKey)];
      for (const a of [idle, active, neverSeenAgain]) await a.upsert([fullIncident('1'), incident(2, '1990-01-01T00:00:00Z')], '1990-01-01T00:00:00Z');
      // What else an analyst keeps in the index's database goes with the partition: views, bulk jobs.
      for (const k of keys) {
        await index.settings.forAnalyst(k).saveView({ name: 'Mine', query: 'severity=high' });
        await index.forAnalyst(k).recordVisit('1', new Date('1990-01-01T00:00:00Z'));
        await index.huntingQueries.forAnalyst(k).save({ name: 'Mine', description: '', query: 'AlertInfo', range: 'P1D', shared: true });
        await index.jobs.forAnalyst(k).create({ id: `job-${k.oid}`, account: { homeAccountId: 'h', tenantId: k.tenantId, oid: k.oid, username: k.username }, action: { addTags: ['x'], removeTags: [] }, view: '', checkedFrom: new Date(), items: [{ incidentId: '1', displayName: 'one', base: '1990-01-01T00:00:00Z', seen: { assignedTo: '', status: 'active', classification: '', determination: '', tags: [] } }] });
      }
      await idle.saveSyncState({ lastSeenAt: '1990-01-10T00:00:00Z', backfillCursor: 'c' });
      await active.saveSyncState({ lastSeenAt: '1990-03-01T00:00:00Z' });
      // neverSeenAgain: last seen when its partition was first written (1990-01-01).
      assert.equal(await index.purgeIdle(30, new Date('1990-03-02T00:00:00Z')), 2);
      for (const gone of [idle, neverSeenAgain]) {
        assert.equal(await gone.get('1'), undefined);
        assert.equal((await gone.query()).total, 0);
        assert.deepEqual(await gone.history('1'), []);
        assert.equal(await gone.syncState(), undefined);
      }
      for (const k of [idleKey, goneKey]) {
        assert.deepEqual((await index.settings.forAnalyst(k).get()).views, []);
        assert.equal(await index.jobs.forAnalyst(k).exists(`job-${k.oid}`), false);
        assert.deepEqual(await index.forAnalyst(k).openedAt(['1']), new Map());
        assert.deepEqual(await index.huntingQueries.forAnalyst(k).list(), []);
      }
      assert.deepEqual((await index.huntingQueries.forAnalyst(activeKey).list()).map((q) => q.name), ['Mine']);
      assert.deepEqual(await active.openedAt(['1']), new Map([['1', '1990-01-01T00:00:00.000Z']]));
      assert.deepEqual((await index.settings.forAnalyst(activeKey).get()).views, [{ name: 'Mine', query: 'severity=high' }]);
      assert.equal(await index.jobs.forAnalyst(activeKey).exists(`job-${activeKey.oid}`), true);
      assert.deepEqual(await active.get('1'), fullIncident('1'));
      assert.equal((await active.query({ search: 'akira.exe' })).total, 1);
      assert.equal((await active.history('1')).length, 1);
      assert.equal((await active.syncState())?.lastSeenAt, '1990-03-01T00:00:00.000Z');
      // Nothing else is that old.
      assert.equal(await index.purgeIdle(30, new Date('1990-03-02T00:00:00Z')), 0);
      await assert.rejects(index.purgeIdle(0), RangeError);
    },
  },
];
