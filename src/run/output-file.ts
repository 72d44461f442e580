/**
 * Files synlog writes (`report -o`, `--redaction-map`): checked before any input is read or
 * anything printed — never an input log (same device and inode, so also through a symlink or a
 * hard link), never a directory, in a directory that exists and can be written — and written
 * through a temporary file in the same directory, renamed into place, so a failed write leaves
 * the old file as it was.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileIdOf, type SourceInfo } from '../input/sources.js';
import { UsageError } from './inputs.js';

/** The output (stdout, -o, --redaction-map) could not be written: one line, exit 74. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

export interface OutputFile {
  /** As the user gave it (for messages). */
  readonly name: string;
  /** What `--flag` it came from, for messages: `-o`, `--redaction-map`. */
  readonly option: string;
  /** The file to write, symlinks resolved. */
  readonly path: string;
  /** `dev:ino` when the file exists. */
  readonly fileId: string | null;
  /** Not a regular file (a device like /dev/null, a FIFO): written as it is, no temporary file. */
  readonly direct: boolean;
  /** Permission bits of the file it replaces (kept), or null for a new file. */
  readonly keepMode: number | null;
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return (err as Error | undefined)?.message ?? String(err);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Checks where `option` would write `name`; a one-line UsageError (exit 2) when it cannot. */
export function checkOutputFile(name: string, option: string): OutputFile {
  const refuse = (why: string): never => {
    throw new UsageError(`cannot write ${option} '${name}': ${why}`);
  };
  try {
    const stat = statOrNull(name);
    if (stat !== null) {
      if (stat.isDirectory()) refuse('it is a directory');
      try {
        accessSync(name, constants.W_OK);
      } catch (err) {
        refuse(errnoText(err));
      }
      const path = realpathSync(name);
      const direct = !stat.isFile();
      if (!direct) checkDirectory(dirname(path), refuse);
      return { name, option, path, fileId: fileIdOf(stat), direct, keepMode: direct ? null : stat.mode & 0o7777 };
    }
    if (lstatOrNull(name)?.isSymbolicLink()) refuse('it is a symbolic link to a file that does not exist');
    const dir = dirname(resolve(name));
    const dirStat = statOrNull(dir);
    if (dirStat === null) refuse(`no such directory '${dirname(name)}'`);
    if (!dirStat!.isDirectory()) refuse(`'${dirname(name)}' is not a directory`);
    checkDirectory(dir, refuse);
    return { name, option, path: join(realpathSync(dir), basename(name)), fileId: null, direct: false, keepMode: null };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return refuse(errnoText(err));
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function checkDirectory(dir: string, refuse: (why: string) => never): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    refuse(`its directory is not writable (${errnoText(err)})`);
  }
}

/**
 * Refuses outputs that would overwrite an input log or each other: the same file (dev and
 * inode: a symlink or a hard link to it is the same file) or the same real path.
 */
export function checkOutputsAgainstInputs(outputs: readonly OutputFile[], inputs: readonly SourceInfo[]): void {
  const inputPaths = new Map<string, SourceInfo>();
  for (const src of inputs) {
    if (src.isStdin) continue;
    try {
      inputPaths.set(realpathSync(src.name), src);
    } catch {
      // a pipe that went away, a file being waited for: nothing to compare
    }
  }
  for (const out of outputs) {
    const input = inputs.find((s) => s.fileId !== undefined && s.fileId === out.fileId) ?? inputPaths.get(out.path);
    if (input !== undefined && !out.direct) {
      const which = input.isStdin ? 'the log on stdin' : input.name === out.name ? 'an input log' : `the input log '${input.name}'`;
      throw new UsageError(`refusing to write ${out.option} '${out.name}': it is ${which}`);
    }
  }
  outputs.forEach((a, i) => {
    const b = outputs.slice(i + 1).find((o) => o.path === a.path || (a.fileId !== null && o.fileId === a.fileId));
    if (b !== undefined && !a.direct) throw new UsageError(`${a.option} '${a.name}' and ${b.option} '${b.name}' are the same file`);
  });
}

/**
 * Writes `text` to a checked output: a regular file through a temporary file in its directory,
 * renamed into place (the old file stays whole if the write fails); a device or FIFO directly.
 * `mode` is for a new file; a replaced file keeps its permissions unless `private`.
 */
export function writeOutputFile(out: OutputFile, text: string, opts: { readonly private?: boolean } = {}): void {
  const mode = opts.private ? 0o600 : (out.keepMode ?? 0o666);
  if (out.direct) {
    try {
      writeFileSync(out.path, text);
    } catch (err) {
      throw new OutputError(`cannot write ${out.option} '${out.name}': ${errnoText(err)}`);
    }
    return;
  }
  const temp = join(dirname(out.path), `.${basename(out.path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    // 'wx': never through a file (or link) someone put there; the mode applies (less umask).
    writeFileSync(temp, text, { flag: 'wx', mode });
    renameSync(temp, out.path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new OutputError(`cannot write ${out.option} '${out.name}': ${errnoText(err)}`);
  }
}
