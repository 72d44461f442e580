/**
 * `synlog stats` over byte ranges of plain files, on a worker thread or this one
 * (run/stats-parallel.ts): every line is parsed (the accounting of lines not understood stays
 * exact) and only Processed records go further, through the same classifier, filter and
 * long-poll rule as the engine (EndpointStatsTable.tally). The rest of the engine (requests,
 * fds, slow) is not needed here.
 */
import type { LogEvent } from '../core/types.js';
import type { JobTaker } from '../input/parallel.js';
import { classifyEndpoint } from './endpoints.js';
import { compileFilter } from './filter.js';
import { parseJobs, type JobsTaken, type RangeJob } from './range-jobs.js';
import { EndpointStatsTable, tableTransferables, type EndpointStatsState } from './stats.js';
import type { RecordFilter } from './types.js';

export interface StatsRangeOptions {
  readonly slowThresholdSec: number;
  readonly filter: RecordFilter;
  /** Per endpoint, as AnalysisOptions.exactPercentileLimit. */
  readonly exactPercentileLimit: number;
}

/** One line-aligned byte range of a file. */
export type StatsJob = RangeJob;

/** What one thread did: one stats table over every job it took, and each job's line accounting. */
export interface StatsThreadResult extends JobsTaken {
  readonly stats: EndpointStatsState;
}

/**
 * Stats over the jobs the taker hands out (input/parallel.ts shareJobs), into one table: the rows
 * do not depend on which thread read which lines (stats.ts merge), so a thread needs no more.
 */
export function statsJobs(jobs: readonly StatsJob[], options: StatsRangeOptions, taker: JobTaker): StatsThreadResult {
  const table = new EndpointStatsTable(options.exactPercentileLimit);
  const accept = compileFilter(options.filter);
  const thresholdSec = options.slowThresholdSec;
  const onRecord = (e: LogEvent): void => {
    if (e.kind === 'processed') table.tally(e, classifyEndpoint(e.method, e.uri), accept, thresholdSec);
  };
  const taken = parseJobs(jobs, taker, () => onRecord);
  return { ...taken, stats: table.toState() };
}

/** The buffers to transfer (not copy) when posting a result. */
export function statsThreadTransferables(r: StatsThreadResult): ArrayBuffer[] {
  return tableTransferables(r.stats);
}
