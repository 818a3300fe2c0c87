import { DEFAULT_FORM, huntHref, MAX_QUERY, parseHuntForm, timespanOf, type HuntForm } from '../../src/hunting/huntForm';
import { huntProblem, positionIn } from '../../src/hunting/huntProblem';
import { HuntingUnavailableError } from '../../src/hunting/hunter';
import { BUILT_IN, builtIn, incidentWindow, kqlString, pivotsFor } from '../../src/hunting/library';
import { cellText, parseHuntingResults, sortKey, typeWords, type HuntResult } from '../../src/hunting/results';
import type { Alert, Evidence } from '../../src/incidents/model';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../../src/incidents/sources/errors';
import { apiProblem } from '../../src/web/errors/pages';
import { huntCsv, parseDraft, resultsTable, SHOWN_ROWS } from '../../src/web/pages/huntingPage';
import { incident } from '../helpers/incidents';

const MIN = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
/** A whole minute, so that rounding outward leaves `now` where it is. */
const NOW = Date.parse('2026-11-20T12:00:00Z');

/** What a call throws (the test fails if it does not). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

const form = (extra: Partial<HuntForm>): HuntForm => ({ ...DEFAULT_FORM, ...extra });
/** The form a link carries, read back as the page reads a query string. */
const followed = (href: string) => parseHuntForm(Object.fromEntries(new URL(href, 'http://x').searchParams));

