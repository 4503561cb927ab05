import { describe, expect, it } from 'vitest';
import { inboxCounts } from './inbox.js';

const outbox = { queued: 0, awaitingConfirmation: 0, oldestQueuedAt: null, lastUploadError: null };

describe('inboxCounts', () => {
  it('separates decisions (conflicts, rejections) from overridden edits to acknowledge', () => {
    expect(inboxCounts({ ...outbox, conflicts: 2, rejected: 1, overridden: 3 })).toEqual({
      decide: 3,
      acknowledge: 3,
      total: 6,
    });
  });

  it('an empty inbox counts nothing', () => {
    expect(inboxCounts({ ...outbox, conflicts: 0, rejected: 0, overridden: 0 })).toEqual({
      decide: 0,
      acknowledge: 0,
      total: 0,
    });
  });
});
