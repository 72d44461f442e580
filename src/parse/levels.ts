/**
 * Level words (issue #13.6). Python's `%(levelname)s` is whatever `logging.addLevelName` registered
 * for the record's numeric level, or `Level N` for a number with no name (`logging.getLevelName`,
 * CPython Lib/logging/__init__.py). Synapse logs only the five standard names, but a log config or a
 * library may add others (`TRACE`, `NOTICE`, `SUCCESS`…), and `WARN` / `FATAL` are aliases in the
 * logging module itself. The record keeps its canonical severity in `level` and the word as logged in
 * `levelName`.
 */
import type { Level } from '../core/types.js';

/** Python's numeric levels (logging/__init__.py): CRITICAL 50, ERROR 40, WARNING 30, INFO 20, DEBUG 10. */
export function levelOfNumber(n: number): Level {
  if (n >= 50) return 'CRITICAL';
  if (n >= 40) return 'ERROR';
  if (n >= 30) return 'WARNING';
  if (n >= 20) return 'INFO';
  return 'DEBUG';
}

/**
 * Words other than the five standard names, by the numeric level they usually stand for: the logging
 * module's own aliases (`WARN` = 30, `FATAL` = 50), `NOTSET` (0), and levels libraries and other
 * ecosystems add (`TRACE` 5, `VERBOSE`/`SPAM` below DEBUG, `NOTICE`/`SUCCESS` 25, syslog's names).
 */
const ALIASES: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['WARN', 'WARNING'],
  ['FATAL', 'CRITICAL'],
  ['NOTSET', 'DEBUG'],
  ['TRACE', 'DEBUG'],
  ['VERBOSE', 'DEBUG'],
  ['SPAM', 'DEBUG'],
  ['FINE', 'DEBUG'],
  ['FINER', 'DEBUG'],
  ['FINEST', 'DEBUG'],
  ['DBG', 'DEBUG'],
  ['NOTICE', 'INFO'],
  ['SUCCESS', 'INFO'],
  ['INFORMATION', 'INFO'],
  ['CONFIG', 'INFO'],
  ['ERR', 'ERROR'],
  ['SEVERE', 'ERROR'],
  ['EXCEPTION', 'ERROR'],
  ['CRIT', 'CRITICAL'],
  ['ALERT', 'CRITICAL'],
  ['EMERG', 'CRITICAL'],
  ['EMERGENCY', 'CRITICAL'],
  ['PANIC', 'CRITICAL'],
]);

const STANDARD: ReadonlySet<string> = new Set(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']);

/** One of the five names Synapse logs, spelled as Python spells them. */
export function isStandardLevel(word: string): word is Level {
  return STANDARD.has(word);
}

/** A word the BASIC_FORMAT layout may start with: the standard names, the aliases above, `Level N`. */
export function isKnownLevelWord(word: string): boolean {
  return STANDARD.has(word) || ALIASES.has(word) || LEVEL_N.test(word);
}

const LEVEL_N = /^Level (-?\d{1,9})$/;

/**
 * Canonical severity of a level word as logged: `Level N` by N; the standard names and the aliases
 * above in any case; any other word INFO, because a record only reaches a log whose threshold it passed,
 * and Synapse's generated config (and most others) log at INFO (synapse/config/logger.py, `root: level: INFO`).
 */
export function levelOfWord(word: string): Level {
  const n = LEVEL_N.exec(word);
  if (n !== null) return levelOfNumber(Number(n[1]));
  const up = word.toUpperCase();
  if (STANDARD.has(up)) return up as Level;
  return ALIASES.get(up) ?? 'INFO';
}

/**
 * End of a level word at `i` in a header: `Level N` (space included) or a word of letters, digits and
 * `_` starting with a letter; -1 when there is none.
 */
export function levelWordEnd(s: string, i: number): number {
  const n = s.length;
  let j = i;
  const c0 = s.charCodeAt(j);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return -1;
  while (j < n) {
    const c = s.charCodeAt(j);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95) j++;
    else break;
  }
  // `Level 5`: Python's name for an unnamed numeric level has a space in it
  if (j - i === 5 && s.startsWith('Level ', i)) {
    let k = j + 1;
    if (s.charCodeAt(k) === 45) k++;
    const d0 = k;
    while (k < n && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
    if (k > d0 && k - d0 <= 9) return k;
  }
  return j;
}

/** Python's `syslog`/journald priority (`PRIORITY` field, 0–7) as a level (python-systemd's JournalHandler mapping). */
export function levelOfPriority(p: number): Level | null {
  if (!Number.isInteger(p) || p < 0 || p > 7) return null;
  if (p <= 2) return 'CRITICAL';
  if (p === 3) return 'ERROR';
  if (p === 4) return 'WARNING';
  if (p <= 6) return 'INFO';
  return 'DEBUG';
}
