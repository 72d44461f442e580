import type { SourceInfo } from '../../src/input/sources.js';

/** A plain file source as resolveInputs makes it (nothing is read in a plan). */
export function fileSource(name: string, bytes = 1000): SourceInfo {
  return { name, label: name, isStdin: false, gzip: false, bytes, seekable: true };
}

export const STDIN: SourceInfo = { name: '-', label: '-', isStdin: true, gzip: false, bytes: null, seekable: false };

/** Runs `f` and returns the message of the error it throws, or null. */
export function errorOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
