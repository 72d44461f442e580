/**
 * `synlog stats` over one byte range of a plain file, for a worker thread (run/stats-parallel.ts):
 * every line is parsed (the accounting of lines not understood stays exact) and only Processed
 * records go further, through the same classifier, filter and long-poll rule as the engine
 * (EndpointStatsTable.tally). The rest of the engine (requests, fds, slow) is not needed here.
 */
import type { LineAccounting } from '../core/types.js';
import { account, newAccounting, overlongEvent } from '../input/read-events.js';
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

export interface StatsRangeResult {
  readonly stats: EndpointStatsState;
  /** Line numbers in `firstUnparsed` count from the range start. */
  readonly accounting: LineAccounting;
  /** Lines that start in the range (see RangeRead): the base for the next range's line numbers. */
  readonly ownLines: number;
  readonly skippedLeading: number;
}

export function statsRange(path: string, label: string, start: number, end: number, options: StatsRangeOptions): StatsRangeResult {
  const parser = new LineParser(label);
  const accounting = newAccounting();
  const table = new EndpointStatsTable(options.exactPercentileLimit);
  const accept = compileFilter(options.filter);
  const thresholdSec = options.slowThresholdSec;
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
  return { stats: table.toState(), accounting, ...read };
}

/** The buffers to transfer (not copy) when posting a result. */
export function statsRangeTransferables(r: StatsRangeResult): ArrayBuffer[] {
  return tableTransferables(r.stats);
}
