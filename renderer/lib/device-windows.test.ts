import { describe, expect, it } from 'vitest';
import type { DeviceFilter } from '../../shared/api/contract.js';
import type { Device } from '../../shared/api/views.js';
import { createDeviceWindows, type DevicePage } from './device-windows.js';

type Call = {
  query: DeviceFilter;
  offset: number;
  limit: number;
  answer: (p: DevicePage) => void;
  fail: (e: unknown) => void;
};

/** A fetcher whose answers the test hands out, in any order. */
function fakeFetcher() {
  const calls: Call[] = [];
  const fetch = (query: DeviceFilter, offset: number, limit: number) =>
    new Promise<DevicePage>((answer, fail) => calls.push({ query, offset, limit, answer, fail }));
  return { calls, fetch };
}

const device = (serial: string) => ({ id: serial, serialNumber: serial }) as unknown as Device;
const rows = (prefix: string, offset: number, n: number) =>
  Array.from({ length: n }, (_, i) => device(`${prefix}${offset + i}`));
const flush = () => new Promise((r) => setTimeout(r, 0));
const SORT = { sort: { column: 'serialNumber', direction: 'asc' } } as const;

describe('createDeviceWindows', () => {
  it('fetches the first page of a new query, then the rest of the view once the total is known', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery(SORT, 'all');
    w.setRange(0, 25);
    expect(f.calls.map((c) => c.offset)).toEqual([0]);
    expect(w.getSnapshot()).toMatchObject({ key: 'all', total: null, settled: false });
    f.calls[0]!.answer({ total: 1000, rows: rows('D', 0, 10) });
    await flush();
    expect(f.calls.map((c) => c.offset)).toEqual([0, 10, 20]);
    expect(w.rowAt(3)?.serialNumber).toBe('D3');
    expect(w.rowAt(12)).toBeUndefined();
    expect(w.getSnapshot()).toMatchObject({ total: 1000, settled: false });
    f.calls[1]!.answer({ total: 1000, rows: rows('D', 10, 10) });
    f.calls[2]!.answer({ total: 1000, rows: rows('D', 20, 10) });
    await flush();
    expect(w.getSnapshot().settled).toBe(true);
    expect(w.rowAt(24)?.serialNumber).toBe('D24');
  });

  it('never shows an answer to a query that has been replaced (a stale search)', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery({ ...SORT, serial: 'A' }, 'serial=A');
    w.setQuery({ ...SORT, serial: 'AB' }, 'serial=AB');
    f.calls[1]!.answer({ total: 2, rows: [device('AB1'), device('AB2')] });
    f.calls[0]!.answer({ total: 50, rows: rows('A', 0, 10) });
    await flush();
    expect(w.getSnapshot()).toMatchObject({ key: 'serial=AB', total: 2, settled: true });
    expect(w.rowAt(0)?.serialNumber).toBe('AB1');
    expect(w.rowAt(2)).toBeUndefined();
  });

  it('asks for each page once while it is in flight, and only for pages in view', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery(SORT, 'all');
    f.calls[0]!.answer({ total: 1000, rows: rows('D', 0, 10) });
    await flush();
    w.setRange(500, 520);
    w.setRange(501, 521);
    w.setRange(500, 520);
    expect(f.calls.map((c) => c.offset)).toEqual([0, 500, 510, 520]);
  });

  it('on refresh keeps rows on screen, re-reads the pages in view and drops the rest', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery(SORT, 'all');
    w.setRange(0, 10);
    f.calls[0]!.answer({ total: 100, rows: rows('D', 0, 10) });
    await flush();
    w.setRange(50, 60);
    f.calls[1]!.answer({ total: 100, rows: rows('D', 50, 10) });
    await flush();
    w.refresh();
    expect(f.calls.slice(2).map((c) => c.offset)).toEqual([50]);
    expect(w.rowAt(55)?.serialNumber).toBe('D55'); // still shown while re-reading
    expect(w.rowAt(5)).toBeUndefined(); // out of view: dropped, re-read when scrolled back
    expect(w.getSnapshot().settled).toBe(false);
    f.calls[2]!.answer({ total: 101, rows: [device('NEW'), ...rows('D', 50, 9)] });
    await flush();
    expect(w.rowAt(50)?.serialNumber).toBe('NEW');
    expect(w.getSnapshot()).toMatchObject({ total: 101, settled: true });
  });

  it('lets a re-read that started later win over an older answer that lands after it', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery(SORT, 'all');
    f.calls[0]!.answer({ total: 5, rows: rows('OLD', 0, 5) });
    await flush();
    w.refresh(); // epoch 1
    w.refresh(); // epoch 2
    expect(f.calls.length).toBe(3);
    f.calls[2]!.answer({ total: 4, rows: rows('NEW', 0, 4) });
    f.calls[1]!.answer({ total: 5, rows: rows('MID', 0, 5) });
    await flush();
    expect(w.rowAt(0)?.serialNumber).toBe('NEW0');
    expect(w.getSnapshot().total).toBe(4);
  });

  it('keeps the error of a failed window until a refresh succeeds', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10 });
    w.setQuery(SORT, 'all');
    f.calls[0]!.fail(new Error('bridge down'));
    await flush();
    expect(w.getSnapshot()).toMatchObject({ total: null, settled: false });
    expect(String(w.getSnapshot().error)).toMatch(/bridge down/);
    w.refresh();
    f.calls[1]!.answer({ total: 0, rows: [] });
    await flush();
    expect(w.getSnapshot()).toMatchObject({ total: 0, settled: true, error: null });
  });

  it('keeps at most maxPages pages, dropping the farthest from the view', async () => {
    const f = fakeFetcher();
    const w = createDeviceWindows(f.fetch, { pageSize: 10, maxPages: 2 });
    w.setQuery(SORT, 'all');
    f.calls[0]!.answer({ total: 1000, rows: rows('D', 0, 10) });
    await flush();
    w.setRange(300, 310);
    f.calls[1]!.answer({ total: 1000, rows: rows('D', 300, 10) });
    await flush();
    w.setRange(600, 610);
    f.calls[2]!.answer({ total: 1000, rows: rows('D', 600, 10) });
    await flush();
    expect(w.rowAt(0)).toBeUndefined();
    expect(w.rowAt(300)?.serialNumber).toBe('D300');
    expect(w.rowAt(600)?.serialNumber).toBe('D600');
  });
});
