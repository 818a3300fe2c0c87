import { buildChange, canManage, changesSince, ManageInputError, parseManageForm, snapshotOf } from '../../src/incidents/manage';
import { incident as make } from '../helpers/incidents';

const base = '2026-11-20T10:11:12.1234567Z';
const incident = make(7, base, { assignedTo: 'sam@contoso.example', customTags: ['VIP'] });
const me = 'riley@contoso.example';

describe('manage form rules', () => {
  it('resolves "me" to the analyst and sends only the assignee', () => {
    expect(buildChange(parseManageForm({ action: 'assign', base, assign: 'me', assignTo: '' }, me), incident)).toEqual({ assignedTo: me });
  });

  it('unassigns with an empty assignee', () => {
    expect(buildChange(parseManageForm({ action: 'assign', base, assign: 'none', assignTo: 'x@y.example' }, me), incident)).toEqual({ assignedTo: '' });
  });

  it('sends nothing for values the incident already has', () => {
    expect(buildChange(parseManageForm({ action: 'tags', base, tags: 'VIP' }, me), incident)).toEqual({});
    expect(buildChange(parseManageForm({ action: 'status', base, status: 'active' }, me), incident)).toEqual({});
  });

  it('requires classification and a note to resolve, and sends status and classification (the note goes as a comment)', () => {
    expect(() => parseManageForm({ action: 'status', base, status: 'resolved', comment: 'done' }, me)).toThrow(expect.objectContaining({ field: 'classification' }));
    expect(() => parseManageForm({ action: 'status', base, status: 'resolved', verdict: 'falsePositive:notMalicious' }, me)).toThrow(expect.objectContaining({ field: 'comment' }));
    const req = parseManageForm({ action: 'status', base, status: 'Resolved', verdict: 'falsePositive:notMalicious', comment: 'benign' }, me);
    expect(buildChange(req, incident)).toEqual({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious' });
    expect(req.comment).toBe('benign');
  });

  it('never writes back a status it does not know, and asks for a choice instead of preselecting one', () => {
    const awaiting = make(8, base, { status: 'awaitingAction' });
    // Only a classification was sent: the unknown status stays as it is.
    expect(buildChange(parseManageForm({ action: 'classify', base, verdict: 'truePositive:malware' }, me), awaiting)).toEqual({ classification: 'truePositive', determination: 'malware' });
    expect(() => parseManageForm({ action: 'status', base, status: '' }, me)).toThrow(expect.objectContaining({ field: 'status', message: 'Choose a status' }));
  });

  it('offers no management of a merged incident', () => {
    expect(canManage(make(9, base, { status: 'redirected', redirectIncidentId: '7' }))).toBe(false);
    expect(canManage(incident)).toBe(true);
  });

  it('clears a classification when "Not set" is chosen', () => {
    const classified = make(10, base, { classification: 'truePositive', determination: 'malware' });
    expect(buildChange(parseManageForm({ action: 'classify', base, verdict: '' }, me), classified)).toEqual({ classification: 'unknown', determination: 'unknown' });
    expect(buildChange(parseManageForm({ action: 'classify', base, verdict: '' }, me), incident)).toEqual({});
  });

  it.each([
    [{ action: 'classify', base, verdict: 'falsePositive:malware' }, 'determination'],
    [{ action: 'classify', base, verdict: 'maybe:' }, 'classification'],
    [{ action: 'status', base, status: 'redirected' }, 'status'],
    [{ action: 'status', base, status: 'awaitingAction' }, 'status'],
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
    const now = { ...incident, status: 'inProgress', assignedTo: 'quinn@contoso.example', customTags: ['VIP', 'Escalated'] };
    expect(changesSince(seen, now)).toEqual([
      { field: 'assignedTo', from: 'sam@contoso.example', to: 'quinn@contoso.example' },
      { field: 'status', from: 'active', to: 'inProgress' },
      { field: 'tags', from: 'VIP', to: 'VIP, Escalated' },
    ]);
  });
});
