import { runQuery, type Row, type Table } from '../src/hunting/engine';
import { KqlError } from '../src/hunting/kql';

/** The emulator's KQL subset, operator by operator, over a table small enough to read. */

const NOW = Date.parse('2026-06-01T12:00:00Z');
const H = 3_600_000;
const tables: Record<string, Table> = {
  Events: {
    columns: [
      { name: 'Timestamp', type: 'datetime' },
      { name: 'DeviceId', type: 'string' },
      { name: 'DeviceName', type: 'string' },
      { name: 'FileName', type: 'string' },
      { name: 'ProcessId', type: 'long' },
    ],
    rows: [
      { Timestamp: NOW - 1 * H, DeviceId: 'd1', DeviceName: 'fin-ws-042.contoso.com', FileName: 'PowerShell.exe', ProcessId: 10 },
      { Timestamp: NOW - 2 * H, DeviceId: 'd2', DeviceName: 'srv-db-01.contoso.com', FileName: 'cmd.exe', ProcessId: 20 },
      { Timestamp: NOW - 26 * H, DeviceId: 'd1', DeviceName: 'fin-ws-042.contoso.com', FileName: 'cmd.exe', ProcessId: 30 },
      { Timestamp: NOW - 50 * H, DeviceId: 'd3', DeviceName: 'lab-ws-7.contoso.com', FileName: 'mimikatz.exe', ProcessId: 40 },
    ],
  },
  Devices: {
    columns: [
      { name: 'DeviceId', type: 'string' },
      { name: 'DeviceName', type: 'string' },
      { name: 'Group', type: 'string' },
    ],
    rows: [
      { DeviceId: 'd1', DeviceName: 'FIN-WS-042', Group: 'Finance' },
      { DeviceId: 'd2', DeviceName: 'SRV-DB-01', Group: 'Servers' },
    ],
  },
};

const run = (q: string) => runQuery(q, tables, NOW);
const ids = (q: string) => run(q).rows.map((r: Row) => r.ProcessId);
const failure = (q: string): KqlError => {
  try {
    run(q);
  } catch (err) {
    if (err instanceof KqlError) return err;
    throw err;
  }
  throw new Error(`${q} ran`);
};

describe('where', () => {
  it.each([
    ["FileName == 'cmd.exe'", [20, 30]],
    ["FileName == 'CMD.EXE'", []],
    ["FileName != 'cmd.exe'", [10, 40]],
    ["FileName =~ 'CMD.EXE'", [20, 30]],
    ["FileName !~ 'CMD.EXE'", [10, 40]],
    ["DeviceName has 'FIN'", [10, 30]],
    ["DeviceName has 'fin-ws'", [10, 30]],
    ["DeviceName has 'ws'", [10, 30, 40]],
    ["DeviceName has 'contos'", []],
    ["DeviceName !has 'contoso'", []],
    ["DeviceName contains 'contos'", [10, 20, 30, 40]],
    ["FileName !contains 'exe'", []],
    ["FileName startswith 'mimi'", [40]],
    ["FileName in ('cmd.exe', 'mimikatz.exe')", [20, 30, 40]],
    ["FileName !in ('cmd.exe')", [10, 40]],
    ['ProcessId < 20', [10]],
    ['ProcessId <= 20', [10, 20]],
    ['ProcessId > 30', [40]],
    ['ProcessId >= 30', [30, 40]],
    ["FileName == 'cmd.exe' and DeviceId == 'd1'", [30]],
    ["FileName == 'mimikatz.exe' or DeviceId == 'd2'", [20, 40]],
    ["not(FileName == 'cmd.exe')", [10, 40]],
    ['Timestamp > ago(1d)', [10, 20]],
    ['Timestamp between (ago(27h) .. ago(2h))', [20, 30]],
    ['ProcessId between (20 .. 30)', [20, 30]],
    ['Timestamp >= datetime(2026-05-31T10:00:00Z)', [10, 20, 30]],
  ])('where %s', (pred, expected) => {
    expect(ids(`Events | where ${pred}`)).toEqual(expected);
  });
});

