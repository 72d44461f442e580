/**
 * Which inputs are one log: the pieces of a rotated log (`homeserver.log.2.gz`, `.1`,
 * `homeserver.log`), read oldest first, continue each other's requests and restart epochs.
 * The names are those of the spec, §8 "Log files, workers and rotation": TimedRotatingFileHandler's
 * `<base>.<YYYY-MM-DD>` (the default since v1.19), RotatingFileHandler's `.1` (newest) to `.10`,
 * and `.gz` from an external logrotate.
 */
import type { SourceInfo } from './sources.js';

const ROTATION_SUFFIX = /^(.*?)(?:\.(\d{1,3}|\d{4}-\d{2}-\d{2}(?:_\d{2}(?:-\d{2}(?:-\d{2})?)?)?))?(?:\.gz)?$/;

/** The log a (possibly rotated) file name belongs to: `homeserver.log` for `homeserver.log.2.gz`. */
export function rotationBase(name: string): string {
  return ROTATION_SUFFIX.exec(name)?.[1] ?? name;
}

/**
 * True when `newer` is the next piece of the same log after `older` (`homeserver.log.1`, then
 * `homeserver.log`), as orderRotations orders them: one process keeps writing across a
 * rotation, so its requests and restart epochs carry on.
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

/**
 * The logs among `sources` (in orderRotations' order): runs of consecutive sources that are
 * pieces of one rotated log, oldest first; a source that is no rotation piece is a log alone.
 */
export function rotationChains<T extends SourceInfo>(sources: readonly T[]): T[][] {
  const chains: T[][] = [];
  sources.forEach((src, i) => {
    const prev = sources[i - 1];
    if (prev !== undefined && continuesRotation(prev, src)) chains[chains.length - 1]!.push(src);
    else chains.push([src]);
  });
  return chains;
}