describe('parseHuntForm', () => {
  it('defaults to the last 24 hours with an empty query', () => {
    expect(parseHuntForm({})).toEqual({ form: { query: '', range: 'P1D', from: '', to: '' } });
    expect(parseHuntForm({ range: 'P2D' }).form.range).toBe('P1D');
    expect(parseHuntForm({ range: ['P7D'] }).form.range).toBe('P1D');
  });

  it('keeps each preset range', () => {
    expect(['PT1H', 'P1D', 'P7D', 'P30D'].map((range) => parseHuntForm({ range, from: '2026-11-01T10:00' }))).toEqual(
      ['PT1H', 'P1D', 'P7D', 'P30D'].map((range) => ({ form: { query: '', range, from: '2026-11-01T10:00', to: '' } })),
    );
  });

  it('reads the query from q or query (q first), with CRLF turned into LF', () => {
    expect(parseHuntForm({ q: 'DeviceEvents\r\n| take 10\r\n' }).form.query).toBe('DeviceEvents\n| take 10\n');
    expect(parseHuntForm({ query: 'EmailEvents\r\n| count' }).form.query).toBe('EmailEvents\n| count');
    expect(parseHuntForm({ q: 'from q', query: 'from query' }).form.query).toBe('from q');
    expect(parseHuntForm({ q: ['a', 'b'] }).form.query).toBe('');
  });

  it('refuses a query over MAX_QUERY characters, naming both lengths, and keeps it', () => {
    const long = 'x'.repeat(MAX_QUERY + 1);
    expect(parseHuntForm({ q: long, range: 'P7D' })).toEqual({
      form: { query: long, range: 'P7D', from: '', to: '' },
      problem: { field: 'query', text: 'A query may have up to 20,000 characters; this one has 20,001.' },
    });
    expect(parseHuntForm({ q: 'x'.repeat(MAX_QUERY) }).problem).toBeUndefined();
    // Counted after CRLF → LF: 30,000 characters as sent, 20,000 as the query.
    expect(parseHuntForm({ q: 'a\r\n'.repeat(10_000) })).toEqual({ form: { query: 'a\n'.repeat(10_000), range: 'P1D', from: '', to: '' } });
  });

  it('accepts a custom range of minutes in UTC, cutting seconds off', () => {
    expect(parseHuntForm({ range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:00' })).toEqual({
      form: { query: '', range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:00' },
    });
    expect(parseHuntForm({ range: 'custom', from: '2026-11-01T10:00:59', to: '2026-11-02T10:00:00.000Z' })).toEqual({
      form: { query: '', range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:00' },
    });
  });

  it('treats a from or to without a range as a custom range', () => {
    expect(parseHuntForm({ from: '2026-11-01T10:00', to: '2026-11-01T11:00' })).toEqual({
      form: { query: '', range: 'custom', from: '2026-11-01T10:00', to: '2026-11-01T11:00' },
    });
    expect(parseHuntForm({ to: '2026-11-01T11:00' }).form.range).toBe('custom');
    expect(parseHuntForm({ range: 'bogus', from: '2026-11-01T10:00' }).form.range).toBe('custom');
  });

  it('wants both ends of a custom range as date and time', () => {
    const needsBoth = { field: 'range', text: 'A custom range needs a start and an end, both as date and time (UTC).' };
    for (const raw of [
      { range: 'custom' },
      { range: 'custom', from: '2026-11-01T10:00' },
      { from: '2026-11-01T10:00' },
      { range: 'custom', to: '2026-11-01T10:00' },
      { range: 'custom', from: '2026-11-01', to: '2026-11-02' },
      { range: 'custom', from: '2026-11-01 10:00', to: '2026-11-02 10:00' },
      { range: 'custom', from: '2026-13-01T10:00', to: '2026-13-02T10:00' },
      { range: 'custom', from: 'yesterday', to: 'now' },
    ]) {
      expect(parseHuntForm(raw).problem).toEqual(needsBoth);
    }
  });

  it('wants the range to end after it starts', () => {
    const backwards = { field: 'range', text: 'The range must end after it starts.' };
    expect(parseHuntForm({ range: 'custom', from: '2026-11-01T10:00', to: '2026-11-01T10:00' }).problem).toEqual(backwards);
    expect(parseHuntForm({ range: 'custom', from: '2026-11-02T10:00', to: '2026-11-01T10:00' }).problem).toEqual(backwards);
    expect(parseHuntForm({ range: 'custom', from: '2026-11-01T10:00', to: '2026-11-01T10:01' }).problem).toBeUndefined();
  });

  it('allows a custom range of at most 30 days', () => {
    expect(parseHuntForm({ range: 'custom', from: '2026-10-01T10:00', to: '2026-10-31T10:00' }).problem).toBeUndefined();
    expect(parseHuntForm({ range: 'custom', from: '2026-10-01T10:00', to: '2026-10-31T10:01' }).problem).toEqual({
      field: 'range',
      text: 'Advanced hunting keeps 30 days of data: choose a range of 30 days or less.',
    });
  });
});

describe('timespanOf', () => {
  it('sends a preset as its duration and a custom range as start/end in UTC', () => {
    expect(['PT1H', 'P1D', 'P7D', 'P30D'].map((range) => timespanOf(form({ range: range as HuntForm['range'], from: '2026-11-01T10:00' })))).toEqual(['PT1H', 'P1D', 'P7D', 'P30D']);
    expect(timespanOf(form({ range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:00' }))).toBe('2026-11-01T10:00:00Z/2026-11-02T10:00:00Z');
  });
});

describe('huntHref', () => {
  it('links to the Hunting page with the query and range, and the ends only for a custom range', () => {
    expect(huntHref(form({ query: 'a b', range: 'P7D', from: '2026-11-01T10:00' }))).toBe('/hunting?q=a+b&range=P7D');
    expect(huntHref(form({ query: 'x', range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:00' }))).toBe('/hunting?q=x&range=custom&from=2026-11-01T10%3A00&to=2026-11-02T10%3A00');
  });

  it('round-trips through parseHuntForm', () => {
    const query = 'DeviceEvents\n| where FileName has "a&b=c#d+e%20f" // é ✓\n| take 10';
    for (const f of [
      form({ query, range: 'custom', from: '2026-11-01T10:00', to: '2026-11-02T10:30' }),
      form({ query, range: 'PT1H' }),
      form({ query: '', range: 'P30D' }),
      DEFAULT_FORM,
    ]) {
      expect(followed(huntHref(f))).toEqual({ form: f });
    }
  });
});

describe('kqlString', () => {
  /** A KQL double-quoted literal: no bare quote, newline, CR or tab inside, every backslash starting an escape. */
  const ONE_LITERAL = /^"(?:[^"\\\n\r\t]|\\.)*"$/;

  it('quotes a value and escapes what would end or bend the literal', () => {
    expect(kqlString('contoso-pc')).toBe('"contoso-pc"');
    expect(kqlString('')).toBe('""');
    expect(kqlString('x" | take 1 //')).toBe('"x\\" | take 1 //"');
    expect(kqlString('C:\\Windows\\')).toBe('"C:\\\\Windows\\\\"');
    expect(kqlString('a\nb\rc\td')).toBe('"a\\nb\\rc\\td"');
    expect(kqlString('\\"')).toBe('"\\\\\\""');
  });

  it('keeps any value one literal', () => {
    for (const v of ['x" | take 1 //', 'a\\', '\\"; DeviceEvents', 'line\r\nnext\t"', '"""', 'ünï ✓ \'single\'']) {
      expect(kqlString(v)).toMatch(ONE_LITERAL);
    }
  });
});

describe('BUILT_IN', () => {
  const tricky = 'x" | take 1 //\\\n\r\t';

  it('has 8 queries with distinct ids, each found by builtIn', () => {
    expect(BUILT_IN).toHaveLength(8);
    expect(new Set(BUILT_IN.map((q) => q.id)).size).toBe(8);
    expect(BUILT_IN.map((q) => builtIn(q.id))).toEqual(BUILT_IN);
    expect(builtIn('nope')).toBeUndefined();
    expect(BUILT_IN.map((q) => q.on).sort()).toEqual(['analyzedMessage', 'device', 'device', 'file', 'ip', 'mailbox', 'url', 'user']);
  });

  it('puts the value in each query only as a KQL string', () => {
    for (const q of BUILT_IN) {
      expect(q.query(tricky)).toContain(kqlString(tricky));
      expect(q.query(tricky).split(kqlString(tricky))).toHaveLength(2);
    }
  });
});

function alert(times: Partial<Pick<Alert, 'createdAt' | 'firstActivityAt' | 'lastActivityAt'>>): Alert {
  return {
    id: 'da1', title: 'Alert', description: null, severity: 'high', status: 'new', serviceSource: null, detectionSource: null, category: null,
    mitreTechniques: [], createdAt: null, firstActivityAt: null, lastActivityAt: null, resolvedAt: null, threatFamilyName: null,
    actorDisplayName: null, webUrl: null, evidence: [], ...times,
  };
}

describe('incidentWindow', () => {
  it('runs from an hour before the earliest time to an hour after the latest, in whole minutes outward', () => {
    const i = incident(1, '2026-11-12T09:10:45Z', {
      createdAt: '2026-11-10T08:30:15Z',
      alerts: [alert({ firstActivityAt: '2026-11-10T07:05:30Z', lastActivityAt: '2026-11-12T10:20:10Z', createdAt: '2026-11-10T07:50:00Z' })],
    });
    expect(incidentWindow(i, NOW)).toEqual({ from: '2026-11-10T06:05', to: '2026-11-12T11:21' });
  });

  it('takes the earliest of created, alert first activity and alert created', () => {
    const at = (createdAt: string, firstActivityAt: string, alertCreated: string) =>
      incidentWindow(incident(1, '2026-11-12T00:00:00Z', { createdAt, alerts: [alert({ firstActivityAt, createdAt: alertCreated })] }), NOW).from;
    expect(at('2026-11-10T05:00:00Z', '2026-11-10T06:00:00Z', '2026-11-10T07:00:00Z')).toBe('2026-11-10T04:00');
    expect(at('2026-11-10T06:00:00Z', '2026-11-10T05:00:00Z', '2026-11-10T07:00:00Z')).toBe('2026-11-10T04:00');
    expect(at('2026-11-10T07:00:00Z', '2026-11-10T06:00:00Z', '2026-11-10T05:00:00Z')).toBe('2026-11-10T04:00');
    // Of several alerts, too; missing times are left out.
    const i = incident(1, '2026-11-12T00:00:00Z', { createdAt: null, alerts: [alert({ firstActivityAt: '2026-11-11T00:00:00Z' }), alert({ createdAt: '2026-11-09T23:59:59Z' })] });
    expect(incidentWindow(i, NOW)).toEqual({ from: '2026-11-09T22:59', to: '2026-11-12T01:00' });
  });

  it('takes the latest of last update and alert last activity', () => {
    const at = (lastUpdateAt: string, lastActivityAt: string) =>
      incidentWindow(incident(1, lastUpdateAt, { createdAt: '2026-11-10T00:00:00Z', alerts: [alert({ lastActivityAt })] }), NOW).to;
    expect(at('2026-11-12T09:00:00Z', '2026-11-12T08:00:00Z')).toBe('2026-11-12T10:00');
    expect(at('2026-11-12T08:00:00Z', '2026-11-12T09:00:00Z')).toBe('2026-11-12T10:00');
    expect(at('2026-11-12T08:00:00.001Z', '2026-11-12T07:00:00Z')).toBe('2026-11-12T09:01');
  });

  it('never ends after now', () => {
    const i = incident(1, new Date(NOW - 10 * MIN).toISOString(), { createdAt: '2026-11-20T09:00:00Z' });
    expect(incidentWindow(i, NOW)).toEqual({ from: '2026-11-20T08:00', to: '2026-11-20T12:00' });
  });

  it('never spans more than the 30 days hunting keeps, counting back from its end', () => {
    const i = incident(1, new Date(NOW - 2 * H).toISOString(), { createdAt: new Date(NOW - 60 * DAY).toISOString() });
    const w = incidentWindow(i, NOW);
    expect(w).toEqual({ from: '2026-10-21T11:00', to: '2026-11-20T11:00' });
    expect(parseHuntForm({ range: 'custom', ...w }).problem).toBeUndefined();
  });

  it('gives the last day (with the hour before) for an incident with no times', () => {
    const i = incident(1, '', { createdAt: null, alerts: [alert({})] });
    expect(incidentWindow(i, NOW)).toEqual({ from: '2026-11-19T11:00', to: '2026-11-20T12:00' });
    expect(incidentWindow(incident(2, 'not a date', { createdAt: null }), NOW)).toEqual({ from: '2026-11-19T11:00', to: '2026-11-20T12:00' });
  });
});

describe('pivotsFor', () => {
  const window = { from: '2026-11-10T06:05', to: '2026-11-12T11:21' };
  const evidence = (type: string, name: string, details: [string, string][] = []): Evidence => ({ type, key: `${type}:${name}`, name, details, verdict: null, remediationStatus: null, roles: [] });
  const query = (id: string, value: string) => builtIn(id)!.query(value);

  it('offers a device its processes and its network connections', () => {
    expect(pivotsFor('device', evidence('device', 'contoso-pc'), window)).toEqual([
      { name: 'Processes on a device', form: { query: query('device-processes', 'contoso-pc'), range: 'custom', ...window } },
      { name: 'Network connections of a device', form: { query: query('device-network', 'contoso-pc'), range: 'custom', ...window } },
    ]);
  });

  it('pivots on a file only by its SHA-256', () => {
    const sha = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
    expect(pivotsFor('file', evidence('file', 'evil.exe', [['Path', 'C:\\Temp'], ['SHA-256', sha]]), window)).toEqual([
      { name: 'Prevalence of a file', form: { query: query('file-prevalence', sha), range: 'custom', ...window } },
    ]);
    expect(pivotsFor('file', evidence('file', 'evil.exe', [['SHA-1', 'abc']]), window)).toEqual([]);
    expect(pivotsFor('file', evidence('file', 'evil.exe', [['SHA-256', '  ']]), window)).toEqual([]);
  });

  it('offers one query for a mailbox, an address, a URL, a user and a message', () => {
    const cases: [string, string, string, string][] = [
      ['mailbox', 'ann@contoso.com', 'mailbox-mail', 'Mail a mailbox received'],
      ['ip', '203.0.113.7', 'ip-devices', 'Devices that talked to an address'],
      ['url', 'https://evil.example/x?a=1', 'url-devices', 'Devices that reached a URL'],
      ['user', 'ann@contoso.com', 'user-signins', 'Sign-ins of a user'],
      ['analyzedMessage', 'Invoice "overdue"', 'email-recipients', 'Recipients of an email'],
    ];
    for (const [type, name, id, title] of cases) {
      expect(pivotsFor(type, evidence(type, name), window)).toEqual([{ name: title, form: { query: query(id, name), range: 'custom', ...window } }]);
    }
  });

  it('offers nothing for an unknown type, an empty value or one over 500 characters', () => {
    expect(pivotsFor('process', evidence('process', 'cmd.exe /c whoami'), window)).toEqual([]);
    expect(pivotsFor('device', evidence('device', ' '), window)).toEqual([]);
    expect(pivotsFor('ip', evidence('ip', '1'.repeat(501)), window)).toEqual([]);
    expect(pivotsFor('ip', evidence('ip', '1'.repeat(500)), window)).toHaveLength(1);
    expect(pivotsFor('file', evidence('file', 'a.exe', [['SHA-256', 'f'.repeat(501)]]), window)).toEqual([]);
  });

  it('gives each pivot the incident’s window as a custom range a link carries whole', () => {
    const pivots = ['device', 'user', 'ip', 'url', 'mailbox', 'analyzedMessage'].flatMap((t) => pivotsFor(t, evidence(t, 'v@"\\\n'), window));
    expect(pivots).toHaveLength(7);
    expect(pivots.map((p) => [p.form.range, p.form.from, p.form.to])).toEqual(Array(7).fill(['custom', window.from, window.to]));
    expect(pivots.map((p) => followed(huntHref(p.form)))).toEqual(pivots.map((p) => ({ form: p.form })));
  });
});

describe('parseHuntingResults', () => {
  it('reads the schema and the rows, skipping and counting rows that are not objects', () => {
    const body = {
      schema: [{ name: 'Timestamp', type: 'DateTime' }, { name: 'DeviceName', type: 'String' }, { name: 'Count', type: 'Int64' }, { name: 'Extra', type: 'Object' }],
      results: [
        { Timestamp: '2026-11-01T10:00:00.1234567Z', DeviceName: 'pc1', Count: 3, Extra: { a: [1] } },
        'junk',
        null,
        [1, 2, 3],
        42,
        { DeviceName: 'pc2', Unknown: 'dropped' },
      ],
    };
    expect(parseHuntingResults(body)).toEqual({
      columns: [{ name: 'Timestamp', type: 'DateTime' }, { name: 'DeviceName', type: 'String' }, { name: 'Count', type: 'Int64' }, { name: 'Extra', type: 'Object' }],
      rows: [
        ['2026-11-01T10:00:00.1234567Z', 'pc1', 3, { a: [1] }],
        [null, 'pc2', null, null],
      ],
      skipped: 4,
    });
  });

  it('reads PascalCase schema entries, types a column without one as String and drops unnamed columns', () => {
    const r = parseHuntingResults({ schema: [{ Name: 'A', Type: 'Int32' }, { name: 'B' }, { type: 'String' }, 'C', null], results: [{ A: 1, B: false }] });
    expect(r).toEqual({ columns: [{ name: 'A', type: 'Int32' }, { name: 'B', type: 'String' }], rows: [[1, false]], skipped: 0 });
    expect(parseHuntingResults({ schema: [], results: [] })).toEqual({ columns: [], rows: [], skipped: 0 });
  });

  it('throws a malformed SecurityApiError without a schema or results', () => {
    for (const body of [{ results: [] }, { schema: [] }, { schema: {}, results: [] }, null, 'text', undefined]) {
      const err = thrown(() => parseHuntingResults(body));
      expect(err).toBeInstanceOf(SecurityApiError);
      expect(err).toMatchObject({ api: 'graph', kind: 'malformed', details: { apiMessage: 'The hunting answer had no schema or no results.' } });
    }
  });
});

describe('cellText', () => {
  it('shows date-times to the second in UTC', () => {
    expect(cellText('DateTime', '2026-11-01T10:00:05.1234567Z')).toBe('2026-11-01 10:00:05');
    expect(cellText('DateTime', '2026-11-01T10:00:05Z')).toBe('2026-11-01 10:00:05');
    expect(cellText('DateTime', 'not a date')).toBe('not a date');
    expect(cellText('String', '2026-11-01T10:00:05.1234567Z')).toBe('2026-11-01T10:00:05.1234567Z');
  });

  it('shows structures as JSON, null as nothing, numbers and booleans as written', () => {
    expect(cellText('Object', { a: 1, b: ['x'] })).toBe('{"a":1,"b":["x"]}');
    expect(cellText('Object', [1, 'x', null])).toBe('[1,"x",null]');
    expect(cellText('String', null)).toBe('');
    expect(cellText('DateTime', null)).toBe('');
    expect(cellText('Int64', 42)).toBe('42');
    expect(cellText('Double', 1.5)).toBe('1.5');
    expect(cellText('Boolean', true)).toBe('true');
    expect(cellText('Boolean', false)).toBe('false');
    expect(cellText('String', 'a "b"')).toBe('a "b"');
  });
});

describe('sortKey', () => {
  it('sorts numbers as numbers', () => {
    expect(sortKey('Int64', 42)).toBe('42');
    expect(sortKey('Int64', '42')).toBe('42');
    expect(sortKey('Int32', -7)).toBe('-7');
    expect(sortKey('Double', '1.50')).toBe('1.5');
    expect(sortKey('Double', 'n/a')).toBe('n/a');
    expect(sortKey('Int64', ' ')).toBe(' ');
  });

  it('sorts date-times by epoch milliseconds and the rest by their text', () => {
    expect(sortKey('DateTime', '2026-11-01T10:00:00Z')).toBe(String(Date.parse('2026-11-01T10:00:00Z')));
    expect(sortKey('DateTime', '2026-11-01T10:00:00.1234567Z')).toBe('1793527200123');
    expect(sortKey('DateTime', 'soon')).toBe('soon');
    expect(sortKey('String', 'abc')).toBe('abc');
    expect(sortKey('String', 10)).toBe('10');
    expect(sortKey('Object', { a: 1 })).toBe('{"a":1}');
    expect(sortKey('Int64', null)).toBe('');
  });
});

describe('typeWords', () => {
  it('names the schema types in plain words, and unknown ones in lower case', () => {
    expect(['String', 'DateTime', 'Int64', 'Int32', 'Double', 'Decimal', 'Boolean', 'TimeSpan', 'Object', 'Guid', 'Dynamic'].map(typeWords)).toEqual(
      ['text', 'date and time', 'number', 'number', 'number', 'number', 'yes or no', 'duration', 'structured', 'identifier', 'dynamic'],
    );
  });
});

describe('huntCsv', () => {
  it('writes a byte order mark, the quoted column names, then every row as the table shows it, with CRLF', () => {
    const result: HuntResult = {
      columns: [{ name: 'Name', type: 'String' }, { name: 'Formula', type: 'String' }, { name: 'When', type: 'DateTime' }, { name: 'Count', type: 'Int64' }, { name: 'Data', type: 'Object' }],
      rows: [
        ['a "b"', '=HYPERLINK("http://evil")', '2026-11-01T10:00:05.1234567Z', 3, { x: 1 }],
        [null, '+1', null, -4, [true]],
      ],
      skipped: 2,
    };
    expect([...huntCsv(result)]).toEqual([
      '\uFEFF"Name","Formula","When","Count","Data"\r\n',
      // Numbers as is: a negative one is no formula, and stays a number in a spreadsheet.
      '"a ""b""","\'=HYPERLINK(""http://evil"")","2026-11-01 10:00:05",3,"{""x"":1}"\r\n',
      '"","\'+1","",-4,"[true]"\r\n',
    ]);
  });

  it('writes only the header for no rows', () => {
    expect([...huntCsv({ columns: [{ name: '=cmd', type: 'String' }], rows: [], skipped: 0 })]).toEqual(['\uFEFF"\'=cmd"\r\n']);
  });
});

describe('resultsTable', () => {
  it('shows the first SHOWN_ROWS rows with each cell’s text and sort key, and counts them all', () => {
    const rows = Array.from({ length: SHOWN_ROWS + 5 }, (_, n) => [n, '2026-11-01T10:00:00Z']);
    const table = resultsTable({ columns: [{ name: 'N', type: 'Int64' }, { name: 'When', type: 'DateTime' }], rows, skipped: 3 });
    expect(SHOWN_ROWS).toBe(1_000);
    expect(table.columns).toEqual([{ name: 'N', words: 'number', numeric: true }, { name: 'When', words: 'date and time', numeric: false }]);
    expect(table.rows).toHaveLength(SHOWN_ROWS);
    expect(table.rows[999]).toEqual([{ text: '999', key: '999' }, { text: '2026-11-01 10:00:00', key: String(Date.parse('2026-11-01T10:00:00Z')) }]);
    expect(table.total).toBe(SHOWN_ROWS + 5);
    expect(table.skipped).toBe(3);
  });
});

describe('parseDraft', () => {
  const hunt = form({ query: 'DeviceEvents | take 1', range: 'P7D' });
  const nameProblem = 'A saved query needs a name of 1 to 80 characters on one line.';

  it('takes the trimmed name and description with the form’s query and range, shared only when on', () => {
    expect(parseDraft({ name: '  Mine ', description: ' What it finds ', shared: 'on' }, hunt)).toEqual({
      draft: { name: 'Mine', description: 'What it finds', query: 'DeviceEvents | take 1', range: 'P7D', shared: true },
    });
    expect(parseDraft({ name: 'Mine' }, hunt)).toEqual({ draft: { name: 'Mine', description: '', query: 'DeviceEvents | take 1', range: 'P7D', shared: false } });
    expect([parseDraft({ name: 'Mine', shared: 'true' }, hunt), parseDraft({ name: 'Mine', shared: true }, hunt), parseDraft({ name: 'Mine', shared: ['on'] }, hunt)].map((r) => r.draft.shared)).toEqual([false, false, false]);
  });

  it('saves a preset range, and the default for a from–to range (it belongs to one investigation)', () => {
    const custom = form({ query: 'DeviceEvents | take 1', range: 'custom', from: '2026-11-01T00:00', to: '2026-11-02T00:00' });
    expect(parseDraft({ name: 'Mine' }, custom).draft.range).toBe('P1D');
  });

  it('wants a name of 1 to 80 characters on one line', () => {
    expect(parseDraft({ name: '' }, hunt).problem).toBe(nameProblem);
    expect(parseDraft({ name: '   ' }, hunt).problem).toBe(nameProblem);
    expect(parseDraft({}, hunt).problem).toBe(nameProblem);
    expect(parseDraft({ name: 'n'.repeat(81) }, hunt).problem).toBe(nameProblem);
    expect(parseDraft({ name: 'n'.repeat(80) }, hunt).problem).toBeUndefined();
    expect(parseDraft({ name: 'two\nlines' }, hunt).problem).toBe(nameProblem);
    expect(parseDraft({ name: 'tab\there' }, hunt).problem).toBe(nameProblem);
    expect(parseDraft({ name: 'bell\u0007' }, hunt).problem).toBe(nameProblem);
  });

  it('wants a query and a description of at most 500 characters, keeping what was typed', () => {
    expect(parseDraft({ name: 'Mine' }, form({ query: ' \n ' }))).toEqual({
      draft: { name: 'Mine', description: '', query: ' \n ', range: 'P1D', shared: false },
      problem: 'There is no query to save: write one first.',
    });
    expect(parseDraft({ name: 'Mine', description: 'd'.repeat(501) }, hunt)).toEqual({
      draft: { name: 'Mine', description: 'd'.repeat(501), query: 'DeviceEvents | take 1', range: 'P7D', shared: false },
      problem: 'A description may have up to 500 characters.',
    });
    expect(parseDraft({ name: 'Mine', description: 'd'.repeat(500) }, hunt).problem).toBeUndefined();
    expect(parseDraft({ name: 'Mine', description: 'line one\nline two' }, hunt).problem).toBeUndefined();
  });
});

describe('positionIn', () => {
  it('reads Kusto’s line and column, when the message has them', () => {
    expect(positionIn("Query could not be parsed at 'x' on line [2,7]")).toEqual({ line: 2, column: 7 });
    expect(positionIn('Syntax error on line [12, 3] near "|"')).toEqual({ line: 12, column: 3 });
    expect(positionIn('Query could not be parsed')).toBeUndefined();
    expect(positionIn('on line 2')).toBeUndefined();
    expect(positionIn(undefined)).toBeUndefined();
  });
});

describe('huntProblem', () => {
  const api = (kind: SecurityApiError['kind'], status: number | undefined, details: SecurityApiError['details'] = {}) => new SecurityApiError('graph', kind, status, details);

  afterEach(() => jest.restoreAllMocks());

  it('says hunting needs Graph on the legacy API', () => {
    expect(huntProblem(new HuntingUnavailableError(), 90_000, NOW)).toMatchObject({ status: 501, title: 'Advanced hunting needs the Microsoft Graph security API' });
  });

  it('explains a 403 from the token: missing permission for the administrator, or the analyst’s role', () => {
    const refusal = api('forbidden', 403, { trackingId: 'req-1' });
    expect(huntProblem(new ApiForbiddenError('graph', 'ThreatHunting.Read.All', false, false, refusal), 90_000, NOW)).toEqual({
      status: 403,
      title: 'ThreatDesk may not hunt for your organisation yet',
      what: 'Your token does not carry the delegated permission ThreatHunting.Read.All, which advanced hunting needs.',
      todo: 'A global administrator can grant it from the admin consent page; then sign in again.',
      admin: true,
      trackingId: 'req-1',
    });
    const role = huntProblem(new ApiForbiddenError('graph', 'ThreatHunting.Read.All', true, false, refusal), 90_000, NOW);
    expect(role).toMatchObject({ status: 403, title: 'Your role does not allow advanced hunting', trackingId: 'req-1' });
    expect(role).not.toHaveProperty('admin');
  });

  it('says nothing was sent when the budget has no call, and when to run it again', () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    expect(huntProblem(new BudgetExhaustedError('graph', 'budget', NOW + 30_000), 90_000, NOW)).toMatchObject({
      status: 503,
      title: 'The tenant\u2019s API budget is in use',
      todo: 'Nothing was sent. Run it again after 12:00:30 UTC (in about 30 s).',
      retryAfterSec: 30,
    });
  });

  it('says a query returns too many rows', () => {
    expect(huntProblem(api('bad-request', 400, { apiMessage: 'Query result size exceeded the limit.', trackingId: 'req-2' }), 90_000, NOW)).toEqual({
      status: 400,
      title: 'The query returns too many rows',
      what: 'Microsoft returns at most 100,000 rows for one query, and this one has more. Microsoft said: “Query result size exceeded the limit.”',
      todo: 'Narrow the time range, filter with where, or count with summarize instead of listing every row.',
      trackingId: 'req-2',
    });
  });

  it('quotes any other refusal of the query, with where it is when Microsoft says', () => {
    const message = "Query could not be parsed at 'wher' on line [2,3]";
    expect(huntProblem(api('bad-request', 400, { apiMessage: message, trackingId: 'req-3' }), 90_000, NOW)).toEqual({
      status: 400,
      title: 'Microsoft could not run this query',
      what: message,
      todo: 'Correct the query and run it again.',
      position: { line: 2, column: 3 },
      trackingId: 'req-3',
    });
    const bare = huntProblem(api('bad-request', 400), 90_000, NOW);
    expect(bare).toMatchObject({ status: 400, title: 'Microsoft could not run this query', what: 'The query was refused without a reason.' });
    expect(bare?.position).toBeUndefined();
  });

  it('says when the organisation’s quota allows another query', () => {
    const throttled = huntProblem(api('throttled', 429, { retryAfterSec: 30 }), 90_000, NOW);
    expect(throttled).toMatchObject({ status: 429, title: 'Your organisation’s hunting quota is used up for now', retryAfterSec: 30 });
    expect(throttled?.todo).toMatch(/^Run it again after 12:00:30 UTC \(in about 30 s\)\./);
    expect(huntProblem(api('throttled', 429), 90_000, NOW)).toMatchObject({ status: 429, retryAfterSec: 60, todo: expect.stringContaining('after 12:01:00 UTC (in about 60 s)') });
  });

  it('says a query ran out of time, with the timeout when ThreatDesk stopped waiting', () => {
    expect(huntProblem(api('timeout', undefined), 90_000, NOW)).toMatchObject({
      status: 504,
      title: 'The query ran out of time',
      what: 'Microsoft stops a hunting query after 3 minutes, and this one had no answer after 90 s.',
    });
    expect(huntProblem(api('unavailable', 504, { apiMessage: 'Gateway Timeout' }), 90_000, NOW)).toMatchObject({
      status: 504,
      title: 'The query ran out of time',
      what: 'Microsoft stops a hunting query after 3 minutes. Microsoft said: “Gateway Timeout”',
    });
  });

  it('leaves other API failures to the usual pages, and errors that are not the API’s to the error handler', () => {
    const err = api('unavailable', 500, { trackingId: 'req-4' });
    expect(huntProblem(err, 90_000, NOW)).toEqual({ status: 503, ...apiProblem(err)[1] });
    expect(huntProblem(err, 90_000, NOW)).toMatchObject({ status: 503, title: 'Microsoft Defender is having trouble', trackingId: 'req-4' });
    expect(huntProblem(new Error('boom'), 90_000, NOW)).toBeUndefined();
    expect(huntProblem('boom', 90_000, NOW)).toBeUndefined();
  });
});

describe('windows and pivots that the Hunting page accepts', () => {
  it('never gives a window past now or over 30 days, on a clock between minutes', () => {
    const now = Date.parse('2026-11-20T12:00:30Z');
    const w = incidentWindow(incident(1, '2026-11-20T11:50:00Z', { createdAt: '2026-09-01T00:00:00Z' }), now);
    expect(w).toEqual({ from: '2026-10-21T12:00', to: '2026-11-20T12:00' });
    expect(parseHuntForm({ range: 'custom', ...w }).problem).toBeUndefined();
  });

  it('leaves an hour ending now when the incident’s times are ahead of this clock', () => {
    expect(incidentWindow(incident(1, '2026-11-20T15:00:00Z', { createdAt: '2026-11-20T14:30:00Z' }), NOW)).toEqual({ from: '2026-11-20T11:00', to: '2026-11-20T12:00' });
  });

  it('refuses a date that does not exist rather than rolling it over', () => {
    expect(parseHuntForm({ range: 'custom', from: '2026-02-30T10:00', to: '2026-03-02T10:00' }).problem?.field).toBe('range');
    expect(parseHuntForm({ range: 'custom', from: '2026-03-01T10:00', to: '2026-03-01T24:00' }).problem?.field).toBe('range');
  });

  it('offers no pivot whose query could not match: a user or mailbox without an address, an email named by its id', () => {
    const e = (type: string, name: string, details: [string, string][] = []): Evidence => ({ type, key: name, name, details, verdict: null, remediationStatus: null, roles: [] });
    const w = { from: '2026-11-20T10:00', to: '2026-11-20T12:00' };
    expect(pivotsFor('user', e('user', 'jdoe'), w)).toEqual([]);
    expect(pivotsFor('mailbox', e('mailbox', 'J. Doe'), w)).toEqual([]);
    expect(pivotsFor('analyzedMessage', e('analyzedMessage', '<id@mail>', [['Message id', '<id@mail>']]), w)).toEqual([]);
    expect(pivotsFor('analyzedMessage', e('analyzedMessage', 'Invoice', [['Message id', '<id@mail>']]), w).map((p) => p.name)).toEqual(['Recipients of an email']);
  });
});
