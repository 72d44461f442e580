import { promises as fsp } from 'node:fs';
import type { LineAccounting } from '../core/types.js';
import { LineParser } from '../parse/line-parser.js';
import { parsingSplitter, type EventSink } from './read-events.js';
import { InputError } from './sources.js';

export interface FollowOptions {
  /** How often to look for new data and rotation. */
  readonly pollMs?: number;
  /** Stops following (the promise then resolves). */
  readonly signal: AbortSignal;
  /** Called after each batch of new data (for live redraws and summaries). */
  readonly onBatch?: () => void;
  /** Called when the file was rotated (renamed or truncated) and reading restarted on the new file. */
  readonly onRotate?: (how: 'renamed' | 'truncated') => void;
  /** The restart epoch the file begins in (it continues a rotated log read before it). */
  readonly startEpoch?: number;
}

const READ_BYTES = 1024 * 1024;
const TAIL_BYTES = 64;
const HEAD_BYTES = 4096;

/**
 * Reads a file from its start and keeps following it like `tail -F`: new lines are parsed as
 * they are written; when the file is renamed away (TimedRotatingFileHandler, logrotate) the
 * old file is read to its end before the new one is opened; when it is truncated in place
 * (copytruncate) reading restarts at its beginning. Polling, not fs.watch: watch events are
 * unreliable across rotation and on network filesystems.
 */
export async function followFile(path: string, sink: EventSink, acc: LineAccounting, opts: FollowOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 200;
  // One parser across rotations: the restart epoch continues in the new file.
  const parser = new LineParser(path, opts.startEpoch ?? 0);
  let handle = await openOrThrow(path);
  let ino = (await handle.stat()).ino;
  let splitter = parsingSplitter(path, sink, acc, parser);
  let pos = 0;
  const buf = Buffer.allocUnsafe(READ_BYTES);
  // The last bytes read, to notice a copytruncate that was rewritten past our position
  // before we looked (size alone cannot tell then).
  const tail = Buffer.alloc(TAIL_BYTES);
  let tailLength = 0;
  // The file's first line: a copytruncate that wrote new lines starts with a different one.
  let head: Buffer | undefined;

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, READ_BYTES, pos);
      if (bytesRead === 0) return total;
      if (pos === 0) rememberHead(buf.subarray(0, bytesRead));
      pos += bytesRead;
      total += bytesRead;
      rememberTail(buf.subarray(0, bytesRead));
      splitter.push(buf.subarray(0, bytesRead));
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
    head = Buffer.from(chunk.subarray(0, nl < 0 ? Math.min(chunk.length, HEAD_BYTES) : Math.min(nl + 1, HEAD_BYTES)));
  }

  /** What we read before our position is no longer in the file: it was truncated and rewritten. */
  async function rewritten(): Promise<boolean> {
    const differs = async (expected: Buffer, at: number): Promise<boolean> => {
      const check = Buffer.alloc(expected.length);
      const { bytesRead } = await handle.read(check, 0, expected.length, at);
      return bytesRead < expected.length || !check.equals(expected);
    };
    if (head && head.length > 0 && (await differs(head, 0))) return true;
    return tailLength > 0 && differs(tail.subarray(0, tailLength), pos - tailLength);
  }

  /** Read the file (the new one, or the rewritten one) again from its start. */
  function startOver(reason: 'renamed' | 'truncated'): void {
    pos = 0;
    tailLength = 0;
    head = undefined;
    splitter = parsingSplitter(path, sink, acc, parser);
    opts.onRotate?.(reason);
  }

  try {
    while (!opts.signal.aborted) {
      const got = await drain();
      if (got > 0) opts.onBatch?.();
      let current;
      try {
        current = await fsp.stat(path);
      } catch {
        current = undefined; // between rename and re-create: keep the old file
      }
      if (current && current.ino !== ino) {
        // Renamed away: finish the old file (including a last line without newline), then switch.
        await drain();
        splitter.end();
        await handle.close();
        handle = await openOrThrow(path);
        ino = (await handle.stat()).ino;
        startOver('renamed');
        continue;
      }
      if (current && (current.size < pos || (got === 0 && (await rewritten())))) {
        // copytruncate: the same file started over.
        splitter.end();
        startOver('truncated');
        continue;
      }
      if (got === 0) await sleep(pollMs, opts.signal);
    }
  } finally {
    splitter.end();
    await handle.close().catch(() => undefined);
  }
}

async function openOrThrow(path: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot follow '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)}`);
  }
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
