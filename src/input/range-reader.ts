import { closeSync, openSync, readSync } from 'node:fs';
import { isRecordStart } from '../parse/line-parser.js';
import { LineSplitter, type LineHandler } from './line-splitter.js';

const CHUNK_BYTES = 1024 * 1024;
/** The tail after a range is usually a few traceback lines, if any: read it in small pieces. */
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * One read buffer per thread, reused by every range it reads: a thread reads many ranges
 * (input/parallel.ts shareJobs), and a fresh 1 MiB buffer per range is garbage that V8 frees
 * late (it was +40 MB of peak RSS). readRangeLines is synchronous, so it is never shared.
 */
let readBuffer: Buffer | null = null;

export interface RangeRead {
  /** Lines that start in [start, end), skipped ones included: the base for the next range's numbers. */
  readonly ownLines: number;
  /** Lines at the front skipped because they continue a record of the previous range. */
  readonly skippedLeading: number;
}

/**
 * Feeds the lines of one byte range of a file to `handler`, so ranges can be parsed in parallel
 * yet every line is handled exactly once: a range that does not start the file skips its leading
 * continuation lines, and every range reads on past its end until the next record start so its
 * last record keeps its traceback. Line numbers given to the handler count from the range start.
 */
export function readRangeLines(path: string, start: number, end: number, handler: LineHandler): RangeRead {
  let skipping = start > 0;
  let skippedLeading = 0;
  let ownLines = 0;
  const splitter = new LineSplitter(
    {
      line(text, lineNo, raw) {
        if (skipping) {
          if (!isRecordStart(text)) {
            skippedLeading++;
            return;
          }
          skipping = false;
        }
        handler.line(text, lineNo, raw);
      },
      overlong(lineNo, bytes) {
        if (skipping) {
          skippedLeading++;
          return;
        }
        handler.overlong(lineNo, bytes);
      },
    },
    start === 0,
  );
  const fd = openSync(path, 'r');
  const buf = (readBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES));
  try {
    let pos = start;
    while (pos < end) {
      const got = readSync(fd, buf, 0, Math.min(CHUNK_BYTES, end - pos), pos);
      if (got === 0) break;
      splitter.push(buf.subarray(0, got));
      pos += got;
    }
    splitter.end();
    ownLines = splitter.linesSeen;
    // The tail: the lines after `end` up to the next record start still belong to our last
    // record (the next range skips them). An over-long line is never a record start, so it is
    // ours too.
    let lineNo = splitter.linesSeen;
    // No record started in the range: all of it, and what follows, is an earlier range's tail.
    let stopped = skipping;
    const tail = new LineSplitter(
      {
        line(text, _n, raw) {
          if (stopped) return;
          if (isRecordStart(text)) stopped = true;
          else handler.line(text, ++lineNo, raw);
        },
        overlong(_n, bytes) {
          if (!stopped) handler.overlong(++lineNo, bytes);
        },
      },
      false,
    );
    while (!stopped) {
      const got = readSync(fd, buf, 0, TAIL_CHUNK_BYTES, pos);
      if (got === 0) {
        tail.end();
        break;
      }
      pos += got;
      tail.push(buf.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
  return { ownLines, skippedLeading };
}
