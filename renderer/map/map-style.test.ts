import { describe, expect, it } from 'vitest';
import { buildMapStyle, INTERACTIVE_LAYERS, LAYERS, MAP_PALETTES, SOURCES, themePaint } from './map-style.js';

/** Every URL-shaped string anywhere in the style. */
function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urlsIn);
  return [];
}

describe('buildMapStyle', () => {
  it('needs no network: no glyphs, no sprite, no URL anywhere without a basemap', () => {
    for (const theme of ['light', 'dark'] as const) {
      const style = buildMapStyle({ theme });
      expect(style).not.toHaveProperty('glyphs');
      expect(style).not.toHaveProperty('sprite');
      expect(urlsIn(style)).toEqual([]);
      expect(Object.keys(style.sources)).toEqual([SOURCES.properties, SOURCES.selected]);
    }
  });

  it('clusters the properties and draws markers with circle layers, the selection on top', () => {
    const style = buildMapStyle({ theme: 'light' });
    expect(style.sources[SOURCES.properties]).toMatchObject({ type: 'geojson', cluster: true });
    expect(style.layers.map((l) => [l.id, l.type])).toEqual([
      [LAYERS.background, 'background'],
      [LAYERS.clusters, 'circle'],
      [LAYERS.clusterCounts, 'symbol'],
      [LAYERS.points, 'circle'],
      [LAYERS.selected, 'circle'],
    ]);
    expect(INTERACTIVE_LAYERS.every((id) => style.layers.some((l) => l.id === id))).toBe(true);
  });

  it('puts a configured basemap beneath the markers, and only then', () => {
    const style = buildMapStyle({
      theme: 'dark',
      basemap: { tiles: ['https://tiles.example.com/{z}/{x}/{y}.png'], attribution: '© Example' },
    });
    expect(style.sources[SOURCES.basemap]).toMatchObject({ type: 'raster', tileSize: 256, attribution: '© Example' });
    expect(style.layers.map((l) => l.id).slice(0, 3)).toEqual([LAYERS.background, LAYERS.basemap, LAYERS.clusters]);
    expect(urlsIn(style)).toEqual(['https://tiles.example.com/{z}/{x}/{y}.png']);
  });
});

describe('themePaint', () => {
  it('names only layers the style has, with the theme colours', () => {
    const ids = new Set(buildMapStyle({ theme: 'dark' }).layers.map((l) => l.id));
    const paint = themePaint(MAP_PALETTES.dark);
    expect(paint.every((p) => ids.has(p.layer))).toBe(true);
    expect(paint).toContainEqual({ layer: LAYERS.background, property: 'background-color', value: '#0d1117' });
  });
});
