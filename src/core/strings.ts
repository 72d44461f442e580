/**
 * Strings the analysis keeps past the current line must not pin the input. Lines are slices of
 * a whole read block (1 MiB or more), and V8's sliced strings keep their parent alive: one
 * kept URI per block would keep the whole log in memory (measured: 2.2 GB heap on a 1 GB log
 * before this). Concatenating forces a flat copy; slicing that copy drops the extra character
 * and references only the copy.
 */
export function detach(s: string): string {
  return s.length === 0 ? s : (' ' + s).slice(1);
}

export function detachOrNull(s: string | null): string | null {
  return s === null ? null : detach(s);
}
