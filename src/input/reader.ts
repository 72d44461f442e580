/**
 * The one reader of log input. Three ways in, each over the one LineSplitter:
 *
 * - readSourceEvents: a whole source as a stream — a file, gzip (by its first bytes, whatever
 *   the name), stdin, a pipe or FIFO (`<(…)`, `/dev/stdin`).
 * - readRangeLines: a line-aligned byte range of a plain file (lineAlignedRanges), plus the tail
 *   of its last record, for parallel jobs. grep's byte scan reads its ranges through the same
 *   block reader (readLineBlocks).
 * - followFile / followSources: a file followed like `tail -F`, across rename and copytruncate.
 *
 * Line accounting is accounting.ts, which files are one log is rotation.ts, what the inputs are
 * is sources.ts.
 */
import { closeSync, createReadStream, openSync, readSync, promises as fsp, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import type { LineAccounting, LogEvent } from '../core/types.js';
import { isRecordStart, LineParser } from '../parse/line-parser.js';
import { account, addNotes, overlongEvent } from './accounting.js';
import { gunzip, type GzipDamage } from './gunzip.js';
import { LineSplitter, MAX_LINE_BYTES, type LineHandler } from './line-splitter.js';
import { rotationChains } from './rotation.js';
import { describeFsError, fileIdOf, InputError, inspectSource, isGzipMagic, openRawSource, type SourceInfo } from './sources.js';

// ───────────────────────────── events ─────────────────────────────

export interface EventSink {
  /**
   * Every event, in input order, with its line text. `raw` holds the original bytes when they
   * were not valid UTF-8 (so output can stay byte-exact).
   */
  event(event: LogEvent, text: string, raw: Buffer | undefined): void;
  /** Awaited between input chunks: lets a slow consumer (a pipe) hold the reader back. */
  flush?(): Promise<void> | undefined;
  /**
   * The source could not be read to its end (a damaged or cut .gz, a read error): the lines
   * before it were read. The CLI prints it after the results and exits 2 (input error).
   */
  warning?(message: string): void;
}

/** A line handler that parses each line, counts it and forwards it. */
export function parsingSplitter(file: string, sink: EventSink, acc: LineAccounting, parser = new LineParser(file)): LineSplitter {
  return new LineSplitter({
    line(text, lineNo, raw) {
      const event = parser.parse(text, lineNo);
      account(acc, event);
      sink.event(event, text, raw);
    },
    overlong(lineNo, bytes) {
      const event = overlongEvent(file, lineNo, parser.epoch, bytes);
      account(acc, event);
      sink.event(event, '', undefined);
    },
  });
}

// ───────────────────────────── a whole source, as a stream ─────────────────────────────

/** Why a source was not read to its end. */
export type ReadTrouble = { readonly gzip: GzipDamage } | { readonly failed: string };

export interface StreamOptions {
  /** Bytes of the source read so far (compressed bytes for gzip), for a progress line. */
  readonly onBytes?: (bytes: number) => void;
  /** What `-` (and `/dev/stdin` on a pipe) reads; process.stdin by default. */
  readonly stdin?: Readable;
  /** Checked after each chunk: stop reading early (e.g. only the first lines are needed). */
  readonly enough?: () => boolean;
}

/**
 * Hands the bytes of a whole source to `push`, a chunk at a time (awaited when it returns a
 * promise), gunzipped when its first two bytes are gzip's magic — by content, as `zcat` does,
 * also for pipes. Resolves with what stopped it early, or null at its end.
 */
export async function readSourceBytes(info: SourceInfo, push: (chunk: Buffer) => Promise<void> | void, opts: StreamOptions = {}): Promise<ReadTrouble | null> {
  let raw: Readable;
  try {
    raw = openRawSource(info, opts.stdin);
  } catch (err) {
    return { failed: describeFsError(info.name, err) };
  }
  const chunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    // The first two bytes decide (a pipe may deliver them one at a time).
    let head: Buffer = Buffer.alloc(0);
    let ended = false;
    while (head.length < 2) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
    if (head.length > 0) opts.onBytes?.(head.length);
    const rest = ended ? emptyChunks() : restOf(chunks, opts.onBytes);
    const stop = (): boolean => opts.enough?.() === true;
    if (isGzipMagic(head)) {
      // A file can be read again to recover what zlib held when it failed; a pipe cannot.
      const again = info.bytes !== null ? () => createReadStream(info.name, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer> : undefined;
      const damage = await gunzip(prepend(head, rest), push, { again, stop });
      return damage === null ? null : { gzip: damage };
    }
    for await (const chunk of prepend(head, rest)) {
      if (chunk.length === 0) continue;
      const waiting = push(chunk);
      if (waiting) await waiting;
      if (stop()) break;
    }
    return null;
  } catch (err) {
    return { failed: describeFsError(info.name, err) };
  } finally {
    if (raw !== (opts.stdin ?? process.stdin)) raw.destroy();
  }
}

async function* emptyChunks(): AsyncGenerator<Buffer> {}

async function* restOf(chunks: AsyncIterator<Buffer>, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    onBytes?.(next.value.length);
    yield next.value;
  }
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}

