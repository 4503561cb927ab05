/**
 * Progress of `fieldline sync`. The renderers are pure (statuses + time → lines) and tested on their
 * own; ProgressDisplay drives them: on a terminal it redraws a block of per-table lines in place
 * (ANSI cursor-up and clear-line, at most ~10 frames a second), elsewhere (a pipe, a log file,
 * `--plain`) it prints one line per table phase change and a summary line every ~2 s while anything
 * moves, and at the end.
 */
import type { TableSyncStatus } from '../sync-status.js';

/**
 * A status as the engine reports it. `total` (rows the server counted when the table's initial sync
 * began) is shown as a bar, or `of N`, while the table is not live, when the engine knows it.
 */
export type ProgressStatus = Omit<TableSyncStatus, 'total'> & { total?: number | null };

const totalOf = (s: ProgressStatus): number | null =>
  s.phase !== 'live' && typeof s.total === 'number' && Number.isFinite(s.total) ? s.total : null;

export type ProgressView = {
  /** Every table of the run, in display order (some may not have reported yet). */
  tables: readonly string[];
  statuses: readonly ProgressStatus[];
  /** Rows per second per table, recently (RateMeter). */
  rates: Readonly<Record<string, number>>;
  startedAt: number;
  now: number;
  /** Terminal width: lines are cut to fit, so a redraw never wraps. */
  width?: number;
};

