/**
 * What the client children of bench:replica share with the parent: the JSON-line protocol, an RSS
 * sampler, a fetch wrapper that counts rows as they arrive off the wire, and the memory analysis.
 *
 * Why count rows on the wire: our engine (before the fix in progress) and pglite-sync both hold an
 * initial snapshot in memory until `up-to-date`, so the committed row count jumps from 0 to all rows
 * in one step and cannot say when 10 % of the rows were there. Counting the change messages in the
 * response bodies as the client reads them can: every change message carries exactly one
 * `"operation":"…"` header. The count must come out equal to the row total; if it does not (a retried
 * request, another server's JSON layout), the analysis falls back to bytes received, scaled to rows
 * (the rows of one table are of similar size).
 */
export type Counters = { rows: number; bytes: number };

/** One line every ~50 ms while a client child syncs. t: ms since the sync started. */
export type Sample = { kind: 'sample'; t: number; rss: number; rx: number; bytes: number; committed: number };

export type ChildResult = {
  kind: 'done';
  rows: number;
  secs: number;
  /** RSS just before the sync started, right when it was done, and the kernel's high-water mark. */
  rssBefore: number;
  rssAtDone: number;
  maxRss: number;
  /** After a full GC with the sync still open (children run with --expose-gc): what is retained. */
  rssAfterGc?: number;
  heapAfterGc?: number;
  heapTotalAfterGc?: number;
  externalAfterGc?: number;
  rx: number;
  bytes: number;
  /** Committed row counts seen in status events, in order (ours only). */
  committedSteps?: number[];
  note?: string;
};

export type ChildLine = Sample | ChildResult;

export const emit = (line: ChildLine) => process.stdout.write(JSON.stringify(line) + '\n');

const PATTERN = Buffer.from('"operation":"');

/** A fetch that counts response bytes and change messages as the client reads the body. */
export function countingFetch(base: typeof fetch, counters: Counters): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (res.status !== 200 || !res.body) return res;
    let tail = Buffer.alloc(0);
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          counters.bytes += buf.length;
          // A match spanning the previous chunk and this one lies in tail + the head of this chunk;
          // neither part alone is long enough to hold one, so nothing is counted twice.
          if (tail.length) {
            const seam = Buffer.concat([tail, buf.subarray(0, PATTERN.length - 1)]);
            if (seam.indexOf(PATTERN) !== -1) counters.rows++;
          }
          for (let i = buf.indexOf(PATTERN); i !== -1; i = buf.indexOf(PATTERN, i + PATTERN.length)) counters.rows++;
          tail = Buffer.from(buf.subarray(Math.max(0, buf.length - (PATTERN.length - 1))));
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** Samples RSS every `everyMs` (a blocked event loop delays samples; maxRss in the result covers that). */
export function startSampler(counters: Counters, committed: () => number, everyMs = 50) {
  const t0 = performance.now();
  const sample = () =>
    emit({
      kind: 'sample',
      t: performance.now() - t0,
      rss: process.memoryUsage.rss(),
      rx: counters.rows,
      bytes: counters.bytes,
      committed: committed(),
    });
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}

export const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;

/** RSS and V8 heap after a full GC (undefined without --expose-gc); call after the timing ended. */
export function afterGc(): Pick<ChildResult, 'rssAfterGc' | 'heapAfterGc' | 'heapTotalAfterGc' | 'externalAfterGc'> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return {};
  gc();
  const m = process.memoryUsage();
  return { rssAfterGc: m.rss, heapAfterGc: m.heapUsed, heapTotalAfterGc: m.heapTotal, externalAfterGc: m.external };
}

export type MemoryFigures = {
  baseline: number;
  peakSampled: number;
  peakKernel: number;
  at10: number | undefined;
  at100: number;
  growth: number | undefined;
  afterGc: number | undefined;
  heapAfterGc: number | undefined;
  progressBy: 'rows on the wire' | 'bytes on the wire';
};

const progressOf = (r: ChildResult, total: number) => {
  const byRows = r.rx === total;
  return {
    byRows,
    at: (s: Sample) => (byRows ? s.rx : r.bytes > 0 ? (total * s.bytes) / r.bytes : 0),
  };
};

/** RSS of the first sample at which `fraction` of the rows had arrived (1 = the moment the sync was done). */
export function rssAtFraction(samples: readonly Sample[], r: ChildResult, total: number, fraction: number) {
  if (fraction >= 1) return r.rssAtDone;
  const { at } = progressOf(r, total);
  return samples.find((s) => at(s) >= fraction * total)?.rss;
}

/**
 * RSS at 10 % of the rows = the first sample at which ≥ 10 % had arrived; RSS at 100 % = the reading
 * taken the moment the sync was done (all rows committed), before anything was released.
 */
export function memoryFigures(samples: readonly Sample[], r: ChildResult, total: number): MemoryFigures {
  const { byRows, at } = progressOf(r, total);
  const first10 = samples.find((s) => at(s) >= 0.1 * total);
  return {
    baseline: r.rssBefore,
    peakSampled: Math.max(r.rssAtDone, ...samples.map((s) => s.rss)),
    peakKernel: r.maxRss,
    at10: first10?.rss,
    at100: r.rssAtDone,
    growth: first10 ? r.rssAtDone - first10.rss : undefined,
    afterGc: r.rssAfterGc,
    heapAfterGc: r.heapAfterGc,
    progressBy: byRows ? 'rows on the wire' : 'bytes on the wire',
  };
}
