import { csvCell, csvHeader, csvRow } from '../../src/incidents/csv';
import { queueRowOf } from '../../src/incidents/view';
import { incident } from '../helpers/incidents';

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

  it('writes a byte order mark, a header, one line per incident with display labels, CRLF line ends', () => {
    const csv = csvHeader() + csvRow(queueRowOf(incident(1, '2026-11-01T00:00:00Z', { displayName: '=cmd', status: 'inProgress', severity: 'unknown', classification: 'falsePositive', determination: 'notMalicious' })), 'tid');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]?.startsWith('"Incident ID","Name"')).toBe(true);
    expect(lines[1]?.startsWith(`"1","'=cmd","Unspecified","In progress","","","False positive","Not malicious"`)).toBe(true);
    expect(lines[2]).toBe('');
  });
});
