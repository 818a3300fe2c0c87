import { buildChange } from '../../src/incidents/manage';
import { describeAction, parseBulkForm, requestFor } from '../../src/jobs/bulkAction';
import { incident as make } from '../helpers/incidents';

const me = 'riley@contoso.example';
const incident = make(7, '2026-11-20T10:11:12.1234567Z', { assignedTo: 'sam@contoso.example', customTags: ['VIP', 'Phish'] });
const parse = (body: Record<string, string>, requires: ('classification' | 'determination' | 'comment')[] = []) => parseBulkForm(body, me, requires);
const changeFor = (body: Record<string, string>) => buildChange(requestFor(parse(body), incident), incident);

describe('the bulk form', () => {
  it('leaves every field it does not name as each incident has it', () => {
    expect(changeFor({ assign: 'keep', status: 'inProgress' })).toEqual({ status: 'inProgress' });
  });

  it('assigns to me, to an address, or to nobody', () => {
    expect(changeFor({ assign: 'me' })).toEqual({ assignedTo: me });
    expect(changeFor({ assign: 'other', assignTo: ' kim@contoso.example ' })).toEqual({ assignedTo: 'kim@contoso.example' });
    expect(changeFor({ assign: 'unassign' })).toEqual({ assignedTo: '' });
    expect(() => parse({ assign: 'other', assignTo: 'kim' })).toThrow(expect.objectContaining({ field: 'assignTo', message: '“kim” is not an email address' }));
    expect(() => parse({ assign: 'other', assignTo: '' })).toThrow(expect.objectContaining({ field: 'assignTo' }));
  });

  it('adds and removes tags on each incident’s own list, whatever their case, never replacing it', () => {
    expect(changeFor({ addTags: 'Escalated, vip', removeTags: 'phish' })).toEqual({ customTags: ['VIP', 'Escalated'] });
    // Adding what is there already changes nothing.
    expect(changeFor({ addTags: 'VIP' })).toEqual({});
  });

  it('classifies with a determination that belongs to the classification', () => {
    expect(changeFor({ verdict: 'falsePositive:notMalicious' })).toEqual({ classification: 'falsePositive', determination: 'notMalicious' });
    expect(() => parse({ verdict: 'falsePositive:malware' })).toThrow(expect.objectContaining({ field: 'verdict' }));
    expect(() => parse({ verdict: 'made-up:' })).toThrow(expect.objectContaining({ field: 'verdict' }));
  });

  it('refuses a form that changes nothing, a status that cannot be set, and resolving without the note the policy asks', () => {
    expect(() => parse({ assign: 'keep', comment: '   ' })).toThrow(expect.objectContaining({ field: 'assign', message: 'Choose at least one change to make' }));
    expect(() => parse({ status: 'redirected' })).toThrow(expect.objectContaining({ field: 'status' }));
    expect(() => parse({ status: 'resolved' }, ['comment'])).toThrow(expect.objectContaining({ field: 'comment' }));
    expect(parse({ status: 'resolved', comment: 'Test data' }, ['comment']).comment).toBe('Test data');
  });

  it('leaves the per-incident resolve rules to each incident (one already classified passes, one not is refused)', () => {
    const action = parse({ status: 'resolved', comment: 'Closed' });
    expect(() => buildChange(requestFor(action, incident), incident, ['classification'])).toThrow(expect.objectContaining({ message: 'Choose a classification to resolve this incident' }));
    const classified = { ...incident, classification: 'falsePositive', determination: 'other' };
    expect(buildChange(requestFor(action, classified), classified, ['classification'])).toEqual({ status: 'resolved' });
  });

  it('says what it will do in words', () => {
    expect(describeAction(parse({ assign: 'me', status: 'resolved', verdict: 'truePositive:malware', addTags: 'a, b', removeTags: 'c', comment: 'x' }), me)).toBe(
      'Assign to me; set status to Resolved; classify as True positive — Malware; add tags: a, b; remove tags: c; add a comment.',
    );
    expect(describeAction(parse({ assign: 'unassign' }), me)).toBe('Unassign.');
  });
});
