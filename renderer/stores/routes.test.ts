import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, type Route } from './routes.js';

const TASK = '0b6f2d4e-5a1c-4c3e-9f7a-1d2e3f4a5b6c';

describe('routes', () => {
  it('round-trips every screen through the hash', () => {
    const routes: Route[] = [{ screen: 'my-work' }, { screen: 'task', id: TASK }, { screen: 'sync' }];
    for (const r of routes) expect(parseHash(formatHash(r))).toEqual(r);
  });

  it('lands unknown, empty and malformed hashes on My work', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/task', '#/task/not-a-uuid', `#/task/${TASK}/x`, '#/sync/x'])
      expect(parseHash(hash), hash).toEqual({ screen: 'my-work' });
  });
});
