import { buildPatch, changesSince, ManageInputError, parseManageForm, snapshotOf } from '../../src/defender/manage';
import type { Incident } from '../../src/defender/types';

const base = '2026-11-20T10:11:12.1234567Z';
const incident: Incident = {
  incidentId: 7,
  createdTime: base,
  lastUpdateTime: base,
  status: 'Active',
  assignedTo: 'sam@contoso.example',
  classification: 'Unknown',
  determination: 'NotAvailable',
  tags: ['VIP'],
};
const me = 'riley@contoso.example';

describe('manage form rules', () => {
  it('resolves "me" to the analyst and sends only the assignee', () => {
    const req = parseManageForm({ action: 'assign', base, assign: 'me', assignTo: '' }, me);
    expect(buildPatch(req, incident)).toEqual({ assignedTo: me });
  });

  it('unassigns with null', () => {
    expect(buildPatch(parseManageForm({ action: 'assign', base, assign: 'none', assignTo: 'x@y.example' }, me), incident)).toEqual({ assignedTo: null });
  });

  it('sends nothing for values the incident already has', () => {
    expect(buildPatch(parseManageForm({ action: 'tags', base, tags: 'VIP' }, me), incident)).toEqual({});
    expect(buildPatch(parseManageForm({ action: 'status', base, status: 'Active' }, me), incident)).toEqual({});
  });

  it('requires classification and a note to resolve, and sends all three', () => {
    expect(() => parseManageForm({ action: 'status', base, status: 'Resolved', comment: 'done' }, me)).toThrow(expect.objectContaining({ field: 'classification' }));
    expect(() => parseManageForm({ action: 'status', base, status: 'Resolved', verdict: 'FalsePositive:Clean' }, me)).toThrow(expect.objectContaining({ field: 'comment' }));
    const req = parseManageForm({ action: 'status', base, status: 'Resolved', verdict: 'FalsePositive:Clean', comment: 'benign' }, me);
    expect(buildPatch(req, incident)).toEqual({ status: 'Resolved', classification: 'FalsePositive', determination: 'Clean', comment: 'benign' });
  });

  it.each([
    [{ action: 'classify', base, verdict: 'FalsePositive:Malware' }, 'determination'],
    [{ action: 'classify', base, verdict: 'Maybe:' }, 'classification'],
    [{ action: 'status', base, status: 'Redirected' }, 'status'],
    [{ action: 'assign', base, assignTo: 'not an address' }, 'assignTo'],
    [{ action: 'comment', base, comment: '   ' }, 'comment'],
    [{ action: 'comment', base, comment: 'x'.repeat(30_001) }, 'comment'],
    [{ action: 'tags', base, tags: 'x'.repeat(101) }, 'tags'],
    [{ action: 'delete', base }, 'action'],
    [{ action: 'comment', comment: 'hi' }, 'base'],
  ])('refuses %j naming %s', (body, field) => {
    expect(() => parseManageForm(body, me)).toThrow(ManageInputError);
    expect(() => parseManageForm(body, me)).toThrow(expect.objectContaining({ field }));
  });

  it('accepts a comment of exactly 30,000 characters, with CRLF counted as one', () => {
    const text = `${'y'.repeat(29_998)}\r\nz`;
    expect(parseManageForm({ action: 'comment', base, comment: text }, me).comment).toHaveLength(30_000);
  });

  it('describes what another analyst changed', () => {
    const seen = snapshotOf(incident);
    const now = { ...incident, status: 'InProgress', assignedTo: 'quinn@contoso.example', tags: ['VIP', 'Escalated'] };
    expect(changesSince(seen, now)).toEqual([
      { field: 'assignedTo', from: 'sam@contoso.example', to: 'quinn@contoso.example' },
      { field: 'status', from: 'Active', to: 'InProgress' },
      { field: 'tags', from: 'VIP', to: 'VIP, Escalated' },
    ]);
  });
});
