import { describe, expect, it } from 'vitest';
import { connectionOf } from './connection.js';

describe('connectionOf', () => {
  it('reads starting as connecting, never as offline', () => {
    expect(connectionOf({ state: 'starting', online: false })).toBe('connecting');
    expect(connectionOf({ state: 'offline', online: false })).toBe('offline');
    expect(connectionOf({ state: 'error', online: false })).toBe('offline');
    expect(connectionOf({ state: 'live', online: true })).toBe('online');
    expect(connectionOf({ state: 'initial', online: true })).toBe('online');
  });
});
