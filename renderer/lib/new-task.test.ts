import { describe, expect, it } from 'vitest';
import { checklistLines, dueToIso, EMPTY_NEW_TASK, newTaskInput } from './new-task.js';

const SITE = '00000000-0000-4000-8000-000000000001';
const TECH = '00000000-0000-4000-8000-000000000002';

describe('newTaskInput', () => {
  it('turns the form into one tasks:create input, blanks as nulls', () => {
    const check = newTaskInput(SITE, {
      ...EMPTY_NEW_TASK,
      title: '  Replace panel battery ',
      priority: 'high',
      assigneeId: TECH,
      checklist: 'Isolate panel\n\n  Swap battery  \r\nTest siren\n',
    });
    expect(check).toEqual({
      ok: true,
      input: {
        propertyId: SITE,
        title: 'Replace panel battery',
        description: null,
        priority: 'high',
        dueAt: null,
        assigneeId: TECH,
        checklist: ['Isolate panel', 'Swap battery', 'Test siren'],
      },
    });
  });

  it('says what to fix first, naming the field', () => {
    expect(newTaskInput(SITE, EMPTY_NEW_TASK)).toMatchObject({ ok: false, field: 'title' });
    expect(newTaskInput(SITE, { ...EMPTY_NEW_TASK, title: 'x', due: 'soon' })).toMatchObject({
      ok: false,
      field: 'due',
    });
    const many = Array.from({ length: 101 }, (_, i) => `item ${i}`).join('\n');
    expect(newTaskInput(SITE, { ...EMPTY_NEW_TASK, title: 'x', checklist: many })).toMatchObject({
      ok: false,
      field: 'checklist',
    });
    expect(newTaskInput(SITE, { ...EMPTY_NEW_TASK, title: 'x', checklist: `ok\n${'y'.repeat(301)}` })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/line 2/),
    });
  });
});

describe('dueToIso and checklistLines', () => {
  it('reads a datetime-local value as local time', () => {
    expect(dueToIso('')).toBeNull();
    expect(dueToIso('2026-03-12T09:30')).toBe(new Date(2026, 2, 12, 9, 30).toISOString());
    expect(dueToIso('2026-13-45T99:99')).toBeUndefined();
    expect(dueToIso('tomorrow')).toBeUndefined();
  });

  it('keeps non-blank lines, trimmed', () => {
    expect(checklistLines(' a \n\n b\r\n')).toEqual(['a', 'b']);
    expect(checklistLines('')).toEqual([]);
  });
});
