import { LineParser, isRecordStart } from '../parse/line-parser.js';
import { matchWantedTag } from '../group/tags.js';
import type { JobTaker } from '../input/parallel.js';
import { readLineBlocks } from '../input/reader.js';
import { MAX_LINE_BYTES } from '../input/line-splitter.js';

/** One line that belongs to a wanted request. Offsets are bytes in the file. */
export interface ScanHit {
  readonly start: number;
  /** Exclusive, without the '\n'. */
  readonly end: number;
  /** The wanted tag this line belongs to. */
  readonly wanted: string;
  /** False for continuation lines (traceback) of a matching record. */
  readonly record: boolean;
  readonly timeMs: number | null;
  /** 1-based line number relative to the range start (add the lines before the range). 0 when not counted. */
  readonly relLine: number;
}

export interface ScanResult {
  readonly hits: ScanHit[];
  /** Byte offsets of `***** STARTING SERVER *****` lines in the range (each starts a new epoch). */
  readonly banners: number[];
  /** Newlines in [rangeStart, rangeEnd) when counting was asked for, else 0. */
  readonly lines: number;
  /**
   * Lines over MAX_LINE_BYTES met in the range (the other readers' limit): skipped, as they skip
   * them, and said. Only lines the scan looks at: a wanted tag's, and any too long for a read block.
   */
  readonly overlong: Array<{ readonly offset: number; readonly bytes: number }>;
}

export interface ScanRequest {
  readonly path: string;
  readonly rangeStart: number;
  /** Lines starting before this offset are scanned. */
  readonly rangeEnd: number;
  readonly wanted: readonly string[];
  readonly countLines: boolean;
}

/** Line-aligned byte ranges of one file to scan, as jobs for shareJobs. */
export interface ScanJobs {
  readonly path: string;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly wanted: readonly string[];
  readonly countLines: boolean;
}

/** What one thread scanned: a ScanResult per job it took. */
export interface ScanThreadResult {
  readonly jobs: readonly number[];
  readonly parts: ScanResult[];
}

/** Scans the jobs the taker hands out (on a worker thread, or this one). */
export function scanJobs(req: ScanJobs, taker: JobTaker): ScanThreadResult {
  const jobs: number[] = [];
  const parts: ScanResult[] = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const [rangeStart, rangeEnd] = req.ranges[i]!;
    const part = scanRange({ path: req.path, rangeStart, rangeEnd, wanted: req.wanted, countLines: req.countLines });
    jobs.push(i);
    parts.push(part);
    taker.finished(part.lines);
  }
  return { jobs, parts };
}

const BANNER = Buffer.from('***** STARTING SERVER *****');

/**
 * Finds every line of the wanted requests in one byte range of a plain file, read as blocks of
 * whole lines by the shared range reader (input/reader.ts readLineBlocks). Only lines that
 * contain a wanted tag (or the restart banner) are decoded and parsed — the rest is skipped
 * with Buffer.indexOf, which is why this is as fast as grep. Synchronous: it runs inside a
 * worker thread per range.
 */
