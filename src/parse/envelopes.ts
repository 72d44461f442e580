/**
 * What a Synapse log line may arrive wrapped in, and the other layouts a log config can give it
 * (issues #12, #13): pure pattern helpers; line-parser.ts decides when to try them (only after the text
 * layout's own header was not found, so the common line pays nothing for them).
 */
import { monthOfWord } from './months.js';
import { civilTimeMs, parseIsoTimeMs } from './time.js';

// ---- syslog / journalctl prefixes (spec §1.4; issue #12) ------------------------------------------

/**
 * A journalctl or syslog prefix, `<time> <host> <ident>[<pid>]: ` (journalctl(1) `--output`):
 *  - short / short-precise, and syslog files: `%b %d %H:%M:%S[.µs]`, the month word in the reader's
 *    locale (`Jun`, `juil.`, `Mär`, `ago.`: a word of letters, possibly ending in `.`, where a letter is
 *    an ASCII one or any character from U+00C0 on; et_EE pads it with spaces), the day zero- or
 *    space-padded (a non-`u` regex: irregexp runs Unicode property classes several times slower);
 *  - short-iso / short-iso-precise (and RFC 5424 files): `2024-06-01T08:02:11[.µs]+0000` (or `+00:00`, `Z`);
 *  - short-full: `Sat 2024-06-01 08:02:11[.µs] UTC`;
 *  - short-unix: `1717228931.411182`.
 * Groups: 1 month word, 2 day, 3 h, 4 min, 5 s, 6 fraction; 7 ISO time; 8 date, 9 time (short-full); 10 unix.
 */
const WORD = String.raw`[A-Za-z\u00c0-\uffff]+\.?`;
export const SYSLOG_PREFIX = new RegExp(
  String.raw`^(?:(${WORD}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?` +
    String.raw`|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d))` +
    String.raw`|${WORD} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) [A-Za-z][\w+\-/]*` +
    String.raw`|(\d{9,11}\.\d{1,9})` +
    String.raw`) \S+ [^\s[\]:]+(?:\[\d+\])?: `,
);

/** SYSLOG_PREFIX without its groups, sticky: its length is read from lastIndex, with no match array. */
const SYSLOG_PREFIX_SHAPE = new RegExp(SYSLOG_PREFIX.source.slice(1).replace(/\((?!\?)/g, '(?:'), 'y');

/** The length of the SYSLOG_PREFIX `s` starts with, or -1. */
export function syslogPrefixEnd(s: string): number {
  SYSLOG_PREFIX_SHAPE.lastIndex = 0;
  return SYSLOG_PREFIX_SHAPE.test(s) ? SYSLOG_PREFIX_SHAPE.lastIndex : -1;
}

/** A syslog prefix's time, as far as the prefix gives it. */
export interface SyslogTime {
  /** Epoch ms when the prefix has a full date (ISO, short-full, unix); NaN otherwise. */
  readonly ms: number;
  /** short / short-precise: month 1–12, or 0 for a month word in no table; day; ms since midnight. */
  readonly month: number;
  readonly day: number;
  readonly clockMs: number;
  /** The month word as logged (for the note about unknown ones), '' for the dated forms. */
  readonly monthWord: string;
  /** The time text as logged, for a `time out of range` reason. */
  readonly text: string;
}

/** Milliseconds of a fraction's digits (`411182` → 411). */
function fractionMs(frac: string | undefined): number {
  if (frac === undefined || frac === '') return 0;
  return Number((frac + '00').slice(0, 3));
}

/** The time of the SYSLOG_PREFIX `s` starts with (the caller found one). */
export function syslogTime(s: string): SyslogTime {
  const m = SYSLOG_PREFIX.exec(s);
  if (m === null) return { ms: Number.NaN, month: 0, day: 0, clockMs: -1, monthWord: '', text: '' };
  return syslogTimeOfMatch(m);
}

function syslogTimeOfMatch(m: RegExpExecArray): SyslogTime {
  const iso = m[7];
  if (iso !== undefined) return { ms: parseIsoTimeMs(iso) ?? Number.NaN, month: 0, day: 0, clockMs: -1, monthWord: '', text: iso };
  const fullDate = m[8];
  if (fullDate !== undefined) {
    const t = m[9] ?? '';
    // journalctl prints short-full in local time with the zone's name: read as wall-clock time, like Synapse's own asctime
    const ms = parseIsoTimeMs(`${fullDate}T${t}Z`) ?? Number.NaN;
    return { ms, month: 0, day: 0, clockMs: -1, monthWord: '', text: `${fullDate} ${t}` };
  }
  const unix = m[10];
  if (unix !== undefined) return { ms: Math.floor(Number(unix) * 1000), month: 0, day: 0, clockMs: -1, monthWord: '', text: unix };
  const word = m[1] ?? '';
  const h = Number(m[3]);
  const mi = Number(m[4]);
  const s = Number(m[5]);
  const clockMs = h > 23 || mi > 59 || s > 59 ? -1 : ((h * 60 + mi) * 60 + s) * 1000 + fractionMs(m[6]);
  const text = `${word} ${m[2]} ${m[3]}:${m[4]}:${m[5]}${m[6] === undefined ? '' : `.${m[6]}`}`;
  return { ms: Number.NaN, month: monthOfWord(word), day: Number(m[2]), clockMs, monthWord: word, text };
}

/** Epoch ms of a short-format syslog time in `year`, or null when the day or clock is impossible. */
export function syslogTimeInYear(t: SyslogTime, year: number): number | null {
  if (t.clockMs < 0 || t.month === 0) return null;
  const day = civilTimeMs(year, t.month, t.day, 0, 0, 0, 0);
  return day === null ? null : day + t.clockMs;
}

// ---- container runtimes ---------------------------------------------------------------------------

/**
 * The CRI log format (Kubernetes, containerd, CRI-O: `<RFC 3339 nano time> <stream> <tag> <content>`,
 * where the tag is `F` for a full line or `P` for a partial one that the next record continues;
 * kubernetes/cri-api, `pkg/apis/runtime/v1/api.proto`, and the kubelet's `logs.go`).
 * Groups: 1 time, 2 stream, 3 tag.
 */
export const CRI_PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)) (stdout|stderr) ([FP])(?: |$)/;

