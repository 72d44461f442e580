import { createReadStream, promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

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
  readonly gzip: boolean;
  /** Size on disk for regular files (compressed size for .gz), else null. */
  readonly bytes: number | null;
  /** A plain regular file: can be read by byte ranges (parallel scans). */
  readonly seekable: boolean;
}

const CHUNK_BYTES = 1024 * 1024;

function describeFsError(name: string, err: unknown): string {
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
    default:
      return `cannot read '${name}': ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}

/** Checks a source before streaming it, so problems surface as one clear line. */
export async function inspectSource(name: string): Promise<SourceInfo> {
  if (name === '-') return { name, label: name, isStdin: true, gzip: false, bytes: null, seekable: false };
  let stat;
  try {
    stat = await fsp.stat(name);
  } catch (err) {
    throw new InputError(describeFsError(name, err));
  }
  if (stat.isDirectory()) throw new InputError(`cannot read '${name}': it is a directory`);
  let handle;
  try {
    handle = await fsp.open(name, 'r');
  } catch (err) {
    throw new InputError(describeFsError(name, err));
  }
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    // Decide by content, not by name: logrotate may compress without the .gz suffix.
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    return { name, label: name, isStdin: false, gzip, bytes: stat.isFile() ? stat.size : null, seekable: stat.isFile() && !gzip };
  } finally {
    await handle.close();
  }
}

/** The byte stream of a source, gunzipped when needed. */
export function openSource(info: SourceInfo, stdin: Readable = process.stdin): Readable {
  if (info.isStdin) return stdin;
  const file = createReadStream(info.name, { highWaterMark: CHUNK_BYTES });
  if (!info.gzip) return file;
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  file.on('error', (err) => gunzip.destroy(err));
  return file.pipe(gunzip);
}

/** Turns a stream error into the one line the user sees. */
export function describeReadError(info: SourceInfo, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (info.gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end/i.test(String(err)))) {
    return `'${info.name}': the gzip data is truncated or corrupt; read what came before it`;
  }
  return describeFsError(info.name, err);
}

const ROTATION_SUFFIX = /^(.*?)(?:\.(\d{1,3}|\d{4}-\d{2}-\d{2}(?:_\d{2}(?:-\d{2}(?:-\d{2})?)?)?))?(?:\.gz)?$/;

/** The log a (possibly rotated) file name belongs to: `homeserver.log` for `homeserver.log.2.gz`. */
export function rotationBase(name: string): string {
  return ROTATION_SUFFIX.exec(name)?.[1] ?? name;
}

/**
 * True when `newer` is the next piece of the same log after `older` (`homeserver.log.1`, then
 * `homeserver.log`), as resolveInputs orders them: one process keeps writing across a rotation,
 * so its requests and restart epochs carry on.
 */
export function continuesRotation(older: SourceInfo, newer: SourceInfo): boolean {
  return !older.isStdin && !newer.isStdin && older.name !== newer.name && rotationBase(older.name) === rotationBase(newer.name);
}

/**
 * Orders rotated siblings oldest first (`homeserver.log.3`, `.2`, `.1`, `homeserver.log`;
 * dated suffixes by date) so a run reads time forward. Unrelated names keep the user's order.
 */
export function orderRotations(names: readonly string[]): string[] {
  const keyed = names.map((name, index) => {
    const m = ROTATION_SUFFIX.exec(name);
    const base = rotationBase(name);
    const suffix = m?.[2];
    // Larger rank = newer. The live file (no suffix) is newest.
    let rank: number;
    if (suffix === undefined) rank = Number.MAX_SAFE_INTEGER;
    else if (/^\d{1,3}$/.test(suffix)) rank = -Number(suffix);
    else rank = Date.parse(suffix.slice(0, 10)) / 1000;
    return { name, index, base, rank };
  });
  const firstIndexOfBase = new Map<string, number>();
  for (const k of keyed) if (!firstIndexOfBase.has(k.base)) firstIndexOfBase.set(k.base, k.index);
  return keyed
    .sort((a, b) => {
      const ga = firstIndexOfBase.get(a.base) ?? a.index;
      const gb = firstIndexOfBase.get(b.base) ?? b.index;
      if (ga !== gb) return ga - gb;
      return a.rank - b.rank;
    })
    .map((k) => k.name);
}