/** The one line the user sees for a source that was not read to its end. */
export function describeTrouble(info: SourceInfo, trouble: ReadTrouble, lastLine: number, lastLineComplete: boolean): string {
  const before =
    lastLine === 0 ? 'no line came before it' : `every line before it was read, the last is line ${lastLine}${lastLineComplete ? '' : ' (incomplete)'}`;
  if ('failed' in trouble) return `${trouble.failed}; ${before}`;
  const d = trouble.gzip;
  const what =
    d.kind === 'cut'
      ? `the gzip data ends early, at compressed byte ${d.offset} (the file is cut short)`
      : d.kind === 'trailing'
        ? `what follows the gzip data, at compressed byte ${d.offset}, is not gzip (ignored)`
        : `damaged gzip data at compressed byte ${d.offset} (${d.detail})`;
  const lost = d.unrecovered ? '; a pipe cannot be read twice, so up to 1 MiB just before the damage is missing' : '';
  return `'${info.label}': ${what}; ${before}${lost}`;
}

/**
 * Reads one source to its end, parsing every line. A source that cannot be read to its end (a
 * damaged .gz) becomes a warning saying where, after every line before it was read. Returns the
 * restart epoch the source ended in.
 */
export async function readSourceEvents(
  info: SourceInfo,
  sink: EventSink,
  acc: LineAccounting,
  onBytes?: (bytes: number) => void,
  stdin?: Readable,
  startEpoch = 0,
): Promise<number> {
  const parser = new LineParser(info.label, startEpoch);
  const splitter = parsingSplitter(info.label, sink, acc, parser);
  let lastByte = 10;
  const trouble = await readSourceBytes(
    info,
    (chunk) => {
      if (chunk.length === 0) return undefined;
      splitter.push(chunk);
      lastByte = chunk[chunk.length - 1]!;
      return sink.flush?.();
    },
    { onBytes, stdin },
  );
  splitter.end();
  if (trouble !== null) sink.warning?.(describeTrouble(info, trouble, splitter.linesSeen, lastByte === 10));
  // what the parser had to guess (a year, a date) or could not finish, once per source
  addNotes(acc, parser.warnings());
  return parser.epoch;
}

// ───────────────────────────── byte ranges of a plain file ─────────────────────────────

/** Reads up to a range's end in pieces this big. */
const BLOCK_READ_BYTES = 1024 * 1024;
/** Past a range's end only a few traceback lines are usually wanted: smaller reads. */
const TAIL_READ_BYTES = 64 * 1024;

/**
 * One read buffer per thread, reused by every range it reads: a thread reads many ranges
 * (input/parallel.ts shareJobs), and a fresh buffer per range is garbage that V8 frees late (it
 * was +40 MB of peak RSS). readLineBlocks is synchronous, so it is never shared.
 */
let blockBuffer: Buffer | null = null;