// ---- pasted excerpts (issue #13.5) ----------------------------------------------------------------

/** A Markdown code fence line (```` ``` ````, `~~~`, with an info string, inside quotes or a list). */
// (each run of blanks has one place in the pattern: two adjacent `[ \t]*` would be quadratic on a line of blanks)
export const FENCE = /^[ \t]*(?:>[ \t]*)*(?:[*+-][ \t]+)?(?:`{3,}|~{3,})/;

/** Decoration at the start of an excerpt line: indentation, `>` quote marks (any depth), one list bullet, inline-code backticks. */
export function decorationEnd(s: string): number {
  const n = s.length;
  let i = 0;
  const ws = (c: number): boolean => c === 32 || c === 9;
  while (i < n && ws(s.charCodeAt(i))) i++;
  while (s.charCodeAt(i) === 62) {
    i++; // >
    while (i < n && ws(s.charCodeAt(i))) i++;
  }
  const b = s.charCodeAt(i);
  if ((b === 42 || b === 43 || b === 45) && ws(s.charCodeAt(i + 1))) {
    i += 2; // * + -
    while (i < n && ws(s.charCodeAt(i))) i++;
  }
  while (s.charCodeAt(i) === 96) i++; // `
  return i;
}

/** Where an excerpt line's text ends: before closing inline-code backticks (and blanks after them), else the end. */
export function decorationTailStart(s: string, from: number): number {
  let e = s.length;
  while (e > from && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
  if (e === from || s.charCodeAt(e - 1) !== 96) return s.length;
  while (e > from && s.charCodeAt(e - 1) === 96) e--;
  return e;
}

// ---- Python's BASIC_FORMAT and custom asctime layouts ---------------------------------------------

/**
 * `logging.BASIC_FORMAT`, `%(levelname)s:%(name)s:%(message)s` (CPython Lib/logging/__init__.py), what
 * `logging.basicConfig()` writes when a log config lost its formatter. Groups: 1 level word, 2 logger.
 * The level word must be a known one (levels.ts isKnownLevelWord), so that `KeyError:x:y` is no header.
 */
export const BASIC_HEADER = /^(Level -?\d{1,9}|[A-Z]+):([A-Za-z_][\w.-]*):/;

/**
 * A custom `asctime` before the precise formatter's fields: a log config whose `datefmt` dropped the
 * date (`%H:%M:%S` → `08:02:11`) or whose format has `%(asctime)s` without `,%(msecs)03d`, or a date
 * with `T` or `.` (the default `YYYY-MM-DD HH:MM:SS,mmm` is the text layout's own header).
 * Groups: 1–3 date (optional), 4–6 clock, 7 fraction.
 */
export const CUSTOM_ASCTIME = /^(?:(\d{4})-(\d\d)-(\d\d)[ T])?(\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))? - /;

/** ms since midnight of a CUSTOM_ASCTIME match, or -1 for an impossible clock. */
export function asctimeClockMs(m: RegExpExecArray): number {
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (h > 23 || mi > 59 || s > 59) return -1;
  return ((h * 60 + mi) * 60 + s) * 1000 + fractionMs(m[7]);
}

// ---- JSON -----------------------------------------------------------------------------------------

/**
 * Python's `json.dumps` writes `NaN`, `Infinity` and `-Infinity` for non-finite floats (allow_nan=True,
 * its default), which JSON.parse rejects. Outside strings they are replaced by marker strings
 * (NONFINITE_MARK + the word) so the object still parses and the value can be reported. null when the
 * text has none of them outside strings.
 */
export const NONFINITE_MARK = '\u0000nonfinite:';

const MAX_NONFINITE = 16;

export function replaceNonFinite(s: string): string | null {
  let out = '';
  let last = 0;
  let inString = false;
  let changed = false;
  let replaced = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash escape
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    let word = '';
    if (c === 78 && s.startsWith('NaN', i)) word = 'NaN';
    else if (c === 73 && s.startsWith('Infinity', i)) word = 'Infinity';
    else if (c === 45 && s.startsWith('-Infinity', i)) word = '-Infinity';
    if (word === '') continue;
    // a log line has a few numbers; hundreds of NaNs are no log object (and would cost a parse each)
    if (++replaced > MAX_NONFINITE) return null;
    out += `${s.slice(last, i)}"\\u0000nonfinite:${word}"`;
    i += word.length - 1;
    last = i + 1;
    changed = true;
  }
  return changed ? out + s.slice(last) : null;
}

/** `__REALTIME_TIMESTAMP` (µs since 1970, a decimal string in journalctl's JSON) as epoch ms; NaN if unreadable. */
export function journalTimeMs(v: unknown): number {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Math.floor(Number(v) / 1000);
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v / 1000);
  return Number.NaN;
}

/**
 * journalctl -o json's `MESSAGE`: a string, or an array of byte values when the message is not valid
 * UTF-8 (systemd.journal-fields(7), journalctl's JSON output); decoded with U+FFFD for bad sequences.
 * null when absent or null (journalctl prints null for fields over 4096 bytes unless `--all`).
 */
export function journalMessage(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(v as number[]).toString('utf8');
  }
  return null;
}
