import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  eraseSequence,
  formatBytes,
  formatDuration,
  ProgressDisplay,
  RateMeter,
  redrawSequence,
  renderIssueLine,
  renderPhaseLine,
  renderSummaryLine,
  renderTtyBlock,
  type ProgressStatus,
  type ProgressView,
} from './progress.js';

const st = (table: string, extra: Partial<ProgressStatus> = {}): ProgressStatus => ({
  table,
  phase: 'initial',
  rows: 0,
  bytes: 0,
  total: null,
  lastUpToDateAt: null,
  lastError: null,
  ...extra,
});

const view = (extra: Partial<ProgressView> = {}): ProgressView => ({
  tables: ['organizations', 'devices', 'tasks'],
  statuses: [],
  rates: {},
  startedAt: 1_000,
  now: 13_500,
  ...extra,
});

const ANSI = /\x1b\[/; // eslint-disable-line no-control-regex

describe('formatting', () => {
  it('formats bytes in decimal units and durations', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234)).toBe('1.23 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(2.5e9)).toBe('2.50 GB');
    expect(formatDuration(12_500)).toBe('12s');
    expect(formatDuration(184_000)).toBe('3m 04s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});

describe('RateMeter', () => {
  it('measures rows per second over its window, from the first sample, and decays when rows stop', () => {
    const m = new RateMeter(5_000);
    m.record('t', 1_000, 0); // rows already in the replica do not count
    expect(m.rate('t', 100)).toBe(0); // too short a span to say
    m.record('t', 3_000, 1_000);
    expect(m.rate('t', 1_000)).toBe(2_000);
    m.record('t', 11_000, 5_000);
    expect(m.rate('t', 5_000)).toBe(2_000);
    // 10 s later nothing new arrived: the window holds no growth.
    expect(m.rate('t', 15_000)).toBe(0);
    // Partly inside the window: 8 000 rows since the window started at 2 s, over 5 s.
    expect(m.rate('t', 7_000)).toBe(((11_000 - 3_000) * 1000) / 5_000);
    expect(m.rate('unknown', 7_000)).toBe(0);
  });

  it("averages over the whole run, from each table's first sample", () => {
    const m = new RateMeter(1_000);
    m.record('t', 100, 0);
    m.record('t', 1_100, 1_000);
    m.record('t', 2_100, 9_000);
    expect(m.average('t', 10_000)).toBe(200);
    expect(m.averages(['t', 'u'], 10_000)).toEqual({ t: 200, u: 0 });
  });

  it('never reports a negative rate (a refetch or deletes shrink a table)', () => {
    const m = new RateMeter();
    m.record('t', 500, 0);
    m.record('t', 100, 1_000);
    expect(m.rate('t', 1_000)).toBe(0);
  });
});

describe('renderTtyBlock', () => {
  it('one line per table of the run, in order, then the summary', () => {
    const lines = renderTtyBlock(
      view({
        statuses: [
          st('tasks', { phase: 'initial', rows: 1_200, bytes: 345_678 }),
          st('organizations', { phase: 'live', rows: 1, bytes: 900 }),
        ],
        rates: { tasks: 600.4, organizations: 0 },
      }),
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {2}organizations +live +1 rows +0 rows\/s +900 B$/);
    expect(lines[1]).toMatch(/^ {2}devices +waiting$/);
    expect(lines[2]).toMatch(/^ {2}tasks +initial +1200 rows +600 rows\/s +346 kB$/);
    expect(lines[3]).toBe('tables live 1/3 · 1201 rows · 600 rows/s · 347 kB · 12s');
    for (const l of lines) expect(l).not.toMatch(ANSI);
  });

  it('draws a bar only when a total is known and the table is not live yet; shows the problem of an offline table', () => {
    const [withTotal, withoutTotal, offline, live, absent] = renderTtyBlock(
      view({
        tables: ['devices', 'tasks', 'files', 'accounts', 'contacts'],
        statuses: [
          st('devices', { rows: 250, total: 1_000 }),
          st('tasks', { rows: 250 }),
          st('files', { phase: 'offline', lastError: { code: 'network', message: 'fetch failed' } }),
          st('accounts', { phase: 'live', rows: 1_010, total: 1_000 }),
          { ...st('contacts', { rows: 3 }), total: undefined }, // an engine that does not report totals
        ],
      }),
    );
    expect(withTotal).toMatch(/\[#####---------------\] {2}25%$/);
    for (const line of [withoutTotal, live, absent]) expect(line).not.toMatch(/\[|%/);
    expect(offline).toMatch(/offline .* fetch failed$/);
  });

  it('cuts lines to the terminal width so a redraw never wraps', () => {
    const lines = renderTtyBlock(view({ statuses: [st('devices', { rows: 5 })], width: 30 }));
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(29);
  });
});

describe('plain lines', () => {
  it('a phase change, a summary and an issue', () => {
    expect(renderPhaseLine(st('devices', { phase: 'live', rows: 75_263, bytes: 12_300_000 }))).toBe(
      'devices live 75263 rows 12.3 MB',
    );
    expect(renderPhaseLine(st('devices', { rows: 10, total: 40 }))).toBe('devices initial 10 of 40 rows 0 B');
    expect(renderPhaseLine(st('devices', { phase: 'live', rows: 41, total: 40 }))).toBe('devices live 41 rows 0 B');
    expect(
      renderSummaryLine(
        view({
          statuses: [st('devices', { phase: 'live', rows: 10, bytes: 2_000 }), st('tasks', { rows: 5 })],
          rates: { tasks: 2.6 },
        }),
      ),
    ).toBe('summary: 1/3 tables live, 15 rows, 3 rows/s, 2.00 kB, 12s');
    expect(renderIssueLine(st('tasks'))).toBeNull();
    expect(renderIssueLine(st('tasks', { phase: 'error', lastError: { code: 'apply_failed', message: 'boom' } }))).toBe(
      'tasks error: boom (apply_failed)',
    );
  });
});

describe('ANSI sequences', () => {
  it('redraws in place: cursor up over the old block, clear each line, clear leftovers of a longer block', () => {
    expect(redrawSequence(0, ['a', 'b'])).toBe('\r\x1b[2Ka\n\r\x1b[2Kb\n');
    expect(redrawSequence(2, ['a', 'b'])).toBe('\x1b[2A\r\x1b[2Ka\n\r\x1b[2Kb\n');
    expect(redrawSequence(3, ['a'])).toBe('\x1b[3A\r\x1b[2Ka\n\x1b[J');
    expect(eraseSequence(0)).toBe('');
    expect(eraseSequence(4)).toBe('\x1b[4A\r\x1b[J');
  });
});

describe('ProgressDisplay', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  const make = (mode: 'tty' | 'plain') => {
    const out: string[] = [];
    const err: string[] = [];
    const d = new ProgressDisplay({
      mode,
      tables: ['devices', 'tasks'],
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      now: () => Date.now(),
    });
    return { d, out, err };
  };

  it('plain: a line per phase change (not per batch), issues on stderr, summaries every ~2 s while moving', () => {
    const { d, out, err } = make('plain');
    d.update(st('devices', { rows: 0 }));
    d.update(st('devices', { rows: 100 }));
    d.update(st('tasks', { rows: 0 }));
    expect(out).toEqual(['devices initial 0 rows 0 B\n', 'tasks initial 0 rows 0 B\n']);
    vi.advanceTimersByTime(2_100);
    expect(out.at(-1)).toMatch(/^summary: 0\/2 tables live, 100 rows, \d+ rows\/s, 0 B, 2s\n$/);
    const count = out.length;
    vi.advanceTimersByTime(10_000); // nothing moved: no more summaries
    expect(out).toHaveLength(count);
    d.update(st('tasks', { phase: 'offline', lastError: { code: 'network', message: 'fetch failed' } }));
    d.update(st('tasks', { phase: 'offline', lastError: { code: 'network', message: 'fetch failed' } }));
    expect(err).toEqual(['tasks offline: fetch failed (network)\n']);
    d.update(st('devices', { phase: 'live', rows: 200, bytes: 5_000 }));
    d.finish();
    expect(out.slice(count)).toEqual([
      'tasks offline 0 rows 0 B\n',
      'devices live 200 rows 5.00 kB\n',
      // The final summary averages over the run: 200 rows gained in 12.1 s.
      'summary: 1/2 tables live, 200 rows, 17 rows/s, 5.00 kB, 12s\n',
    ]);
    d.update(st('tasks', { phase: 'live' })); // after finish: ignored
    expect(out.join('')).not.toMatch(ANSI);
  });

  it('tty: redraws the block in place, at most every 100 ms, and keeps messages above it', () => {
    const { d, out, err } = make('tty');
    d.update(st('devices', { rows: 1 }));
    expect(out).toHaveLength(1);
    expect(out[0]!.startsWith('\r\x1b[2K  devices')).toBe(true);
    for (let i = 2; i < 50; i++) d.update(st('devices', { rows: i })); // same instant: throttled
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(out).toHaveLength(2);
    expect(out[1]!.startsWith('\x1b[3A')).toBe(true); // two tables + summary
    expect(out[1]).toContain('49 rows');
    d.error('fieldline sync: something');
    expect(out.at(-2)).toBe('\x1b[3A\r\x1b[J');
    expect(err).toEqual(['fieldline sync: something\n']);
    expect(out.at(-1)!.startsWith('\r\x1b[2K')).toBe(true); // drawn again below the message
    d.finish();
    expect(out.at(-1)!.startsWith('\x1b[3A')).toBe(true);
    const n = out.length;
    vi.advanceTimersByTime(5_000);
    expect(out).toHaveLength(n);
  });
});