export interface LineBlockVisitor {
  /**
   * buf[0, to) holds whole lines, the first starting at file offset `offset` (at the end of the
   * file the last one may lack its '\n'). The bytes are only valid during the call. Return false
   * to stop reading.
   */
  block(buf: Buffer, to: number, offset: number): boolean;
  /** A line of `bytes` bytes (over MAX_LINE_BYTES, without its '\n') starting at `offset` was skipped. */
  overlong(offset: number, bytes: number): boolean;
}

/**
 * Reads a plain file from `start` as blocks of whole lines until the visitor stops or the file
 * ends: up to `end` in 1 MiB reads, past it in 64 KiB ones. A line still unfinished after
 * MAX_LINE_BYTES is skipped whole and reported, so memory stays flat (one a little longer can
 * still come whole in a block: LineSplitter counts it over-long then).
 */
export function readLineBlocks(path: string, start: number, end: number, visitor: LineBlockVisitor): void {
  const buf = (blockBuffer ??= Buffer.allocUnsafe(BLOCK_READ_BYTES + MAX_LINE_BYTES));
  const fd = openSync(path, 'r');
  try {
    let bufOffset = start; // file offset of buf[0]
    let carry = 0; // buf[0, carry): an unfinished line
    let readPos = start;
    let overlongFrom = -1; // ≥ 0: skipping an over-long line that starts there (buf holds none of it)
    for (;;) {
      const want = readPos < end ? Math.min(BLOCK_READ_BYTES, end - readPos) : TAIL_READ_BYTES;
      const got = readSync(fd, buf, carry, Math.min(want, buf.length - carry), readPos);
      if (got === 0) {
        if (overlongFrom >= 0) visitor.overlong(overlongFrom, readPos - overlongFrom);
        else if (carry > 0) visitor.block(buf, carry, bufOffset);
        return;
      }
      const readAt = readPos;
      readPos += got;
      let dataEnd = carry + got;
      if (overlongFrom >= 0) {
        const nl = buf.indexOf(10);
        if (nl < 0 || nl >= dataEnd) continue;
        if (!visitor.overlong(overlongFrom, readAt + nl - overlongFrom)) return;
        overlongFrom = -1;
        buf.copyWithin(0, nl + 1, dataEnd);
        dataEnd -= nl + 1;
        bufOffset = readAt + nl + 1;
      }
      const lastNl = dataEnd === 0 ? -1 : buf.lastIndexOf(10, dataEnd - 1);
      if (lastNl < 0) {
        if (dataEnd > MAX_LINE_BYTES) {
          overlongFrom = bufOffset;
          carry = 0;
        } else carry = dataEnd;
        continue;
      }
      if (!visitor.block(buf, lastNl + 1, bufOffset)) return;
      carry = dataEnd - lastNl - 1;
      buf.copyWithin(0, lastNl + 1, dataEnd);
      bufOffset += lastNl + 1;
    }
  } finally {
    closeSync(fd);
  }
}

function byteAt(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  try {
    const one = Buffer.alloc(1);
    return readSync(fd, one, 0, 1, offset) === 1 ? one[0]! : -1;
  } finally {
    closeSync(fd);
  }
}

/** Splits [0, size) into n ranges that start at line starts. */
export function lineAlignedRanges(path: string, size: number, n: number): Array<[number, number]> {
  if (n <= 1) return [[0, size]];
  const fd = openSync(path, 'r');
  const probe = Buffer.allocUnsafe(64 * 1024);
  const starts = [0];
  try {
    for (let i = 1; i < n; i++) {
      let pos = Math.floor((size * i) / n);
      // Walk forward to the byte after the next newline.
      for (;;) {
        const got = readSync(fd, probe, 0, probe.length, pos);
        if (got === 0) {
          pos = size;
          break;
        }
        const nl = probe.subarray(0, got).indexOf(10);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += got;
      }
      if (pos > starts[starts.length - 1]! && pos < size) starts.push(pos);
    }
  } finally {
    closeSync(fd);
  }
  return starts.map((s, i) => [s, starts[i + 1] ?? size]);
}