describe('tabular operators', () => {
  it('project (with a rename) and project-away', () => {
    expect(run('Events | project Host = DeviceName, ProcessId | take 1')).toEqual({
      columns: [{ name: 'Host', type: 'string' }, { name: 'ProcessId', type: 'long' }],
      rows: [{ Host: 'fin-ws-042.contoso.com', ProcessId: 10 }],
    });
    expect(run('Events | project-away Timestamp, DeviceName, FileName').columns.map((c) => c.name)).toEqual(['DeviceId', 'ProcessId']);
  });

  it('extend with simple expressions', () => {
    const t = run("Events | extend Host = toupper(DeviceId), Path = strcat(DeviceId, '/', tolower(FileName)), Next = ProcessId * 2 + 1, Age = datetime(2026-06-01T12:00:00Z) - Timestamp | take 1");
    expect(t.columns.slice(-4)).toEqual([
      { name: 'Host', type: 'string' },
      { name: 'Path', type: 'string' },
      { name: 'Next', type: 'long' },
      { name: 'Age', type: 'timespan' },
    ]);
    expect(t.rows[0]).toMatchObject({ Host: 'D1', Path: 'd1/powershell.exe', Next: 21, Age: H });
  });

  it('summarize count, dcount, min, max, make_set, by columns and by bin()', () => {
    expect(run('Events | summarize count(), dcount(DeviceId), min(ProcessId), max(ProcessId), make_set(FileName)').rows).toEqual([
      { count_: 4, dcount_DeviceId: 3, min_ProcessId: 10, max_ProcessId: 40, set_FileName: ['PowerShell.exe', 'cmd.exe', 'mimikatz.exe'] },
    ]);
    expect(run('Events | summarize Runs = count() by DeviceId | order by DeviceId asc').rows).toEqual([
      { DeviceId: 'd1', Runs: 2 },
      { DeviceId: 'd2', Runs: 1 },
      { DeviceId: 'd3', Runs: 1 },
    ]);
    const daily = run('Events | summarize count() by bin(Timestamp, 1d) | order by Timestamp asc');
    expect(daily.columns).toEqual([{ name: 'Timestamp', type: 'datetime' }, { name: 'count_', type: 'long' }]);
    expect(daily.rows.map((r) => [new Date(r.Timestamp as number).toISOString().slice(0, 10), r.count_])).toEqual([
      ['2026-05-30', 1],
      ['2026-05-31', 1],
      ['2026-06-01', 2],
    ]);
    // Over nothing, without by: one row.
    expect(run("Events | where FileName == 'none' | summarize count()").rows).toEqual([{ count_: 0 }]);
  });

  it('order by and sort by (descending by default, several keys), take, limit, top, distinct', () => {
    expect(ids('Events | order by ProcessId')).toEqual([40, 30, 20, 10]);
    expect(ids('Events | sort by DeviceId asc, ProcessId desc')).toEqual([30, 10, 20, 40]);
    expect(ids('Events | order by ProcessId asc | take 2')).toEqual([10, 20]);
    expect(ids('Events | order by ProcessId asc | limit 1')).toEqual([10]);
    expect(ids('Events | top 2 by Timestamp asc')).toEqual([40, 30]);
    expect(run('Events | distinct DeviceId | order by DeviceId asc').rows).toEqual([{ DeviceId: 'd1' }, { DeviceId: 'd2' }, { DeviceId: 'd3' }]);
  });

  it('join kind=inner on one key, the right side’s clashing names suffixed', () => {
    const t = run('Events | join kind=inner (Devices | where Group == "Finance") on DeviceId | project ProcessId, DeviceName, DeviceName1, Group');
    expect(t.rows).toEqual([
      { ProcessId: 10, DeviceName: 'fin-ws-042.contoso.com', DeviceName1: 'FIN-WS-042', Group: 'Finance' },
      { ProcessId: 30, DeviceName: 'fin-ws-042.contoso.com', DeviceName1: 'FIN-WS-042', Group: 'Finance' },
    ]);
  });

  it('reads comments and line breaks as white space', () => {
    expect(ids('Events // every process\n| where ProcessId > 25 // the late ones\n| order by ProcessId asc')).toEqual([30, 40]);
  });
});

describe('what it refuses, and where', () => {
  it.each([
    ['Events | mv-expand FileName', "Unsupported operator 'mv-expand'", 'mv-expand'],
    ['Events | project-rename Host = DeviceName', "Unsupported operator 'project-rename'", 'project-rename'],
    ["Events | where FileName hasprefix 'cmd'", "Unsupported operator 'hasprefix'", 'hasprefix'],
    ['Events | where strlen(FileName) > 3', "Unsupported function 'strlen'", 'strlen(FileName)'],
    ['Events | join kind=leftouter (Devices) on DeviceId', "Unsupported join kind 'leftouter'", 'leftouter'],
    ['Events | Where ProcessId > 1', "Unsupported operator 'Where'", 'Where'],
  ])('%s', (q, message, at) => {
    const err = failure(q);
    expect([err.kind, err.message]).toEqual(['syntax', message]);
    expect(q.slice(err.span.offset, err.span.endOffset)).toBe(at);
  });

  it('a syntax error says what it expected, at its line and column', () => {
    const err = failure("Events\n| where FileName = 'cmd.exe'");
    expect(err.kind).toBe('syntax');
    expect(err.message).toMatch(/^Expected .* but "=" found\.$/);
    expect([err.span.line, err.span.column]).toEqual([2, 18]);
  });

  it('names a column or table the query’s input does not have', () => {
    const col = failure('Events | project DeviceName | where FileName == "x"');
    expect([col.kind, col.message]).toEqual(['semantic', "'where' operator: Failed to resolve scalar expression named 'FileName'"]);
    expect(failure('Alerts | take 1').message).toBe("'take' operator: Failed to resolve table or column expression named 'Alerts'");
    expect(failure('Events | where count() > 1').message).toBe("'where' operator: Aggregate function 'count' may only be used in 'summarize'");
    expect(failure('Events | where Timestamp > ago(1)').message).toBe("'where' operator: Function 'ago' expects a timespan (1d, 2h, 30m)");
  });
});