export function scanRange(req: ScanRequest): ScanResult {
  let needles: Needle[] | undefined;
  const parser = new LineParser(req.path);
  const hits: ScanHit[] = [];
  const banners: number[] = [];
  const overlong: Array<{ offset: number; bytes: number }> = [];
  let pendingWanted: string | undefined; // continuation lines of this request follow
  let lines = 0;

  readLineBlocks(req.path, req.rangeStart, req.rangeEnd, {
    block(buf, workEnd, bufFileOffset) {
      let countedTo = 0; // buf index up to which newlines were counted
      // Lines starting at or after rangeEnd belong to the next range, except continuations we owe.
      const ownEnd = Math.max(0, Math.min(workEnd, req.rangeEnd - bufFileOffset));

      if (pendingWanted !== undefined) {
        const first = hits.length;
        pendingWanted = takeContinuations(buf, 0, workEnd, bufFileOffset, pendingWanted, hits, overlong);
        if (req.countLines) numberFrom(hits, first, lines + 1);
      }

      sweepOverlong(buf, ownEnd, workEnd, bufFileOffset, overlong);
      needles ??= req.wanted.map((w) => chooseNeedle(w, buf.subarray(0, Math.min(workEnd, 1024 * 1024))));
      // Candidate line starts: any line holding a needle or the banner, in order, deduplicated.
      // Searched in a view that ends with the data: the buffer's stale tail would be scanned too.
      const data = buf.subarray(0, workEnd);
      const candidates: number[] = [];
      for (const needle of needles) collectLineStarts(data, needle, ownEnd, candidates);
      collectLineStarts(data, BANNER_NEEDLE, ownEnd, candidates);
      candidates.sort((a, b) => a - b);

      let lastDone = -1;
      for (const lineStart of candidates) {
        if (lineStart <= lastDone) continue;
        let lineEnd = buf.indexOf(10, lineStart);
        if (lineEnd < 0 || lineEnd > workEnd) lineEnd = workEnd;
        lastDone = lineStart;
        if (lineEnd - lineStart > MAX_LINE_BYTES) {
          overlong.push({ offset: bufFileOffset + lineStart, bytes: lineEnd - lineStart });
          continue;
        }
        const text = buf.toString('utf8', lineStart, lineEnd);
        const event = parser.parse(text, 0);
        if (event.kind === 'startup') banners.push(bufFileOffset + lineStart);
        // (a CRI partial chunk with a header starts its record: the F line after it is taken as its continuation)
        if ((event.kind === 'continuation' && event.partial !== true) || event.tag === null) continue;
        const wanted = matchWantedTag(event.tag, req.wanted);
        if (wanted === undefined) continue;
        let relLine = 0;
        if (req.countLines) {
          lines += countNewlines(buf, countedTo, lineStart);
          countedTo = lineStart;
          relLine = lines + 1;
        }
        const timeMs = event.kind === 'continuation' ? null : event.timeMs;
        hits.push({ start: bufFileOffset + lineStart, end: bufFileOffset + lineEnd, wanted, record: true, timeMs, relLine });
        const next = lineEnd + 1;
        if (next < workEnd) {
          const first = hits.length;
          pendingWanted = takeContinuations(buf, next, workEnd, bufFileOffset, wanted, hits, overlong);
          if (req.countLines) numberFrom(hits, first, relLine + 1);
          const lastHit = hits[hits.length - 1];
          if (lastHit && !lastHit.record) lastDone = lastHit.start - bufFileOffset;
        } else pendingWanted = wanted;
      }
      if (req.countLines) lines += countNewlines(buf, countedTo, ownEnd);
      // Past our range we only keep reading while continuation lines of one of our hits go on.
      return bufFileOffset + workEnd < req.rangeEnd || pendingWanted !== undefined;
    },
    overlong(offset, bytes) {
      // Never a record start, and too long to print: skipped, but it is a line.
      if (offset < req.rangeEnd) {
        if (req.countLines) lines++;
        overlong.push({ offset, bytes });
      }
      return offset < req.rangeEnd || pendingWanted !== undefined;
    },
  });
  return { hits, banners, lines, overlong };
}

/**
 * What to search for. Node's Buffer.indexOf runs a needle shorter than 8 bytes as memchr on its
 * first byte plus a compare, and a longer one as Boyer-Moore-Horspool, which is 2-3x slower on
 * log text (common bytes, short shifts). So we search for at most 7 bytes of the tag, starting
 * at its rarest byte (by a sample of the file), and check the bytes before and after each hit.
 */
interface Needle {
  readonly search: Buffer;
  /** Tag bytes before `search`. */
  readonly prefix: Buffer;
  /** Tag bytes after `search`. */
  readonly suffix: Buffer;
}
const MEMCHR_MAX_BYTES = 7;

function needleAt(bytes: Buffer, at: number): Needle {
  const end = Math.min(bytes.length, at + MEMCHR_MAX_BYTES);
  return { search: bytes.subarray(at, end), prefix: bytes.subarray(0, at), suffix: bytes.subarray(end) };
}