export interface RangeRead {
  /** Lines that start in [start, end), skipped ones included: the base for the next range's numbers. */
  readonly ownLines: number;
  /** Lines at the front skipped because they continue a record of the previous range. */
  readonly skippedLeading: number;
}

/**
 * Feeds the lines of one byte range of a plain file to `handler`, so ranges can be parsed in
 * parallel yet every line is handled exactly once: a line belongs to the range it starts in, a
 * range that does not start the file skips its leading continuation lines, and every range
 * reads on past its end until the next record start so its last record keeps its traceback.
 * Line numbers count from the range start.
 */
export function readRangeLines(path: string, start: number, end: number, handler: LineHandler): RangeRead {
  let skipping = start > 0;
  let skippedLeading = 0;
  const own = new LineSplitter(
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
        if (skipping) skippedLeading++;
        else handler.overlong(lineNo, bytes);
      },
    },
    start === 0,
  );
  // The tail: the lines after `end` up to the next record start still belong to our last
  // record (the next range skips them). An over-long line is never a record start, so it is
  // ours too. No record started in the range: what follows is an earlier range's tail.
  let ownLines = -1; // set when the tail begins
  let lineNo = 0;
  let stopped = false;
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
  const startTail = (): void => {
    if (ownLines >= 0) return;
    own.end();
    ownLines = lineNo = own.linesSeen;
    stopped = skipping;
  };
  // Begun mid-line: that line is the previous range's (it reads on to its end).
  let midLine = start > 0 && byteAt(path, start - 1) !== 10;
  readLineBlocks(path, start, end, {
    block(buf, to, offset) {
      let from = 0;
      if (midLine) {
        const nl = buf.indexOf(10);
        if (nl < 0 || nl >= to) return true;
        midLine = false;
        from = nl + 1;
      }
      let cut = to; // where the lines starting at or after `end` begin
      if (offset + to > end) {
        cut = Math.max(0, end - offset);
        // a line that starts before `end` and runs past it is ours
        if (cut > 0 && buf[cut - 1] !== 10) {
          const nl = buf.indexOf(10, cut);
          cut = nl < 0 || nl >= to ? to : nl + 1;
        }
      }
      cut = Math.max(cut, from);
      if (cut > from) own.push(buf.subarray(from, cut));
      if (cut < to) {
        startTail();
        if (!stopped) tail.push(buf.subarray(cut, to));
      }
      return !stopped;
    },
    overlong(offset, bytes) {
      if (midLine) midLine = false;
      else if (offset < end) own.skipLine(bytes);
      else {
        startTail();
        if (!stopped) tail.skipLine(bytes);
      }
      return !stopped;
    },
  });
  if (ownLines < 0) {
    own.end();
    ownLines = own.linesSeen;
  } else tail.end();
  return { ownLines, skippedLeading };
}

// ───────────────────────────── follow (tail -F) ─────────────────────────────

export interface FollowOptions {
  /** How often to look for new data and rotation. */
  readonly pollMs?: number;
  /** Stops following (the promise then resolves). */
  readonly signal: AbortSignal;
  /** Called after each batch of new data (for live redraws and summaries). */
  readonly onBatch?: () => void;
  /**
   * Called once, when the file has been read as far as it reached when it was opened, or to an end
   * or a rotation before that: what follows is new lines (also when they were already written by
   * the time the old ones were read, so no read ever found the end in between).
   */
  readonly onCaughtUp?: () => void;
  /** Called when the file was rotated (renamed or truncated) and reading restarted on the new file. */
  readonly onRotate?: (how: 'renamed' | 'truncated') => void;
  /** The restart epoch the file begins in (it continues a rotated log read before it). */
  readonly startEpoch?: number;
  /** A file that is not there (yet): wait for it like `tail -F` (the default), or fail (InputError). */
  readonly missing?: 'wait' | 'fail';
}

