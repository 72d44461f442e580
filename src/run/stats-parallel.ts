/**
 * `synlog stats` on big plain files: line-aligned byte ranges (jobs) shared by this thread and
 * worker threads (input/parallel.ts shareJobs), each thread returning its mergeable
 * per-endpoint state (analyze/stats-range.ts); merged here. The rows are the same as one
 * Analysis over all lines: exact samples concatenate, sketches add, sums are exact (stats.ts),
 * and the line accounting is added up with absolute line numbers.
 */
import type { LineAccounting } from '../core/types.js';
import { statsJobs, type StatsJob, type StatsRangeOptions, type StatsThreadResult } from '../analyze/stats-range.js';
import { EndpointStatsTable } from '../analyze/stats.js';
import type { EndpointStats } from '../analyze/types.js';
import { jobCountFor, shareJobs } from '../input/parallel.js';
import type { SourceInfo } from '../input/sources.js';
import { mergeJobLines, planJobs } from './job-lines.js';

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

/**
 * Merges what the threads did: their tables (in any order: the rows do not depend on it, see
 * stats.ts merge), and the jobs' line accounting in input order with absolute line numbers.
 * Takes over the results' sample arrays.
 */
export function mergeStatsThreads(jobs: readonly StatsJob[], results: readonly StatsThreadResult[], exactPercentileLimit: number): ParallelStats {
  const table = new EndpointStatsTable(exactPercentileLimit);
  for (const r of results) table.merge(EndpointStatsTable.fromState(exactPercentileLimit, r.stats));
  return { endpoints: table.results(), accounting: mergeJobLines(jobs, results).accounting };
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
  const jobs = planJobs(sources, jobCountFor(bytes, threads));
  const request: StatsJobsRequest = { jobs, options };
  const progress = onProgress && ((finished: number, lines: number) => onProgress((bytes * finished) / jobs.length, lines));
  const results = await shareJobs(jobs.length, threads, './stats-worker.js', import.meta.url, request, (taker) => statsJobs(jobs, options, taker), progress);
  return mergeStatsThreads(jobs, results, options.exactPercentileLimit);
}