function chooseNeedle(tag: string, sample: Buffer): Needle {
  const bytes = Buffer.from(tag, 'utf8');
  const counts = new Uint32Array(256);
  for (let i = 0; i < sample.length; i += 7) counts[sample[i]!]!++;
  let best = 0;
  for (let k = 1; k < bytes.length; k++) if (counts[bytes[k]!]! < counts[bytes[best]!]!) best = k;
  return needleAt(bytes, best);
}

/** The restart banner: its first byte, `*`, is rare in logs. */
const BANNER_NEEDLE = needleAt(BANNER, 0);

/** Pushes the start of each line in buf (up to `end`) that contains the needle (once per line). */
function collectLineStarts(buf: Buffer, needle: Needle, end: number, out: number[]): void {
  const k = needle.prefix.length;
  const after = needle.search.length;
  const m = needle.suffix.length;
  let pos = k;
  for (;;) {
    const at = buf.indexOf(needle.search, pos);
    if (at < 0 || at >= end) return;
    if (
      (k > 0 && buf.compare(needle.prefix, 0, k, at - k, at) !== 0) ||
      (m > 0 && (at + after + m > buf.length || buf.compare(needle.suffix, 0, m, at + after, at + after + m) !== 0))
    ) {
      pos = at + 1;
      continue;
    }
    const start = at - k;
    const lineStart = start === 0 ? 0 : buf.lastIndexOf(10, start - 1) + 1;
    out.push(lineStart);
    const nl = buf.indexOf(10, at + after + m);
    if (nl < 0) return;
    pos = nl + 1 + k;
  }
}

/**
 * Finds the lines over MAX_LINE_BYTES that start before `ownEnd`, whatever they hold, without
 * visiting every line: such a line covers at least one point of a MAX_LINE_BYTES stride, so one
 * look either side of each point finds it (two short searches per MiB of a normal log).
 * `buf` starts at a line start (readLineBlocks).
 */
function sweepOverlong(buf: Buffer, ownEnd: number, workEnd: number, base: number, out: Array<{ offset: number; bytes: number }>): void {
  for (let point = 0; point < ownEnd;) {
    const lineStart = point === 0 ? 0 : buf.lastIndexOf(10, point - 1) + 1;
    let lineEnd = buf.indexOf(10, point);
    if (lineEnd < 0 || lineEnd > workEnd) lineEnd = workEnd;
    if (lineEnd - lineStart > MAX_LINE_BYTES && lineStart < ownEnd) out.push({ offset: base + lineStart, bytes: lineEnd - lineStart });
    point = Math.max(point + MAX_LINE_BYTES, lineEnd + 1);
  }
}

/**
 * Adds the lines from `from` on that continue the record (no header) as hits; stops at the
 * first record start. Returns the wanted tag if the run reaches `end` (it may go on), else undefined.
 */
function takeContinuations(
  buf: Buffer,
  from: number,
  end: number,
  base: number,
  wanted: string,
  hits: ScanHit[],
  overlong: Array<{ offset: number; bytes: number }>,
): string | undefined {
  let pos = from;
  while (pos < end) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0 || nl > end) nl = end;
    if (nl - pos > MAX_LINE_BYTES) {
      overlong.push({ offset: base + pos, bytes: nl - pos });
      pos = nl + 1;
      continue;
    }
    const text = buf.toString('utf8', pos, nl);
    if (isRecordStart(text)) return undefined;
    hits.push({ start: base + pos, end: base + nl, wanted, record: false, timeMs: null, relLine: 0 });
    pos = nl + 1;
  }
  return wanted;
}

/** Gives hits[first…] consecutive line numbers starting at lineNo. */
function numberFrom(hits: ScanHit[], first: number, lineNo: number): void {
  for (let i = first; i < hits.length; i++) hits[i] = { ...hits[i]!, relLine: lineNo + (i - first) };
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let pos = from;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0 || nl >= to) return n;
    n++;
    pos = nl + 1;
  }
}