const FOLLOW_READ_BYTES = 1024 * 1024;
/** The last bytes read, compared before reading on: a copytruncate rewritten past our position changes them. */
const TAIL_BYTES = 64;
/** At most this much of the file's first line is compared: a copytruncate starts with a new first line. */
const HEAD_BYTES = 4096;

/** The file as it is now at `path`, or null (between a rename and the new file, or not there yet). */
async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await fsp.stat(path);
  } catch {
    return null;
  }
}

async function openOrNull(path: string): Promise<fsp.FileHandle | null> {
  try {
    return await fsp.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(describeFsError(path, err));
  }
}

/**
 * Reads a file from its start and keeps following it like `tail -F`: new lines are parsed as
 * they are written; when the file is renamed away (TimedRotatingFileHandler, logrotate) the old
 * file is read to its end before the new one is opened; when it is truncated in place
 * (copytruncate) reading restarts at its beginning — also when it was rewritten past our
 * position before we looked, which the first line and the last bytes read tell (size alone
 * cannot). A file that is not there yet is waited for. A gzip file (an old piece of a rotated
 * log) or a pipe is read to its end as a stream: it does not grow. Polling, not fs.watch:
 * watch events are unreliable across rotation and on network filesystems.
 */
export async function followFile(path: string, sink: EventSink, acc: LineAccounting, opts: FollowOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 200;
  const signal = opts.signal;
  // One parser across rotations: the restart epoch continues in the new file.
  const parser = new LineParser(path, opts.startEpoch ?? 0);
  let caughtUp = false;
  const reachedEnd = (): void => {
    if (caughtUp) return;
    caughtUp = true;
    opts.onCaughtUp?.();
  };
  const asStream = async (): Promise<void> => {
    await readSourceEvents(await inspectSource(path), sink, acc, undefined, undefined, opts.startEpoch ?? 0);
    reachedEnd();
  };
  let handle: fsp.FileHandle | null = null;
  while (handle === null) {
    // Looked at before it is opened: opening a FIFO and closing it unread would fail its writer.
    const first = await statOrNull(path);
    if (first !== null && !first.isFile()) return asStream();
    if (first !== null) handle = await openOrNull(path);
    if (handle !== null) break;
    if (opts.missing === 'fail') throw new InputError(`cannot follow '${path}': no such file`);
    await sleep(pollMs, signal);
    if (signal.aborted) return;
  }
  const stat = await handle.stat();
  if (!stat.isFile() || (await startsWithGzip(handle))) {
    await handle.close();
    return asStream();
  }
  let fileId = fileIdOf(stat);
  /** How far the file reached when it was opened: the lines after it are new. */
  const openedBytes = stat.size;
  let splitter = parsingSplitter(path, sink, acc, parser);
  let pos = 0;
  const buf = Buffer.allocUnsafe(FOLLOW_READ_BYTES);
  const tail = Buffer.alloc(TAIL_BYTES);
  let tailLength = 0;
  let head: Buffer | undefined;

  const drain = async (from: fsp.FileHandle): Promise<number> => {
    let total = 0;
    for (;;) {
      const { bytesRead } = await from.read(buf, 0, FOLLOW_READ_BYTES, pos);
      if (bytesRead === 0) return total;
      const chunk = buf.subarray(0, bytesRead);
      if (pos === 0) rememberHead(chunk);
      pos += bytesRead;
      total += bytesRead;
      rememberTail(chunk);
      splitter.push(chunk);
      if (pos >= openedBytes) reachedEnd();
      const waiting = sink.flush?.();
      if (waiting) await waiting;
    }
  };

  function rememberTail(chunk: Buffer): void {
    if (chunk.length >= TAIL_BYTES) {
      chunk.copy(tail, 0, chunk.length - TAIL_BYTES);
      tailLength = TAIL_BYTES;
    } else {
      const keep = Math.min(tailLength, TAIL_BYTES - chunk.length);
      tail.copy(tail, 0, tailLength - keep, tailLength);
      chunk.copy(tail, keep);
      tailLength = keep + chunk.length;
    }
  }

  function rememberHead(chunk: Buffer): void {
    const nl = chunk.indexOf(10);
    head = Buffer.from(chunk.subarray(0, Math.min(nl < 0 ? chunk.length : nl + 1, HEAD_BYTES)));
  }

  /** What we read is no longer in the file: it was truncated (and maybe rewritten past our position). */
  async function truncated(from: fsp.FileHandle): Promise<boolean> {
    if (pos === 0) return false;
    if ((await from.stat()).size < pos) return true;
    const differs = async (expected: Buffer, at: number): Promise<boolean> => {
      const check = Buffer.alloc(expected.length);
      const { bytesRead } = await from.read(check, 0, expected.length, at);
      return bytesRead < expected.length || !check.equals(expected);
    };
    if (head !== undefined && head.length > 0 && (await differs(head, 0))) return true;
    return tailLength > 0 && differs(tail.subarray(0, tailLength), pos - tailLength);
  }

  /** Read the file (the new one, or the rewritten one) again from its start. */
  function startOver(reason: 'renamed' | 'truncated'): void {
    splitter.end();
    // the old file was read to its end (or rewritten): the next one holds new lines
    reachedEnd();
    pos = 0;
    tailLength = 0;
    head = undefined;
    splitter = parsingSplitter(path, sink, acc, parser);
    opts.onRotate?.(reason);
  }

  try {
    while (!signal.aborted) {
      const current = await statOrNull(path);
      if (current !== null && fileIdOf(current) !== fileId) {
        // Renamed away (or replaced): finish the old file, including a last line without
        // newline, then switch to the new one.
        const next = await openOrNull(path);
        if (next !== null) {
          const nextStat = await next.stat();
          if (nextStat.isFile() && !(await startsWithGzip(next))) {
            await drain(handle);
            await handle.close();
            handle = next;
            fileId = fileIdOf(nextStat);
            startOver('renamed');
            continue;
          }
          await next.close(); // a gzip or a pipe there is not the live log: keep reading the old one
        }
      }
      if (await truncated(handle)) {
        startOver('truncated');
        continue;
      }
      const got = await drain(handle);
      if (got > 0) opts.onBatch?.();
      else {
        reachedEnd();
        await sleep(pollMs, signal);
      }
    }
  } finally {
    splitter.end();
    await handle.close().catch(() => undefined);
  }
}

