import type { LineAccounting, LogEvent } from '../core/types.js';
import { jobCountFor, shareJobs, threadsFor, type JobTaker, type ThreadResult } from '../input/parallel.js';
import { account, addAccounting, addNotes, newAccounting, overlongEvent } from '../input/accounting.js';
import { lineAlignedRanges, readRangeLines } from '../input/reader.js';
import { LineParser } from '../parse/line-parser.js';

export type KindCounts = Record<LogEvent['kind'], number>;

export function newKindCounts(): KindCounts {
  return { processed: 0, received: 0, 'connection-lost': 0, startup: 0, 'fd-exhaustion': 0, other: 0, continuation: 0, unparsed: 0 };
}

export interface RangeCount {
  readonly counts: KindCounts;
  readonly accounting: LineAccounting;
  readonly ownLines: number;
  readonly skippedLeading: number;
}

export interface CountRequest {
  readonly path: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** Parses every line of one range fully (the same parser as everywhere) and counts the kinds. */
export function countRange(req: CountRequest): RangeCount {
  const parser = new LineParser(req.label);
  const counts = newKindCounts();
  const accounting = newAccounting();
  const read = readRangeLines(req.path, req.start, req.end, {
    line(text, lineNo) {
      const e = parser.parse(text, lineNo);
      counts[e.kind]++;
      account(accounting, e);
    },
    overlong(lineNo, bytes) {
      counts.unparsed++;
      account(accounting, overlongEvent(req.label, lineNo, parser.epoch, bytes));
    },
  });
  addNotes(accounting, parser.warnings());
  return { counts, accounting, ...read };
}

/** What one thread counted: a RangeCount per job it took. */
export interface CountThreadResult extends ThreadResult {
  readonly parts: RangeCount[];
}

export interface CountJobs {
  readonly path: string;
  readonly label: string;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

/** Counts the jobs the taker hands out (on a worker thread, or this one). */
export function countJobs(req: CountJobs, taker: JobTaker): CountThreadResult {
  const jobs: number[] = [];
  const parts: RangeCount[] = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const [start, end] = req.ranges[i]!;
    const part = countRange({ path: req.path, label: req.label, start, end });
    jobs.push(i);
    parts.push(part);
    taker.finished(part.ownLines);
  }
  return { jobs, parts };
}

/**
 * Counts a plain file in line-aligned jobs shared by the threads (input/parallel.ts); line
 * numbers in the accounting are made absolute by adding the lines of the jobs before.
 * `onProgress` gets the bytes of the finished jobs (approximately) and their lines.
 */
export async function countPlainFile(path: string, label: string, size: number, onProgress?: (bytes: number, lines: number) => void): Promise<RangeCount> {
  const threads = threadsFor(size, import.meta.url);
  const req: CountJobs = { path, label, ranges: lineAlignedRanges(path, size, jobCountFor(size, threads)) };
  const byJob = new Array<RangeCount>(req.ranges.length);
  const jobs = req.ranges.length;
  const progress = onProgress && ((finished: number, lines: number) => onProgress((size * finished) / jobs, lines));
  for (const r of await shareJobs(jobs, threads, './count-worker.js', import.meta.url, req, (taker) => countJobs(req, taker), progress)) {
    r.jobs.forEach((job, k) => (byJob[job] = r.parts[k]!));
  }
  const total: RangeCount = { counts: newKindCounts(), accounting: newAccounting(), ownLines: 0, skippedLeading: 0 };
  let linesBefore = 0;
  for (const p of byJob) {
    for (const k of Object.keys(total.counts) as Array<keyof KindCounts>) total.counts[k] += p.counts[k];
    addAccounting(total.accounting, p.accounting, linesBefore);
    linesBefore += p.ownLines;
  }
  return total;
}

export function mergeCounts(into: KindCounts, acc: LineAccounting, part: RangeCount): void {
  for (const k of Object.keys(into) as Array<keyof KindCounts>) into[k] += part.counts[k];
  addAccounting(acc, part.accounting);
}
