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
}

const READ_BYTES = 1024 * 1024;

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
  const parser = new LineParser(path);
  let handle = await openOrThrow(path);
  let ino = (await handle.stat()).ino;
  let splitter = parsingSplitter(path, sink, acc, parser);
  let pos = 0;
  const buf = Buffer.allocUnsafe(READ_BYTES);

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, READ_BYTES, pos);
      if (bytesRead === 0) return total;
      pos += bytesRead;
      total += bytesRead;
      splitter.push(buf.subarray(0, bytesRead));
      const waiting = sink.flush?.();
      if (waiting) await waiting;
    }
  };

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
        pos = 0;
        splitter = parsingSplitter(path, sink, acc, parser);
        opts.onRotate?.('renamed');
        continue;
      }
      if (current && current.size < pos) {
        // copytruncate: the same file started over.
        splitter.end();
        pos = 0;
        splitter = parsingSplitter(path, sink, acc, parser);
        opts.onRotate?.('truncated');
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