const ESC = '\x1b[';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1000) return `${Math.max(0, Math.round(n || 0))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const formatRate = (r: number) => String(Math.round(Math.max(0, r)));

/** Rows per second from the rows each status reports, over a sliding window. */
export class RateMeter {
  readonly #samples = new Map<string, { at: number; rows: number }[]>();
  readonly #first = new Map<string, { at: number; rows: number }>();
  constructor(readonly windowMs = 5_000) {}

  record(table: string, rows: number, at: number): void {
    if (!this.#first.has(table)) this.#first.set(table, { at, rows });
    const list = this.#samples.get(table) ?? [];
    list.push({ at, rows });
    // Keep the window plus the last sample before it (the rows at the window's start).
    const from = at - this.windowMs;
    while (list.length > 2 && list[1]!.at <= from) list.shift();
    this.#samples.set(table, list);
  }

  rate(table: string, now: number): number {
    const list = this.#samples.get(table);
    if (!list?.length) return 0;
    const from = now - this.windowMs;
    let base = list[0]!;
    for (const s of list) if (s.at <= from) base = s;
    const start = Math.max(base.at, from);
    const span = now - start;
    if (span < 250) return 0;
    return Math.max(0, ((list.at(-1)!.rows - base.rows) * 1000) / span);
  }

  /** Rows per second since the table's first sample (the rows it started with do not count). */
  average(table: string, now: number): number {
    const first = this.#first.get(table);
    const last = this.#samples.get(table)?.at(-1);
    if (!first || !last || now - first.at < 250) return 0;
    return Math.max(0, ((last.rows - first.rows) * 1000) / (now - first.at));
  }

  rates(tables: readonly string[], now: number): Record<string, number> {
    return Object.fromEntries(tables.map((t) => [t, this.rate(t, now)]));
  }

  averages(tables: readonly string[], now: number): Record<string, number> {
    return Object.fromEntries(tables.map((t) => [t, this.average(t, now)]));
  }
}

const byTable = (view: ProgressView) => new Map(view.statuses.map((s) => [s.table, s]));

function totals(view: ProgressView) {
  const statuses = byTable(view);
  let rows = 0;
  let bytes = 0;
  let live = 0;
  let rate = 0;
  for (const t of view.tables) {
    const s = statuses.get(t);
    rate += view.rates[t] ?? 0;
    if (!s) continue;
    rows += s.rows;
    bytes += s.bytes;
    if (s.phase === 'live') live++;
  }
  return { rows, bytes, live, rate, count: view.tables.length };
}

const fit = (line: string, width: number | undefined) =>
  width && width > 1 && line.length > width - 1 ? line.slice(0, width - 1) : line;

function bar(rows: number, total: number, width = 20): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, rows / total)) : 1;
  const done = Math.round(frac * width);
  return `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${String(Math.floor(frac * 100)).padStart(3)}%`;
}

/** The terminal block: one line per table, then the summary line. */
export function renderTtyBlock(view: ProgressView): string[] {
  const statuses = byTable(view);
  const nameWidth = Math.max(5, ...view.tables.map((t) => t.length));
  const lines = view.tables.map((t) => {
    const s = statuses.get(t);
    if (!s) return fit(`  ${t.padEnd(nameWidth)}  waiting`, view.width);
    let line =
      `  ${t.padEnd(nameWidth)}  ${s.phase.padEnd(7)} ${String(s.rows).padStart(9)} rows ` +
      `${formatRate(view.rates[t] ?? 0).padStart(7)} rows/s ${formatBytes(s.bytes).padStart(9)}`;
    const total = totalOf(s);
    if (total !== null) line += `  ${bar(s.rows, total)}`;
    if (s.lastError && (s.phase === 'offline' || s.phase === 'error')) line += `  ${s.lastError.message}`;
    return fit(line, view.width);
  });
  const sum = totals(view);
  lines.push(
    fit(
      `tables live ${sum.live}/${sum.count} · ${sum.rows} rows · ${formatRate(sum.rate)} rows/s · ` +
        `${formatBytes(sum.bytes)} · ${formatDuration(view.now - view.startedAt)}`,
      view.width,
    ),
  );
  return lines;
}

/** Plain mode: a table changed phase, e.g. `devices live 75263 rows 12.3 MB`. */
export function renderPhaseLine(s: ProgressStatus): string {
  const total = totalOf(s);
  return `${s.table} ${s.phase} ${s.rows}${total === null ? '' : ` of ${total}`} rows ${formatBytes(s.bytes)}`;
}

/** Plain mode: the periodic and final summary line. */
export function renderSummaryLine(view: ProgressView): string {
  const sum = totals(view);
  return (
    `summary: ${sum.live}/${sum.count} tables live, ${sum.rows} rows, ${formatRate(sum.rate)} rows/s, ` +
    `${formatBytes(sum.bytes)}, ${formatDuration(view.now - view.startedAt)}`
  );
}

/** Plain mode (stderr): a table's new problem, e.g. `tasks offline: fetch failed (network)`. */
export function renderIssueLine(s: ProgressStatus): string | null {
  return s.lastError ? `${s.table} ${s.phase}: ${s.lastError.message} (${s.lastError.code})` : null;
}

/** Moves up over the previous block, rewrites it with `lines`, and clears whatever is left below. */
export function redrawSequence(previousLines: number, lines: readonly string[]): string {
  const up = previousLines > 0 ? `${ESC}${previousLines}A` : '';
  const body = lines.map((l) => `\r${ESC}2K${l}\n`).join('');
  return `${up}${body}${previousLines > lines.length ? `${ESC}J` : ''}`;
}

/** Removes the previous block (to print a message where it was). */
export const eraseSequence = (previousLines: number): string =>
  previousLines > 0 ? `${ESC}${previousLines}A\r${ESC}J` : '';

export type ProgressDisplayOptions = {
  mode: 'tty' | 'plain';
  tables: readonly string[];
  out: (text: string) => void;
  err: (text: string) => void;
  now?: () => number;
  /** Terminal width, asked at every frame (it may change). */
  columns?: () => number | undefined;
  frameMs?: number;
  summaryEveryMs?: number;
};

const sameIssue = (a: ProgressStatus['lastError'], b: ProgressStatus['lastError']) =>
  a?.code === b?.code && a?.message === b?.message;

export class ProgressDisplay {
  readonly #o: Required<Omit<ProgressDisplayOptions, 'columns'>> & Pick<ProgressDisplayOptions, 'columns'>;
  readonly #statuses = new Map<string, ProgressStatus>();
  readonly #meter = new RateMeter();
  readonly #startedAt: number;
  readonly #timer: NodeJS.Timeout;
  #drawn = 0;
  #dirty = false;
  #lastFrame = -Infinity;
  #lastSummary = 0;
  #changedSinceSummary = false;
  #finished = false;

  constructor(opts: ProgressDisplayOptions) {
    this.#o = { now: Date.now, frameMs: 100, summaryEveryMs: 2_000, ...opts };
    this.#startedAt = this.#o.now();
    this.#lastSummary = this.#startedAt;
    this.#timer = setInterval(() => this.#tick(), this.#o.mode === 'tty' ? this.#o.frameMs : 250);
    this.#timer.unref();
  }

  update(s: ProgressStatus): void {
    if (this.#finished) return;
    const now = this.#o.now();
    const prev = this.#statuses.get(s.table);
    this.#statuses.set(s.table, s);
    this.#meter.record(s.table, s.rows, now);
    this.#changedSinceSummary = true;
    if (this.#o.mode === 'tty') {
      this.#dirty = true;
      if (now - this.#lastFrame >= this.#o.frameMs) this.#draw(now);
      return;
    }
    if (prev?.phase !== s.phase) this.#o.out(`${renderPhaseLine(s)}\n`);
    if (s.lastError && !sameIssue(prev?.lastError ?? null, s.lastError)) this.#o.err(`${renderIssueLine(s)}\n`);
  }

  /** A line on stdout, above the block on a terminal. */
  info(line: string): void {
    this.#print(line, this.#o.out);
  }

  /** A line on stderr, above the block on a terminal. */
  error(line: string): void {
    this.#print(line, this.#o.err);
  }

  /** Draws the last frame (terminal) or prints the final summary (plain), rates averaged over the run; stops the timer. */
  finish(): void {
    if (this.#finished) return;
    clearInterval(this.#timer);
    const now = this.#o.now();
    if (this.#o.mode === 'tty') this.#draw(now, true);
    else this.#o.out(`${renderSummaryLine(this.#view(now, true))}\n`);
    this.#finished = true;
  }

  #print(line: string, to: (text: string) => void): void {
    if (this.#o.mode === 'tty' && this.#drawn > 0 && !this.#finished) {
      this.#o.out(eraseSequence(this.#drawn));
      this.#drawn = 0;
      to(`${line}\n`);
      this.#draw(this.#o.now());
      return;
    }
    to(`${line}\n`);
  }

  #view(now: number, average = false): ProgressView {
    return {
      tables: this.#o.tables,
      statuses: [...this.#statuses.values()],
      rates: average ? this.#meter.averages(this.#o.tables, now) : this.#meter.rates(this.#o.tables, now),
      startedAt: this.#startedAt,
      now,
      width: this.#o.columns?.(),
    };
  }

  #draw(now: number, average = false): void {
    const lines = renderTtyBlock(this.#view(now, average));
    this.#o.out(redrawSequence(this.#drawn, lines));
    this.#drawn = lines.length;
    this.#dirty = false;
    this.#lastFrame = now;
  }

  #tick(): void {
    if (this.#finished) return;
    const now = this.#o.now();
    if (this.#o.mode === 'tty') {
      // Redraw when something changed, and once a second anyway (rates and elapsed time move).
      if (this.#dirty || now - this.#lastFrame >= 1_000) this.#draw(now);
      return;
    }
    if (this.#changedSinceSummary && now - this.#lastSummary >= this.#o.summaryEveryMs) {
      this.#o.out(`${renderSummaryLine(this.#view(now))}\n`);
      this.#lastSummary = now;
      this.#changedSinceSummary = false;
    }
  }
}
