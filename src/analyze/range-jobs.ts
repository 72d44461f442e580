/**
 * The job loop of the parallel analyses (stats, slow): every line of each line-aligned byte
 * range a thread takes is parsed by the one parser, counted in that job's line accounting, and
 * its record handed to the analysis. The results are merged in input order by the caller
 * (run/job-lines.ts), so line numbers here count from the job's start and restart epochs from 0.
 */
import type { LineAccounting, LogEvent } from '../core/types.js';
import type { JobTaker } from '../input/parallel.js';
import { readRangeLines } from '../input/range-reader.js';
import { account, newAccounting, overlongEvent } from '../input/read-events.js';
import { LineParser } from '../parse/line-parser.js';

/** One line-aligned byte range of a file. */
export interface RangeJob {
  readonly path: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** The lines of one job: its accounting (line numbers count from the job's start) and how many lines start in it. */
export interface JobLines {
  readonly accounting: LineAccounting;
  /** Lines that start in the range (see RangeRead): the base for the next range's line numbers. */
  readonly ownLines: number;
}

/** What a thread's job loop did, besides its analysis' own result. */
export interface JobsTaken {
  /** Indexes into the job list, in the order this thread took them. */
  readonly jobs: readonly number[];
  /** Per job in `jobs`. */
  readonly lines: readonly JobLines[];
}

/**
 * Takes jobs until none are left; `startJob(i)` is called before job i is read and returns the
 * handler of its records (every event but unparsed and continuation lines).
 */
export function parseJobs(jobs: readonly RangeJob[], taker: JobTaker, startJob: (job: number) => (e: LogEvent) => void): JobsTaken {
  const taken: number[] = [];
  const lines: JobLines[] = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const { path, label, start, end } = jobs[i]!;
    const onRecord = startJob(i);
    const parser = new LineParser(label);
    const accounting = newAccounting();
    const read = readRangeLines(path, start, end, {
      line(text, lineNo) {
        const e = parser.parse(text, lineNo);
        account(accounting, e);
        if (e.kind !== 'continuation' && e.kind !== 'unparsed') onRecord(e);
      },
      overlong(lineNo, bytes) {
        account(accounting, overlongEvent(label, lineNo, parser.epoch, bytes));
      },
    });
    taken.push(i);
    lines.push({ accounting, ownLines: read.ownLines });
    taker.finished(read.ownLines);
  }
  return { jobs: taken, lines };
}
