import { buildChange, canManage, changesSince, ManageInputError, parseManageForm, savedText, snapshotOf, verdictOf } from '../../src/incidents/manage';
import { incident as make } from '../helpers/incidents';

const base = '2026-11-20T10:11:12.1234567Z';
const incident = make(7, base, { assignedTo: 'sam@contoso.example', customTags: ['VIP'] });
const me = 'riley@contoso.example';
/** The form as the page renders it: every field with the incident's current value. */
const form = (over: Record<string, string> = {}) => ({ base, assignTo: 'sam@contoso.example', status: 'active', verdict: '', tags: 'VIP', comment: '', ...over });
const POLICY = ['classification', 'comment'] as const;

describe('the manage form', () => {
  it('sends nothing for a form saved as rendered', () => {
    expect(buildChange(parseManageForm(form(), me), incident)).toEqual({});
    expect(parseManageForm(form(), me).comment).toBeUndefined();
  });

  it('sends only the fields that differ, in one change', () => {
    expect(buildChange(parseManageForm(form({ status: 'inProgress', tags: 'VIP, Escalated' }), me), incident)).toEqual({ status: 'inProgress', customTags: ['VIP', 'Escalated'] });
  });

  it('"Assign to me" stands for the analyst, whatever the box holds; an empty box unassigns', () => {
    expect(buildChange(parseManageForm(form({ assign: 'me', assignTo: 'someone@else.example' }), me), incident)).toEqual({ assignedTo: me });
    expect(buildChange(parseManageForm(form({ assignTo: '  ' }), me), incident)).toEqual({ assignedTo: '' });
  });

  it('refuses a new assignee that is not an address, never the one the incident has', () => {
    expect(() => buildChange(parseManageForm(form({ assignTo: 'not an address' }), me), incident)).toThrow(expect.objectContaining({ field: 'assignTo' }));
    const byName = { ...incident, assignedTo: 'Automated investigation' };
    expect(buildChange(parseManageForm(form({ assignTo: 'Automated investigation', status: 'inProgress' }), me), byName)).toEqual({ status: 'inProgress' });
  });

  it('keeps a classification or determination the list does not offer when the form is saved as shown', () => {
    const future = { ...incident, classification: 'somethingNew', determination: 'unknownToUs' };
    expect(verdictOf(future)).toBe('');
    expect(buildChange(parseManageForm(form({ verdict: verdictOf(future) }), me), future)).toEqual({});
    const odd = { ...incident, classification: 'truePositive', determination: 'unknownToUs' };
    expect(buildChange(parseManageForm(form({ verdict: verdictOf(odd) }), me), odd)).toEqual({});
  });

  it('leaves a field the form did not send as it is', () => {
    expect(parseManageForm({ base, comment: 'only a comment' }, me)).toEqual({ base, desired: {}, comment: 'only a comment' });
  });

  it('asks what the tenant requires to resolve, from the values the incident will have', () => {
    const resolve = (over: Record<string, string>, current = incident) => buildChange(parseManageForm(form({ status: 'resolved', ...over }), me), current, POLICY);
    expect(() => resolve({ comment: 'done' })).toThrow(expect.objectContaining({ field: 'verdict' }));
    expect(() => resolve({ verdict: 'falsePositive:notMalicious' })).toThrow(expect.objectContaining({ field: 'comment' }));
    expect(resolve({ verdict: 'falsePositive:notMalicious', comment: 'benign' })).toEqual({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious' });
    // Classified before: only the note is asked for.
    const classified = { ...incident, classification: 'truePositive', determination: 'malware' };
    expect(resolve({ verdict: 'truePositive:malware', comment: 'contained' }, classified)).toEqual({ status: 'resolved' });
    // A determination only when the policy says so.
    expect(resolve({ verdict: 'truePositive:', comment: 'x' })).toEqual({ status: 'resolved', classification: 'truePositive' });
    expect(() => buildChange(parseManageForm(form({ status: 'resolved', verdict: 'truePositive:', comment: 'x' }), me), incident, ['determination'])).toThrow(expect.objectContaining({ field: 'verdict' }));
    // Nothing is asked with no policy, nor of an incident already resolved.
    expect(buildChange(parseManageForm(form({ status: 'resolved' }), me), incident, [])).toEqual({ status: 'resolved' });
    expect(buildChange(parseManageForm(form({ status: 'resolved', tags: 'VIP, Done' }), me), { ...incident, status: 'resolved' }, POLICY)).toEqual({ customTags: ['VIP', 'Done'] });
  });

  it('never writes back a status it does not know: an empty choice keeps it', () => {
    const awaiting = { ...incident, status: 'awaitingAction' };
    expect(buildChange(parseManageForm(form({ status: '', verdict: 'truePositive:malware' }), me), awaiting)).toEqual({ classification: 'truePositive', determination: 'malware' });
  });

  it('offers no management of a merged incident', () => {
    expect(canManage(make(9, base, { status: 'redirected', redirectIncidentId: '7' }))).toBe(false);
    expect(canManage(incident)).toBe(true);
  });

  it('clears a classification when "Not set" is chosen', () => {
    const classified = { ...incident, classification: 'truePositive', determination: 'malware' };
    expect(buildChange(parseManageForm(form({ verdict: '' }), me), classified)).toEqual({ classification: 'unknown', determination: 'unknown' });
  });

  it.each([
    [{ verdict: 'falsePositive:malware' }, 'verdict'],
    [{ verdict: 'maybe:' }, 'verdict'],
    [{ status: 'redirected' }, 'status'],
    [{ status: 'awaitingAction' }, 'status'],
    [{ comment: 'x'.repeat(30_001) }, 'comment'],
    [{ tags: 'x'.repeat(101) }, 'tags'],
    [{ base: '' }, 'base'],
  ])('refuses %j naming %s', (over, field) => {
    expect(() => parseManageForm(form(over), me)).toThrow(ManageInputError);
    expect(() => parseManageForm(form(over), me)).toThrow(expect.objectContaining({ field }));
  });

  it('accepts a comment of exactly 30,000 characters, with CRLF counted as one', () => {
    const text = `${'y'.repeat(29_998)}\r\nz`;
    expect(parseManageForm(form({ comment: text }), me).comment).toHaveLength(30_000);
  });

  it('says what was saved in words', () => {
    expect(savedText({ assignedTo: 'sam@contoso.example', status: 'inProgress' }, false)).toBe('Assigned to sam@contoso.example; status set to In progress.');
    expect(savedText({ classification: 'truePositive', determination: 'notEnoughDataToValidate', customTags: [] }, true)).toBe('Classified as True positive — Not enough data to validate; tags removed; comment added.');
    expect(savedText({ assignedTo: '', classification: 'unknown', determination: 'unknown' }, false)).toBe('Unassigned; classification cleared.');
    expect(savedText({}, true)).toBe('Comment added.');
  });

  it('describes what another analyst changed', () => {
    const seen = snapshotOf(incident);
    const now = { ...incident, status: 'inProgress', assignedTo: 'quinn@contoso.example', customTags: ['VIP', 'Escalated'] };
    expect(changesSince(seen, now)).toEqual([
      { field: 'Assigned to', from: 'sam@contoso.example', to: 'quinn@contoso.example' },
      { field: 'Status', from: 'Active', to: 'In progress' },
      { field: 'Tags', from: 'VIP', to: 'VIP, Escalated' },
    ]);
  });
});
