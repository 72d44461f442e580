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

/**
 * How much of a log-supplied text (URI, user agent, message, server name) the analysis keeps past
 * its line. Lines may be up to 1 MiB and findings, caches and open requests are kept by the
 * thousand: whole texts would make memory grow with line length (#11). Past this, a kept text
 * ends with `…`; grep and report excerpts print lines from the input, not these.
 */
export const KEPT_TEXT_CHARS = 2048;

/** A flat copy of `s` (see detach), at most `maxChars` long: a cut text ends with `…`. */
export function keepText(s: string, maxChars = KEPT_TEXT_CHARS): string {
  return detach(s.length <= maxChars ? s : `${s.slice(0, maxChars - 1)}…`);
}

export function keepTextOrNull(s: string | null, maxChars = KEPT_TEXT_CHARS): string | null {
  return s === null ? null : keepText(s, maxChars);
}