async function startsWithGzip(handle: fsp.FileHandle): Promise<boolean> {
  const magic = Buffer.alloc(2);
  const { bytesRead } = await handle.read(magic, 0, 2, 0);
  return isGzipMagic(magic.subarray(0, bytesRead));
}

export interface FollowSourcesOptions extends Omit<FollowOptions, 'startEpoch' | 'onRotate'> {
  /** `newer` continues the rotated log `older` (e.g. Analysis.continueFile). */
  readonly onContinue?: (older: SourceInfo, newer: SourceInfo) => void;
  readonly onRotate?: (source: SourceInfo, how: 'renamed' | 'truncated') => void;
}

/**
 * --follow over several sources: each log (rotation.ts rotationChains) has its older pieces
 * read oldest first, then its newest piece followed, its restart epochs carrying on; the logs
 * are read side by side. stdin is read to its end.
 */
export async function followSources(sources: readonly SourceInfo[], sink: EventSink, acc: LineAccounting, opts: FollowSourcesOptions): Promise<void> {
  await Promise.all(
    rotationChains(sources).map(async (chain) => {
      let epoch = 0;
      for (const [i, src] of chain.entries()) {
        if (opts.signal.aborted) return;
        if (i > 0) opts.onContinue?.(chain[i - 1]!, src);
        if (src.isStdin) epoch = await readSourceEvents(src, sink, acc, undefined, undefined, epoch);
        else if (i < chain.length - 1) epoch = await readSourceEvents(src, sink, acc, undefined, undefined, epoch);
        else await followFile(src.name, sink, acc, { ...opts, startEpoch: epoch, onRotate: (how) => opts.onRotate?.(src, how) });
      }
    }),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
