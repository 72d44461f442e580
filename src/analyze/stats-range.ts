/**
 * `synlog stats` over byte ranges of plain files, on a worker thread or this one
 * (run/stats-parallel.ts): every line is parsed (the accounting of lines not understood stays
 * exact) and only Processed records go further, through the same classifier, filter and
 * long-poll rule as the engine (EndpointStatsTable.tally). The rest of the engine (requests,
 * fds, slow) is not needed here.
 */
import type { LineAccounting } from '../core/types.js';
import { account, newAccounting, overlongEvent } from '../input/read-events.js';
import type { JobTaker } from '../input/parallel.js';
import { readRangeLines } from '../input/range-reader.js';
import { LineParser } from '../parse/line-parser.js';
import { classifyEndpoint } from './endpoints.js';
import { compileFilter } from './filter.js';
import { EndpointStatsTable, tableTransferables, type EndpointStatsState } from './stats.js';
import type { RecordFilter } from './types.js';

export interface StatsRangeOptions {
  readonly slowThresholdSec: number;
  readonly filter: RecordFilter;
  /** Per endpoint, as AnalysisOptions.exactPercentileLimit. */
  readonly exactPercentileLimit: number;
}

/** One line-aligned byte range of a file. */
export interface StatsJob {
  readonly path: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** The lines of one job: its accounting (line numbers count from the job's start) and how many lines start in it. */
export interface StatsJobLines {
  readonly accounting: LineAccounting;
  /** Lines that start in the range (see RangeRead): the base for the next range's line numbers. */
  readonly ownLines: number;
}

/** What one thread did: one stats table over every job it took, and each job's line accounting. */
export interface StatsThreadResult {
  /** Indexes into the job list, in the order this thread took them. */
  readonly jobs: readonly number[];
  /** Per job in `jobs`. */
  readonly lines: readonly StatsJobLines[];
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
  const taken: number[] = [];
  const lines: StatsJobLines[] = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const { path, label, start, end } = jobs[i]!;
    const parser = new LineParser(label);
    const accounting = newAccounting();
    const read = readRangeLines(path, start, end, {
      line(text, lineNo) {
        const e = parser.parse(text, lineNo);
        account(accounting, e);
        if (e.kind === 'processed') table.tally(e, classifyEndpoint(e.method, e.uri), accept, thresholdSec);
      },
      overlong(lineNo, bytes) {
        account(accounting, overlongEvent(label, lineNo, parser.epoch, bytes));
      },
    });
    taken.push(i);
    lines.push({ accounting, ownLines: read.ownLines });
    taker.finished(read.ownLines);
  }
  return { jobs: taken, lines, stats: table.toState() };
}

/** The buffers to transfer (not copy) when posting a result. */
export function statsThreadTransferables(r: StatsThreadResult): ArrayBuffer[] {
  return tableTransferables(r.stats);
}
