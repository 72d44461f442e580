/**
 * Parallel analyses over plain files (stats, slow): how many threads, which line-aligned jobs,
 * and the jobs' line accounting put back in input order (counts added up, line numbers made
 * absolute: the jobs of one file are consecutive, from its start at byte 0).
 */
import type { JobLines, JobsTaken, RangeJob } from '../analyze/range-jobs.js';
import type { LineAccounting } from '../core/types.js';
import { threadsFor } from '../input/parallel.js';
import { addAccounting, newAccounting } from '../input/accounting.js';
import { lineAlignedRanges } from '../input/reader.js';
import type { SourceInfo } from '../input/sources.js';

/**
 * Threads for a parallel analysis (stats, slow) over these sources; 1 means the sequential path.
 * Only plain regular files can be cut into byte ranges (not stdin, not .gz), and only big inputs
 * are worth the workers.
 */
export function rangeThreads(sources: readonly SourceInfo[]): number {
  if (sources.length === 0) return 1;
  let bytes = 0;
  for (const s of sources) {
    if (!s.seekable || s.isStdin || s.gzip || s.bytes === null) return 1;
    bytes += s.bytes;
  }
  return threadsFor(bytes, import.meta.url);
}

/** Line-aligned jobs in input order; each file gets a share of `jobCount` by size (≥ 1). */
export function planJobs(sources: readonly SourceInfo[], jobCount: number): RangeJob[] {
  const total = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const out: RangeJob[] = [];
  for (const s of sources) {
    const size = s.bytes ?? 0;
    const n = total === 0 ? 1 : Math.max(1, Math.round((jobCount * size) / total));
    for (const [start, end] of lineAlignedRanges(s.name, size, n)) out.push({ path: s.name, label: s.label, start, end });
  }
  return out;
}

export interface MergedLines {
  readonly accounting: LineAccounting;
  /** Per job: the lines of its file before it (add to a job-relative line number). */
  readonly linesBefore: readonly number[];
  /** The lines of the last job's file up to the end of the last job. */
  readonly linesAfter: number;
}

/**
 * Adds the jobs' line accounting to `into` in input order. `linesBase`: lines of the first
 * job's file before it, when it does not start the file (jobs merged a round at a time).
 */
export function mergeJobLines(jobs: readonly RangeJob[], results: readonly JobsTaken[], into: LineAccounting = newAccounting(), linesBase = 0): MergedLines {
  const byJob = new Array<JobLines | undefined>(jobs.length);
  for (const r of results) r.jobs.forEach((job, k) => (byJob[job] = r.lines[k]));
  const acc = into;
  const before: number[] = [];
  let linesBefore = linesBase;
  jobs.forEach((job, i) => {
    const lines = byJob[i];
    if (lines === undefined) throw new Error(`job ${i} was not done`);
    if (job.start === 0) linesBefore = 0;
    before.push(linesBefore);
    addAccounting(acc, lines.accounting, linesBefore);
    linesBefore += lines.ownLines;
  });
  return { accounting: acc, linesBefore: before, linesAfter: linesBefore };
}
