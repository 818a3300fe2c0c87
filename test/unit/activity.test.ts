import { activityOf } from '../../src/web/activity';

describe('an incident\'s activity', () => {
  it('merges comments and changes newest first, in words, comments without a time last', () => {
    const items = activityOf(
      [
        { text: 'Looking into it', author: 'sam@contoso.example', createdAt: '2026-11-02T10:00:00Z' },
        { text: 'Imported note', author: null, createdAt: null },
      ],
      [
        { incidentId: '7', field: 'created', oldValue: null, newValue: null, observedAt: '2026-11-01T09:00:00Z', changedBy: null },
        { incidentId: '7', field: 'status', oldValue: 'active', newValue: 'inProgress', observedAt: '2026-11-02T11:00:00Z', changedBy: 'sam@contoso.example' },
        { incidentId: '7', field: 'assignedTo', oldValue: '', newValue: 'sam@contoso.example', observedAt: '2026-11-02T11:00:00Z', changedBy: 'sam@contoso.example' },
        { incidentId: '7', field: 'redirectIncidentId', oldValue: null, newValue: '9', observedAt: '2026-11-03T08:00:00Z', changedBy: null },
      ],
    );
    expect(items).toEqual([
      { kind: 'change', when: '2026-11-03T08:00:00Z', by: null, field: 'Merged into', from: 'none', to: '9' },
      // Seen at the same instant: the later-recorded first.
      { kind: 'change', when: '2026-11-02T11:00:00Z', by: 'sam@contoso.example', field: 'Assigned to', from: 'Unassigned', to: 'sam@contoso.example' },
      { kind: 'change', when: '2026-11-02T11:00:00Z', by: 'sam@contoso.example', field: 'Status', from: 'Active', to: 'In progress' },
      { kind: 'comment', when: '2026-11-02T10:00:00Z', by: 'sam@contoso.example', text: 'Looking into it' },
      { kind: 'change', when: '2026-11-01T09:00:00Z', by: null, field: 'First seen', from: '', to: '' },
      { kind: 'comment', when: null, by: null, text: 'Imported note' },
    ]);
  });
});
