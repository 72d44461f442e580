/**
 * `synlog slow` on a big plain file: line-aligned jobs shared by this thread and worker threads
 * (input/parallel.ts shareJobs), each finding the slow requests of its lines
 * (analyze/slow-range.ts); put back in input order here, with absolute line numbers and restart
 * epochs: the same findings, in the same order, as the engine reading the file line by line.
 * The file is read a round of jobs at a time, and each round's findings are handed on before
 * the next: memory stays flat however many slow requests a log has, and output comes as the
 * file is read.
 */
import type { RangeJob } from '../analyze/range-jobs.js';
import { slowJobs, type SlowJobPart, type SlowRangeOptions } from '../analyze/slow-range.js';
import type { SlowFinding } from '../analyze/types.js';
import type { LineAccounting } from '../core/types.js';
import { jobCountFor, JOB_BYTES, shareJobs } from '../input/parallel.js';
import { newAccounting } from '../input/read-events.js';
import type { SourceInfo } from '../input/sources.js';
import { mergeJobLines, planJobs } from './job-lines.js';

/** Bytes per round: long enough that starting a worker per round costs ~1 %. */
const ROUND_BYTES = 512 * 1024 * 1024;

/** What the slow workers get: the round's jobs, and the options (the queue is added by shareJobs). */
export interface SlowJobsRequest {
  readonly jobs: readonly RangeJob[];
  readonly options: SlowRangeOptions;
}

/** How the file is cut: by default jobCountFor's jobs and ROUND_BYTES rounds (tests cut finer). */
export interface SlowPlan {
  readonly jobCount?: number;
  readonly roundJobs?: number;
}

export interface ParallelSlow {
  readonly longPollsNormal: number;
  readonly accounting: LineAccounting;
}

/**
 * Slow requests of one plain file (a rotated log's pieces and several workers' files go
 * through the engine, which chains or merges them) on `threads` threads (job-lines.ts
 * rangeThreads). `onFindings` gets each round's findings in input order (as Analysis.onSlow
 * would see them); `onProgress` as in statsInParallel.
 */
export async function slowInParallel(
  source: SourceInfo,
  threads: number,
  options: SlowRangeOptions,
  onFindings: (inOrder: SlowFinding[]) => Promise<void> | void,
  onProgress?: (bytes: number, lines: number) => void,
  plan: SlowPlan = {},
): Promise<ParallelSlow> {
  const bytes = source.bytes ?? 0;
  const jobs = planJobs([source], plan.jobCount ?? jobCountFor(bytes, threads));
  const roundJobs = plan.roundJobs ?? Math.max(threads * 4, Math.floor(ROUND_BYTES / JOB_BYTES));
  const accounting = newAccounting();
  let longPollsNormal = 0;
  let linesBase = 0;
  let epochsBefore = 0;
  let linesDone = 0;
  for (let from = 0; from < jobs.length; from += roundJobs) {
    const round = jobs.slice(from, from + roundJobs);
    const request: SlowJobsRequest = { jobs: round, options };
    const progress = onProgress && ((finished: number, lines: number) => onProgress((bytes * (from + finished)) / jobs.length, linesDone + lines));
    const results = await shareJobs(round.length, threads, './slow-worker.js', import.meta.url, request, (taker) => slowJobs(round, options, taker), progress);
    const merged = mergeJobLines(round, results, accounting, linesBase);
    linesDone += merged.linesAfter - linesBase;
    linesBase = merged.linesAfter;
    const byJob = new Array<SlowJobPart | undefined>(round.length);
    for (const r of results) r.jobs.forEach((job, k) => (byJob[job] = r.parts[k]));
    const findings: SlowFinding[] = [];
    byJob.forEach((part, i) => {
      if (part === undefined) throw new Error(`slow job ${from + i} was not done`);
      const lines = merged.linesBefore[i] ?? 0;
      for (const f of part.findings) findings.push({ ...f, line: lines + f.line, epoch: epochsBefore + f.epoch });
      epochsBefore += part.banners;
      longPollsNormal += part.longPollsNormal;
    });
    await onFindings(findings);
  }
  return { longPollsNormal, accounting };
}
