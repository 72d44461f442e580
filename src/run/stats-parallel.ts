/**
 * `synlog stats` on big plain files: byte ranges in worker threads (the pattern of count.ts),
 * each returning its mergeable per-endpoint state (analyze/stats-range.ts); merged here in input
 * order. The rows are the same as one Analysis over all lines: exact samples concatenate,
 * sketches add, sums are exact (stats.ts), and the line accounting is added up with absolute
 * line numbers.
 */
import type { LineAccounting } from '../core/types.js';
import { statsRange, type StatsRangeOptions, type StatsRangeResult } from '../analyze/stats-range.js';
import { EndpointStatsTable } from '../analyze/stats.js';
import type { EndpointStats } from '../analyze/types.js';
import { runWorker, threadsFor } from '../input/parallel.js';
import { lineAlignedRanges } from '../input/ranges.js';
import { newAccounting } from '../input/read-events.js';
import type { SourceInfo } from '../input/sources.js';

export interface StatsRangeRequest {
  readonly path: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly options: StatsRangeOptions;
}

export interface ParallelStats {
  /** As AnalysisResult.endpoints. */
  readonly endpoints: EndpointStats[];
  readonly accounting: LineAccounting;
}

/** As input/read-events.ts: how many not-understood lines are named in the summary. */
const FIRST_UNPARSED_KEPT = 5;

/**
 * Threads for `stats` over these sources; 1 means the sequential path. Only plain regular files
 * can be cut into byte ranges (not stdin, not .gz), and only big inputs are worth the workers.
 */
export function statsThreads(sources: readonly SourceInfo[]): number {
  if (sources.length === 0) return 1;
  let bytes = 0;
  for (const s of sources) {
    if (!s.seekable || s.isStdin || s.gzip || s.bytes === null) return 1;
    bytes += s.bytes;
  }
  return threadsFor(bytes, import.meta.url);
}

/** Line-aligned ranges in input order; each file gets a share of the threads by size (≥ 1). */
export function planStatsRanges(sources: readonly SourceInfo[], threads: number, options: StatsRangeOptions): StatsRangeRequest[] {
  const total = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const out: StatsRangeRequest[] = [];
  for (const s of sources) {
    const size = s.bytes ?? 0;
    const n = total === 0 ? 1 : Math.max(1, Math.round((threads * size) / total));
    for (const [start, end] of lineAlignedRanges(s.name, size, n)) out.push({ path: s.name, label: s.label, start, end, options });
  }
  return out;
}

/**
 * Merges range results given in input order (the ranges of one file consecutive, from its
 * start at byte 0). Takes over the results' sample arrays.
 */
export function mergeStatsRanges(parts: ReadonlyArray<{ readonly start: number; readonly result: StatsRangeResult }>, exactPercentileLimit: number): ParallelStats {
  const table = new EndpointStatsTable(exactPercentileLimit);
  const acc = newAccounting();
  let linesBefore = 0;
  for (const { start, result } of parts) {
    if (start === 0) linesBefore = 0;
    table.merge(EndpointStatsTable.fromState(exactPercentileLimit, result.stats));
    const a = result.accounting;
    acc.records += a.records;
    acc.continuations += a.continuations;
    acc.unparsed += a.unparsed;
    for (const u of a.firstUnparsed) {
      if (acc.firstUnparsed.length < FIRST_UNPARSED_KEPT) acc.firstUnparsed.push({ ...u, line: linesBefore + u.line });
    }
    linesBefore += result.ownLines;
  }
  return { endpoints: table.results(), accounting: acc };
}

/** Runs `jobs` with at most `width` at a time; results in job order. */
async function pooled<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const out = new Array<T>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane));
  return out;
}

/** Stats over every source with `threads` workers (see statsThreads); inline when threads ≤ 1. */
export async function statsInParallel(sources: readonly SourceInfo[], threads: number, options: StatsRangeOptions): Promise<ParallelStats> {
  const reqs = planStatsRanges(sources, threads, options);
  const results =
    threads > 1
      ? await pooled(
          reqs.map((r) => () => runWorker<StatsRangeResult>('./stats-worker.js', import.meta.url, r)),
          threads,
        )
      : reqs.map((r) => statsRange(r.path, r.label, r.start, r.end, r.options));
  return mergeStatsRanges(
    reqs.map((r, i) => ({ start: r.start, result: results[i]! })),
    options.exactPercentileLimit,
  );
}
