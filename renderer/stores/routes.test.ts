import { describe, expect, it } from 'vitest';
import { APP_SCREENS } from '../../shared/api/contract.js';
import { formatHash, parseHash, routeForAppScreen, type Route } from './routes.js';

const TASK = '0b6f2d4e-5a1c-4c3e-9f7a-1d2e3f4a5b6c';
const SITE = '5f0c1a2b-3d4e-4f50-8a6b-7c8d9e0f1a2b';

describe('routes', () => {
  it('round-trips every screen through the hash', () => {
    const routes: Route[] = [
      { screen: 'my-work' },
      { screen: 'task', id: TASK },
      { screen: 'properties' },
      { screen: 'property', id: SITE },
      { screen: 'devices' },
      { screen: 'sync' },
      { screen: 'settings' },
    ];
    for (const r of routes) expect(parseHash(formatHash(r))).toEqual(r);
  });

  it('spells the new screens as the issue names them', () => {
    expect(formatHash({ screen: 'properties' })).toBe('#/properties');
    expect(formatHash({ screen: 'property', id: SITE })).toBe(`#/property/${SITE}`);
    expect(formatHash({ screen: 'devices' })).toBe('#/devices');
    expect(parseHash(`#property/${SITE.toUpperCase()}`)).toEqual({ screen: 'property', id: SITE.toUpperCase() });
  });

  it('lands unknown, empty and malformed hashes on My work', () => {
    for (const hash of [
      '',
      '#',
      '#/',
      '#/nowhere',
      '#/task',
      '#/task/not-a-uuid',
      `#/task/${TASK}/x`,
      '#/sync/x',
      '#/property',
      '#/property/42',
      `#/property/${SITE}/devices`,
      `#/properties/${SITE}`,
      '#/devices/x',
      '#/settings/theme',
      '#/%E0%A4%A',
    ])
      expect(parseHash(hash), hash).toEqual({ screen: 'my-work' });
  });

  it("maps every screen main may ask for (the menu's app:navigate) onto a route", () => {
    expect(APP_SCREENS.map(routeForAppScreen)).toEqual([
      { screen: 'my-work' },
      { screen: 'properties' },
      { screen: 'devices' },
      { screen: 'sync' },
      { screen: 'settings' },
    ]);
  });
});
