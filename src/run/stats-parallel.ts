/**
 * `synlog stats` on big plain files: line-aligned byte ranges (jobs) shared by this thread and
 * worker threads (input/parallel.ts shareJobs), each thread returning its mergeable
 * per-endpoint state (analyze/stats-range.ts); merged here. The rows are the same as one
 * Analysis over all lines: exact samples concatenate, sketches add, sums are exact (stats.ts),
 * and the line accounting is added up with absolute line numbers.
 */
import type { LineAccounting } from '../core/types.js';
import { statsJobs, type StatsJob, type StatsJobLines, type StatsRangeOptions, type StatsThreadResult } from '../analyze/stats-range.js';
import { EndpointStatsTable } from '../analyze/stats.js';
import type { EndpointStats } from '../analyze/types.js';
import { jobCountFor, shareJobs, threadsFor } from '../input/parallel.js';
import { lineAlignedRanges } from '../input/ranges.js';
import { newAccounting } from '../input/read-events.js';
import type { SourceInfo } from '../input/sources.js';

/** What the stats workers get: every job, and the options (the queue is added by shareJobs). */
export interface StatsJobsRequest {
  readonly jobs: readonly StatsJob[];
  readonly options: StatsRangeOptions;
}

export interface ParallelStats {
  /** As AnalysisResult.endpoints. */
  readonly endpoints: EndpointStats[];
  readonly accounting: LineAccounting;
}

/** As input/read-events.ts: how many not-understood line numbers are named in the summary. */
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

/** Line-aligned jobs in input order; each file gets a share of `jobCount` by size (≥ 1). */
export function planStatsJobs(sources: readonly SourceInfo[], jobCount: number): StatsJob[] {
  const total = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const out: StatsJob[] = [];
  for (const s of sources) {
    const size = s.bytes ?? 0;
    const n = total === 0 ? 1 : Math.max(1, Math.round((jobCount * size) / total));
    for (const [start, end] of lineAlignedRanges(s.name, size, n)) out.push({ path: s.name, label: s.label, start, end });
  }
  return out;
}

/**
 * Merges what the threads did: their tables (in any order: the rows do not depend on it, see
 * stats.ts merge), and the jobs' line accounting in input order with absolute line numbers
 * (the jobs of one file are consecutive, from its start at byte 0). Takes over the results'
 * sample arrays.
 */
export function mergeStatsThreads(jobs: readonly StatsJob[], results: readonly StatsThreadResult[], exactPercentileLimit: number): ParallelStats {
  const table = new EndpointStatsTable(exactPercentileLimit);
  const byJob = new Array<StatsJobLines | undefined>(jobs.length);
  for (const r of results) {
    table.merge(EndpointStatsTable.fromState(exactPercentileLimit, r.stats));
    r.jobs.forEach((job, k) => (byJob[job] = r.lines[k]));
  }
  const acc = newAccounting();
  let linesBefore = 0;
  jobs.forEach((job, i) => {
    const lines = byJob[i];
    if (lines === undefined) throw new Error(`stats job ${i} was not done`);
    if (job.start === 0) linesBefore = 0;
    const a = lines.accounting;
    acc.records += a.records;
    acc.continuations += a.continuations;
    acc.unparsed += a.unparsed;
    for (const u of a.firstUnparsed) {
      if (acc.firstUnparsed.length < FIRST_UNPARSED_KEPT) acc.firstUnparsed.push({ ...u, line: linesBefore + u.line });
    }
    linesBefore += lines.ownLines;
  });
  return { endpoints: table.results(), accounting: acc };
}

/**
 * Stats over every source on `threads` threads (see statsThreads) sharing line-aligned jobs.
 * `onProgress` gets the bytes of the finished jobs (approximately: jobs are of similar size)
 * and their lines, between this thread's jobs.
 */
export async function statsInParallel(
  sources: readonly SourceInfo[],
  threads: number,
  options: StatsRangeOptions,
  onProgress?: (bytes: number, lines: number) => void,
): Promise<ParallelStats> {
  const bytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const jobs = planStatsJobs(sources, jobCountFor(bytes, threads));
  const request: StatsJobsRequest = { jobs, options };
  const progress = onProgress && ((finished: number, lines: number) => onProgress((bytes * finished) / jobs.length, lines));
  const results = await shareJobs(jobs.length, threads, './stats-worker.js', import.meta.url, request, (taker) => statsJobs(jobs, options, taker), progress);
  return mergeStatsThreads(jobs, results, options.exactPercentileLimit);
}
