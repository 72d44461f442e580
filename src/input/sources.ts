/**
 * What the inputs are: regular files (plain or gzip, by content), anything else (a pipe, a FIFO,
 * `<(…)`, `/dev/stdin`, a character device) read as a stream, and stdin. Checked before any
 * line is read, so a missing file or a directory is one line, never a stack trace.
 */
import { createReadStream, fstatSync, promises as fsp, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { orderRotations } from './rotation.js';

/** A user-facing problem with an input: printed as one line, never a stack trace. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface SourceInfo {
  /** Path to open; `-` is stdin. */
  readonly name: string;
  /** Name shown in output and records (`file`): the path as given, `-` for stdin. */
  readonly label: string;
  readonly isStdin: boolean;
  /**
   * A regular file that holds gzip data (by its first bytes, not its name: logrotate may
   * compress without the .gz suffix). Streams are checked when read (see reader.ts).
   */
  readonly gzip: boolean;
  /** Size on disk for regular files (compressed size for .gz), else null. */
  readonly bytes: number | null;
  /** A plain regular file: can be read by byte ranges (parallel scans). Never a pipe or a FIFO. */
  readonly seekable: boolean;
  /** `dev:ino` when known: the same file under two names (a symlink, a hard link) is one input. */
  readonly fileId?: string;
  /** With --follow, a file that does not exist yet: following waits for it, like `tail -F`. */
  readonly waiting?: boolean;
}

/** Bytes per read of a stream. */
export const STREAM_CHUNK_BYTES = 1024 * 1024;

export function describeFsError(name: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot read '${name}': no such file`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read '${name}': permission denied`;
    case 'EISDIR':
      return `cannot read '${name}': it is a directory`;
    case 'ELOOP':
      return `cannot read '${name}': too many symbolic links`;
    case 'ENOTDIR':
      return `cannot read '${name}': a part of the path is not a directory`;
    default:
      return `cannot read '${name}': ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}

export function fileIdOf(stat: Pick<Stats, 'dev' | 'ino'>): string {
  return `${stat.dev}:${stat.ino}`;
}

/** True for the two gzip magic bytes (RFC 1952 §2.3.1: ID1 = 0x1f, ID2 = 0x8b). */
export function isGzipMagic(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The descriptor behind `/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N` (bash's `<(…)`). A pipe or
 * socket there is read through that descriptor: reopening a socket by path fails (ENXIO).
 */
export function inheritedFd(name: string): number | null {
  if (name === '/dev/stdin') return 0;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

function stdinInfo(): SourceInfo {
  let fileId: string | undefined;
  try {
    fileId = fileIdOf(fstatSync(0));
  } catch {
    fileId = undefined; // stdin closed: reading it ends at once
  }
  return { name: '-', label: '-', isStdin: true, gzip: false, bytes: null, seekable: false, fileId };
}

/**
 * Checks a source before it is read, so problems surface as one clear line. A pipe or FIFO is
 * not opened here (opening a FIFO and closing it unread would make its writer fail); a regular
 * file's first two bytes say whether it is gzip. With `follow`, a missing file is waited for.
 */
export async function inspectSource(name: string, opts: { readonly follow?: boolean } = {}): Promise<SourceInfo> {
  if (name === '-') return stdinInfo();
  let stat: Stats;
  try {
    stat = await fsp.stat(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (opts.follow && (code === 'ENOENT' || code === 'ENOTDIR')) {
      return { name, label: name, isStdin: false, gzip: false, bytes: null, seekable: false, waiting: true };
    }
    throw new InputError(describeFsError(name, err));
  }
  if (stat.isDirectory()) throw new InputError(`cannot read '${name}': it is a directory`);
  const fileId = fileIdOf(stat);
  if (!stat.isFile()) return { name, label: name, isStdin: false, gzip: false, bytes: null, seekable: false, fileId };
  let handle;
  try {
    handle = await fsp.open(name, 'r');
  } catch (err) {
    throw new InputError(describeFsError(name, err));
  }
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const gzip = isGzipMagic(magic.subarray(0, bytesRead));
    return { name, label: name, isStdin: false, gzip, bytes: stat.size, seekable: !gzip, fileId };
  } finally {
    await handle.close();
  }
}

export interface ResolveOptions {
  /** --follow: a missing file is waited for (`tail -F`), not an error. */
  readonly follow?: boolean;
  /** One-line notes for the user (the same file twice, an empty file, waiting for a file). */
  readonly note?: (message: string) => void;
}

/**
 * The sources for these names, rotated siblings oldest first (rotation.ts). The same file
 * under two names (a symlink, a hard link, `-` and `/dev/stdin`) is read once, with a note.
 */
export async function resolveSources(names: readonly string[], opts: ResolveOptions = {}): Promise<SourceInfo[]> {
  const note = opts.note ?? (() => undefined);
  const out: SourceInfo[] = [];
  const firstName = new Map<string, string>();
  for (const name of orderRotations(names)) {
    const info = await inspectSource(name, opts);
    if (info.fileId !== undefined) {
      const first = firstName.get(info.fileId);
      if (first !== undefined) {
        note(`'${name}' is the same file as '${first}': read once`);
        continue;
      }
      firstName.set(info.fileId, name);
    }
    if (info.waiting) note(`'${name}' does not exist yet: waiting for it to appear`);
    else if (info.bytes === 0 && !opts.follow) note(`'${name}': empty: nothing to read`);
    out.push(info);
  }
  return out;
}

/** The raw bytes of a source (gzip or not: reader.ts decides by the first bytes). */
export function openRawSource(info: SourceInfo, stdin: Readable = process.stdin): Readable {
  if (info.isStdin) return stdin;
  if (!info.seekable && !info.gzip) {
    const fd = inheritedFd(info.name);
    if (fd === 0) return stdin;
    if (fd !== null) return createReadStream(info.name, { fd, highWaterMark: STREAM_CHUNK_BYTES, autoClose: false });
  }
  return createReadStream(info.name, { highWaterMark: STREAM_CHUNK_BYTES });
}

// Kept here for the callers that import them from this module; they live in rotation.ts.
export { continuesRotation, orderRotations, rotationBase } from './rotation.js';
