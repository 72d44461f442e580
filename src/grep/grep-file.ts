import { closeSync, openSync, readSync } from 'node:fs';
import type { GroupSummary, PrintedLine } from '../render/grep-format.js';
import { requestKeyId } from '../group/tags.js';
import { jobCountFor, shareJobs, threadsFor } from '../input/parallel.js';
import { lineAlignedRanges } from '../input/reader.js';
import { scanJobs, type ScanHit, type ScanJobs, type ScanResult } from './scan-range.js';

export interface FileGroups {
  readonly groups: FileGroup[];
  /** The restart epoch at the end of the file. */
  readonly endEpoch: number;
  /** Lines over the line-length limit the scan met, skipped (scan-range.ts), in file order. */
  readonly overlong: ReadonlyArray<{ readonly offset: number; readonly bytes: number }>;
}

export interface FileGroup extends GroupSummary {
  readonly hits: ReadonlyArray<{ readonly start: number; readonly end: number; readonly line: number }>;
}

/**
 * Every line of the wanted requests in one plain file, grouped by (file, restart epoch, tag)
 * in order of first appearance. Large files are scanned in line-aligned jobs shared by the
 * threads (input/parallel.ts shareJobs).
 */
export async function grepPlainFile(
  path: string,
  label: string,
  size: number,
  wanted: readonly string[],
  lineNumbers: boolean,
  /** The restart epoch the file begins in (the next file of a rotated log continues the last one's). */
  startEpoch = 0,
): Promise<FileGroups> {
  const threads = threadsFor(size, import.meta.url);
  const req: ScanJobs = { path, ranges: lineAlignedRanges(path, size, jobCountFor(size, threads)), wanted, countLines: lineNumbers };
  const results = new Array<ScanResult>(req.ranges.length);
  for (const r of await shareJobs(req.ranges.length, threads, './scan-worker.js', import.meta.url, req, (taker) => scanJobs(req, taker))) {
    r.jobs.forEach((job, k) => (results[job] = r.parts[k]!));
  }

  const banners = results.flatMap((r) => r.banners).sort((a, b) => a - b);
  const groups = new Map<
    string,
    { summary: { file: string; epoch: number; tag: string; firstMs: number | null; lastMs: number | null }; hits: FileGroup['hits'][number][] }
  >();
  let linesBefore = 0;
  for (const result of results) {
    for (const hit of result.hits) addHit(groups, label, startEpoch + epochAt(banners, hit.start), hit, lineNumbers ? linesBefore + hit.relLine : 0);
    linesBefore += result.lines;
  }
  return {
    groups: [...groups.values()].map(({ summary, hits }) => ({ ...summary, lineCount: hits.length, hits })),
    endEpoch: startEpoch + banners.length,
    // once each: a traceback line past a range's end is also the next range's
    overlong: results
      .flatMap((r) => r.overlong)
      .sort((a, b) => a.offset - b.offset)
      .filter((o, i, all) => i === 0 || all[i - 1]!.offset !== o.offset),
  };
}

function addHit(
  groups: Map<
    string,
    { summary: { file: string; epoch: number; tag: string; firstMs: number | null; lastMs: number | null }; hits: FileGroup['hits'][number][] }
  >,
  file: string,
  epoch: number,
  hit: ScanHit,
  line: number,
): void {
  const id = requestKeyId({ file, epoch, tag: hit.wanted });
  let g = groups.get(id);
  if (!g) {
    g = { summary: { file, epoch, tag: hit.wanted, firstMs: null, lastMs: null }, hits: [] };
    groups.set(id, g);
  }
  g.hits.push({ start: hit.start, end: hit.end, line });
  if (hit.timeMs !== null) {
    if (g.summary.firstMs === null || hit.timeMs < g.summary.firstMs) g.summary.firstMs = hit.timeMs;
    if (g.summary.lastMs === null || hit.timeMs > g.summary.lastMs) g.summary.lastMs = hit.timeMs;
  }
}

/** Number of start banners at or before `offset` = the restart epoch of that line. */
function epochAt(banners: readonly number[], offset: number): number {
  let lo = 0;
  let hi = banners.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (banners[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reads a group's lines back from the file, in file order. */
export function* readGroupLines(path: string, group: FileGroup): Generator<PrintedLine> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(64 * 1024);
    for (const hit of group.hits) {
      const len = hit.end - hit.start;
      if (len > buf.length) buf = Buffer.allocUnsafe(len);
      const got = readSync(fd, buf, 0, len, hit.start);
      const raw = Buffer.from(buf.subarray(0, got));
      yield { line: hit.line, text: raw.toString('utf8'), raw };
    }
  } finally {
    closeSync(fd);
  }
}
