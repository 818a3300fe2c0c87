import { csvCell, csvOf } from '../../src/web/csv';

describe('CSV cells', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['say "hi", ok', '"say ""hi"", ok"'],
    ['multi\nline', '"multi\nline"'],
    [undefined, '""'],
    [42, '"42"'],
  ])('writes %j as %s', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('writes a header, one row per incident, CRLF line ends, and a note when partial', () => {
    const csv = csvOf([{ incidentId: 1, createdTime: 't', lastUpdateTime: 't', status: 'Active', incidentName: '=cmd' }], 'tid', 300);
    const lines = csv.split('\r\n');
    expect(lines[0].startsWith('"Incident ID","Name"')).toBe(true);
    expect(lines[1].startsWith(`"1","'=cmd"`)).toBe(true);
    expect(lines[2]).toBe('"Partial export: stopped after examining 300 incidents; narrow the filter for the rest."');
  });
});
