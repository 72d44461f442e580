/**
 * One physical log line → one LogEvent (spec §1, §5, §6, §9, §11).
 *
 * Layouts (the formatter's, `LineFormat`), decided per line:
 *  - text: `[prefix]YYYY-MM-DD HH:MM:SS,mmm - logger - lineno - LEVEL - tag - message`. The header is
 *    checked by one sticky regex at the timestamp (column 0 first); otherwise the timestamp is searched
 *    for (journald, docker, supervisord, custom prefixes), never with a lazy `.*?` regex. The level slot
 *    may hold any level word (`Level 5`, `WARN`, `notice`: levels.ts). A custom `asctime` (`08:02:11`,
 *    `08:02:11,411`, a date without milliseconds) before the same fields is the text layout too; a
 *    time-only one takes its date from the context (see LineParserOptions).
 *  - journald (contrib/systemd/log_config.yaml): `logger: [tag] message`, optionally after a journalctl
 *    prefix; no time, no level of its own.
 *  - JSON (JsonFormatter, TerseJsonFormatter, GcpJsonFormatter, legacy `log_namespace`).
 *  - basic: Python's BASIC_FORMAT `LEVEL:logger:message`; no time, no tag.
 * Envelopes around them (`Envelope`, envelopes.ts), tried only after the text header was not found at
 * column 0 (the common line pays nothing for them): journalctl / syslog prefixes in any locale and
 * journalctl's other short formats, the CRI format (Kubernetes: `P` chunks joined with their `F`),
 * Docker's json-file objects, `journalctl -o json` objects, `name | ` prefixes, and the decoration of
 * excerpts pasted from chat or issues. A line without a time of its own takes the envelope's.
 * Any other line continues the previous record (tracebacks), unless it cannot (see `nonRecord`).
 *
 * A time outside [1970, 2100) is no time: such a line is counted as not understood (`time out of
 * range: …`), in every layout, so nothing downstream is ever sized from it.
 *
 * CRI partial lines (`P`): every physical line stays one event. A `P` chunk whose text starts a record
 * is a continuation with `partial: true`, `recordLine` = the chain's first line and the tag of its
 * header; the record itself is built from the joined text when the `F` line arrives, and is that line's
 * event (its `line` is the `F` line's). Chunks of a line that starts no record are continuations of the
 * previous record, as the whole line would have been.
 *
 * Access messages (`synapse.access.*` + the Processed/Received literal) go through access.ts. The
 * common one, a Processed line in the text layout, is read in one match: header, tag and the composed
 * access grammar (TEXT_PROCESSED); any line it does not match takes the general path.
 *
 * Performance notes (V8): a charCodeAt call costs ~20 machine instructions (it dispatches on the
 * string's representation every time), irregexp ~5–15 per character; so headers are checked by regex,
 * and charCodeAt is kept for the few characters whose values are needed (timestamp digits, numbers).
 */
import { statSync } from 'node:fs';
import type { ContinuationLine, Envelope, Level, LineFormat, LogEvent, LogRecord, UnparsedLine } from '../core/types.js';
import {
  PROCESSED_LITERAL,
  RECEIVED_LITERAL,
  buildProcessed,
  buildReceived,
  describeAccessError,
  execProcessedAt,
  execReceivedAt,
  isAccessError,
  lexAccessValues,
  processedRegexAfter,
  type AccessError,
  type Values,
} from './access.js';
import {
  BASIC_HEADER,
  CRI_PREFIX,
  CUSTOM_ASCTIME,
  FENCE,
  NONFINITE_MARK,
  asctimeClockMs,
  decorationEnd,
  decorationTailStart,
  journalMessage,
  journalTimeMs,
  replaceNonFinite,
  syslogPrefixEnd,
  syslogTime,
  syslogTimeInYear,
  type SyslogTime,
} from './envelopes.js';
import { isKnownLevelWord, isStandardLevel, levelOfPriority, levelOfWord, levelWordEnd } from './levels.js';
import { TIME_END_MS, TIME_MIN_MS, civilTimeMs, formatLogTime, logTimeMsOfShape, parseIsoTimeMs, timeInRange } from './time.js';

/** Longest text kept on an unparsed line (the caller already bounds lines at 1 MiB). */
export const UNPARSED_TEXT_MAX = 8192;
/** Longest line joined from CRI partial chunks (the bound the line splitter puts on physical lines). */
const JOINED_MAX_CHARS = 1 << 20;

const STARTUP_BANNER = '***** STARTING SERVER *****';
const ACCESS_LOGGER = 'synapse.access.';
/** Where access loggers start to differ from most others (after `synapse.`). */
const ACCESS_DISTINCT = 'synapse.'.length;
/** Envelopes nest (an excerpt of a journalctl line): how deep the search goes. */
const MAX_DEPTH = 4;

// ---- character helpers ------------------------------------------------------------------------

/** RegExp `\s`. */
function isWs(c: number): boolean {
  if (c > 32 && c < 160) return false;
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** ` - ` at i */
function sepAt(s: string, i: number): boolean {
  return s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) === 45 && s.charCodeAt(i + 2) === 32;
}

/** C0 controls other than TAB: binary garbage when not inside a header line. */
const CONTROL = /[\x00-\x08\x0a-\x1f]/;

// ---- header scan (results in module scratch, so the hot path allocates nothing here) ----------

const enum Layout {
  None = 0,
  Text = 1,
  Journald = 2,
  /** a Synapse JSON object (J) */
  Json = 3,
  Basic = 4,
  /** the text layout with a custom asctime (H.tsEnd; H.timeMs, or H.clockMs for a time-only one) */
  TextCustom = 5,
  /** a Markdown code fence of a pasted excerpt: no record */
  Fence = 6,
  /** an envelope whose log text cannot be read (L.error says why): a record start, not understood */
  Broken = 7,
}

/** Scratch filled by the header scan. */
const H = {
  prefixEnd: 0,
  /** index of the timestamp, -1 when the layout has none */
  tsStart: -1,
  /** TextCustom: end of the timestamp text */
  tsEnd: 0,
  /**
   * parsed timestamp; NaN: no timestamp, or its fields are out of range (a number field rather than
   * `number | null`: V8 then stores it in place instead of allocating a heap number each time)
   */
  timeMs: Number.NaN,
  /** TextCustom without a date: ms since midnight (-1: impossible clock) */
  clockMs: -1,
  loggerStart: 0,
  loggerEnd: 0,
  level: null as Level | null,
  /** the level word as logged when it is not a standard name */
  levelName: null as string | null,
  /** text: start of `tag - message`; journald / basic: start of the message */
  restStart: 0,
  /** journald: the bracketed tag */
  tagStart: 0,
  tagEnd: 0,
  /**
   * what a text header's prefix stands for, when no other envelope was taken off (L inactive); read only
   * when prefixEnd > 0, so the header checks need not reset it
   */
  envelope: 'prefix' as Envelope,
};

/** `lit` at s[i…]: char codes compared by hand (`startsWith(lit, i)` is several times slower on V8). */
function litAt(s: string, i: number, lit: string): boolean {
  const n = lit.length;
  if (s.length < i + n) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(i + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Standard level name at i, followed by ` - `. Returns the level or null. */
function levelAt(s: string, i: number): Level | null {
  let level: Level;
  switch (s.charCodeAt(i)) {
    case 73: // I
      level = 'INFO';
      break;
    case 68: // D
      level = 'DEBUG';
      break;
    case 87: // W
      level = 'WARNING';
      break;
    case 69: // E
      level = 'ERROR';
      break;
    case 67: // C
      level = 'CRITICAL';
      break;
    default:
      return null;
  }
  return litAt(s, i, level) && sepAt(s, i + level.length) ? level : null;
}

/** Any level word at i followed by ` - ` (issue #13.6): fills H.level / H.levelName; returns the end of the word or -1. */
function anyLevelAt(s: string, i: number): number {
  const level = levelAt(s, i);
  if (level !== null) {
    H.level = level;
    H.levelName = null;
    return i + level.length;
  }
  const end = levelWordEnd(s, i);
  if (end < 0 || !sepAt(s, end)) return -1;
  const word = s.substring(i, end);
  H.level = levelOfWord(word);
  H.levelName = isStandardLevel(word) ? null : word;
  return end;
}

/** `logger - lineno - LEVEL - ` at p (spec §9.1 after the timestamp). Fills H. */
function tailAt(s: string, p: number): boolean {
  const n = s.length;
  let i = p;
  while (i < n && !isWs(s.charCodeAt(i))) i++;
  if (i === p || !sepAt(s, i)) return false;
  let j = i + 3;
  const d0 = j;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  if (j === d0 || !sepAt(s, j)) return false;
  j += 3;
  const end = anyLevelAt(s, j);
  if (end < 0) return false;
  H.loggerStart = p;
  H.loggerEnd = i;
  H.restStart = end + 3;
  return true;
}

/**
 * A text header, `isLogTimeAt(s, ts)` + ` - ` + `tailAt(s, ts + 26)`, as one sticky regex (`\d` is [0-9]
 * and `\S` is `!isWs`, as in those functions). irregexp checks the ~70 header characters several times
 * faster than the same checks as charCodeAt calls; the fields are then found from the match's end (the
 * level, the line number) without scanning the logger again.
 */
const TEXT_HEADER = /\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d\d\d - \S+ - \d+ - (?:INFO|DEBUG|WARNING|ERROR|CRITICAL) - /y;
/** The same with any level word in the level slot (issue #13.6); tried only when TEXT_HEADER failed. */
const TEXT_HEADER_ANY_LEVEL = /\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d\d\d - \S+ - \d+ - (Level -?\d{1,9}|[A-Za-z][A-Za-z0-9_]*) - /y;

/** A text header with its timestamp at `ts`: fills H (prefix = everything before `ts`). */
function textHeaderAt(s: string, ts: number): boolean {
  // most other lines (tracebacks, other layouts) fail these two characters: no regex call for them
  if (s.charCodeAt(ts + 19) !== 44 || s.charCodeAt(ts + 13) !== 58) return false; // `,` `:`
  const re = TEXT_HEADER;
  re.lastIndex = ts;
  if (!re.test(s)) return textHeaderAnyLevelAt(s, ts);
  const rest = re.lastIndex;
  // `<level> - ` ends the match; the level's second-to-last letter tells which one it is
  let level: Level;
  switch (s.charCodeAt(rest - 5)) {
    case 70: // F: INFO
      level = 'INFO';
      break;
    case 85: // U: DEBUG
      level = 'DEBUG';
      break;
    case 78: // N: WARNING
      level = 'WARNING';
      break;
    case 79: // O: ERROR
      level = 'ERROR';
      break;
    default: // A: CRITICAL
      level = 'CRITICAL';
  }
  fillTextHeader(s, ts, rest, level.length, level, null);
  return true;
}

/**
 * Fills H for a text header matched from `ts` to `rest`, whose level slot holds `wordLength`
 * characters: the logger ends before ` - <line number> - <level> - `.
 */
function fillTextHeader(s: string, ts: number, rest: number, wordLength: number, level: Level, levelName: string | null): void {
  // before ` - <level>`: the line number's digits, and before them ` - ` and the logger
  let j = rest - 6 - wordLength;
  for (;;) {
    const c = s.charCodeAt(j - 1);
    if (c < 48 || c > 57) break;
    j--;
  }
  H.prefixEnd = ts;
  H.tsStart = ts;
  // an out-of-range date (month 13) still has the header's shape: the parser says so (`time out of range`)
  H.timeMs = logTimeMsOfShape(s, ts) ?? Number.NaN;
  H.loggerStart = ts + 26;
  H.loggerEnd = j - 3;
  H.level = level;
  H.levelName = levelName;
  H.restStart = rest;
}

/** textHeaderAt for a level word other than the five names. */
function textHeaderAnyLevelAt(s: string, ts: number): boolean {
  const re = TEXT_HEADER_ANY_LEVEL;
  re.lastIndex = ts;
  const m = re.exec(s);
  if (m === null) return false;
  const word = m[1] as string;
  const rest = re.lastIndex;
  fillTextHeader(s, ts, rest, word.length, levelOfWord(word), isStandardLevel(word) ? null : word);
  return true;
}

/** Text header with the timestamp at column 0: the common case. */
function textAtZero(s: string): boolean {
  return textHeaderAt(s, 0);
}

/**
 * The end of a timestamp and the separator (`,mmm - `). Scanning for this fixed text is linear and fast
 * (it starts with a rare character); the 19 characters before it are then checked by hand. Scanning for
 * the whole timestamp instead costs ~50 ms on a 1 MiB line of digits (every position a partial match).
 */
const TS_TAIL = /,\d\d\d - /g;

/**
 * Text header anywhere: ` - logger - …` at column 0 (asctime stripped, as in the fail2ban fixture of
 * spec §10 examples 1–3), or a timestamp after a prefix. One native scan finds the candidates; each is
 * checked with textHeaderAt, and the first that has a full header wins.
 */
function textAnywhere(s: string): boolean {
  if (dashAtZero(s)) return true;
  TS_TAIL.lastIndex = 20; // a timestamp at column 0 was tried by textAtZero
  // test() + lastIndex rather than exec(): no match array per candidate
  while (TS_TAIL.test(s)) {
    const ts = TS_TAIL.lastIndex - 26;
    if (textHeaderAt(s, ts)) return true;
    TS_TAIL.lastIndex = ts + 20;
  }
  return false;
}

/**
 * `logger: [tag] message` at p. Strict, so traceback lines are never taken for it: the logger must be a
 * dotted name whose last part is not a CamelCase class name (`sqlite3.OperationalError: [x] …`), and
 * the tag must be one word closed by `]` and followed by a space or the end of the line.
 */
function journaldAt(s: string, p: number): boolean {
  const n = s.length;
  const c0 = s.charCodeAt(p);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95)) return false;
  let i = p;
  let segStart = p;
  while (i < n) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) {
      i++;
    } else if (c === 46) {
      if (i === segStart) return false; // `..` or leading dot
      i++;
      segStart = i;
    } else {
      break;
    }
  }
  if (i === segStart) return false; // trailing dot
  if (s.charCodeAt(i) !== 58 || s.charCodeAt(i + 1) !== 32 || s.charCodeAt(i + 2) !== 91) return false; // `: [`
  const first = s.charCodeAt(segStart);
  if (first >= 65 && first <= 90) {
    for (let k = segStart + 1; k < i; k++) {
      const c = s.charCodeAt(k);
      if (c >= 97 && c <= 122) return false; // CamelCase: an exception class, not a logger
    }
  }
  const tagStart = i + 3;
  let j = tagStart;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 93 || isWs(c) || c === 91) break;
    j++;
  }
  if (s.charCodeAt(j) !== 93) return false;
  const after = j + 1;
  if (after < n && s.charCodeAt(after) !== 32) return false;
  H.prefixEnd = p;
  H.tsStart = -1;
  H.timeMs = Number.NaN;
  H.loggerStart = p;
  H.loggerEnd = i;
  H.level = null;
  H.levelName = null;
  H.tagStart = tagStart;
  H.tagEnd = j;
  H.restStart = after < n ? after + 1 : n;
  return true;
}

/** ` - logger - lineno - LEVEL - ` at column 0: the asctime stripped (spec §10 examples 1–3). */
function dashAtZero(s: string): boolean {
  if (!(sepAt(s, 0) && tailAt(s, 3))) return false;
  H.prefixEnd = 0;
  H.tsStart = -1;
  H.timeMs = Number.NaN;
  return true;
}

/** BASIC_FORMAT at column 0 (envelopes.ts BASIC_HEADER). */
function basicAt(s: string): boolean {
  const m = BASIC_HEADER.exec(s);
  if (m === null) return false;
  const word = m[1] as string;
  if (!isKnownLevelWord(word)) return false;
  H.prefixEnd = 0;
  H.tsStart = -1;
  H.timeMs = Number.NaN;
  H.loggerStart = word.length + 1;
  H.loggerEnd = m[0].length - 1;
  H.level = levelOfWord(word);
  H.levelName = isStandardLevel(word) ? null : word;
  H.restStart = m[0].length;
  return true;
}

/** A custom asctime at column 0 before the precise formatter's other fields (envelopes.ts CUSTOM_ASCTIME). */
function customAsctimeAt(s: string): boolean {
  const m = CUSTOM_ASCTIME.exec(s);
  if (m === null || !tailAt(s, m[0].length)) return false;
  H.prefixEnd = 0;
  H.tsStart = 0;
  H.tsEnd = m[0].length - 3;
  const clock = asctimeClockMs(m);
  if (m[1] === undefined) {
    H.timeMs = Number.NaN;
    H.clockMs = clock;
  } else {
    const day = civilTimeMs(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0);
    H.timeMs = day === null || clock < 0 ? Number.NaN : day + clock;
    H.clockMs = -1;
  }
  return true;
}

// ---- envelopes (scratch L; valid when L.active) -----------------------------------------------

/** What the envelopes around the located header said (reset when the first envelope is entered). */
const L = {
  active: false,
  /** the string H's offsets refer to (the innermost text searched) */
  text: '',
  /** outermost envelope */
  envelope: null as Envelope | null,
  /** physical text before `text` (prefixes and decoration removed on the way in) */
  outer: '',
  /** the log text a JSON envelope carried (continuation lines show it rather than the JSON), else null */
  logText: null as string | null,
  /** an envelope time: epoch ms (NaN: none or unreadable) and its text as logged ('' when none) */
  timeMs: Number.NaN,
  timeText: '',
  /** a line that starts with a journalctl prefix whose time is the envelope's (read when a record needs it) */
  sysLine: '',
  /** journalctl -o json PRIORITY */
  level: null as Level | null,
  /** journalctl -o json MESSAGE lines after the first */
  tail: '',
  /** CRI tag of the physical line (column 0 only): 'F', 'P' or '' */
  cri: '',
  /** Broken: why */
  error: '',
};

function enter(kind: Envelope, outer: string): void {
  if (!L.active) {
    L.active = true;
    L.envelope = kind;
    L.outer = outer;
    L.logText = null;
    L.timeMs = Number.NaN;
    L.timeText = '';
    L.sysLine = '';
    L.level = null;
    L.tail = '';
    L.cri = '';
    L.error = '';
  } else {
    L.outer += outer;
  }
}

/** An envelope's time (the first one found wins: the outermost carries the line's own time). */
function envelopeTime(text: string, ms: number): void {
  if (L.timeText !== '' || L.sysLine !== '') return;
  L.timeText = text;
  L.timeMs = ms;
}

/** Synapse JSON of the last Layout.Json. */
let J: JsonLine = { message: '', logger: '', level: null, levelName: null, timeMs: null, timeBad: '', tag: null };

/** Finds the record header of a physical line, through any envelopes: fills H (offsets into `L.text` when L.active, else into `s`) or J. */
function locate(s: string): Layout {
  L.active = false;
  return locateIn(s, 0, false);
}

/** locate on the text of an envelope the caller already took off (CRI chunks joined). */
function locateInside(s: string, kind: Envelope, outer: string, timeText: string, timeMs: number): Layout {
  L.active = false;
  enter(kind, outer);
  envelopeTime(timeText, timeMs);
  return locateIn(s, 1, false);
}

function isLetterOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0;
}

/**
 * Order: JSON, text at column 0, journald, text anywhere (a journalctl prefix followed by the journald
 * layout wins over a text header further on), the rest (slowLocate).
 * `scanned`: s is the end of a line whose whole text was searched for a timestamped header already (an
 * envelope's prefix or decoration was taken off it): only column 0 can still hold one.
 */
function locateIn(s: string, depth: number, scanned: boolean): Layout {
  const c0 = s.charCodeAt(0);
  if (c0 === 123) {
    const k = jsonLayout(s, depth);
    if (k !== Layout.None) return k;
  }
  if (textAtZero(s)) return found(s, Layout.Text);
  if (journaldAt(s, 0)) return found(s, Layout.Journald);
  if (scanned ? dashAtZero(s) : textAnywhere(s)) {
    if (H.prefixEnd === 0) return found(s, Layout.Text);
    let kind = prefixKind(s, H.prefixEnd);
    if (kind === 'syslog') {
      // the prefix starts with a journalctl one: if the journald layout follows it, that is the line's layout
      const end = syslogPrefixEnd(s);
      if (end > 0 && end < H.prefixEnd && journaldAt(s, end)) {
        enter('syslog', '');
        syslogEnvelopeTime(s);
        return found(s, Layout.Journald);
      }
      // (journaldAt fills H only when it matches: H still holds the text header)
      if (end < 0) kind = 'prefix';
    }
    // take the envelope off where what it holds matters: a CRI `P` chunk (joined with the next lines), an
    // excerpt's decoration (a closing backtick); a CRI `F` line is read in place, like any prefixed line
    if (((kind === 'cri' && s.charCodeAt(H.prefixEnd - 2) === 80) || kind === 'excerpt') && depth < MAX_DEPTH) {
      const wasActive = L.active;
      const outer = L.outer;
      const k = slowLocate(s, depth, false);
      if (k !== Layout.None) return k;
      // not found that way (indentation before text is kept as the prefix): undo, read the prefix as is
      if (wasActive) L.outer = outer;
      else L.active = false;
      textAnywhere(s);
    }
    // the common prefixed line (docker compose, journalctl): no envelope state to keep but its name
    if (!L.active) {
      H.envelope = kind;
      return Layout.Text;
    }
    enter(kind, '');
    return found(s, Layout.Text);
  }
  return depth < MAX_DEPTH ? slowLocate(s, depth, true) : Layout.None;
}

function found(s: string, layout: Layout): Layout {
  if (L.active) L.text = s;
  return layout;
}

/**
 * The envelope a text header's prefix (s[0, end)) stands for, from its first and last characters:
 * 'syslog' only says it may be one (a word or digits first, `: ` last; the caller runs the regex).
 */
function prefixKind(s: string, end: number): Envelope {
  const c = s.charCodeAt(0);
  if (c === 32 || c === 9 || c === 62 || c === 96) return 'excerpt';
  if ((c === 42 || c === 43 || c === 45) && (s.charCodeAt(1) === 32 || s.charCodeAt(1) === 9)) return 'excerpt';
  if (end >= 4 && s.charCodeAt(end - 1) === 32) {
    const f = s.charCodeAt(end - 2);
    if (f === 58) return isLetterOrDigit(c) ? 'syslog' : 'prefix'; // `: `
    // `<RFC 3339 time> stdout|stderr F|P `: the shape by hand (slowLocate reads a P chunk's prefix with CRI_PREFIX)
    if ((f === 70 || f === 80) && end >= 31 && s.charCodeAt(10) === 84 && s.charCodeAt(4) === 45 && s.charCodeAt(end - 3) === 32) {
      const d = s.charCodeAt(end - 6); // the `o` of stdout, the `e` of stderr
      if (s.charCodeAt(end - 10) === 32 && s.charCodeAt(end - 9) === 115 && s.charCodeAt(end - 7) === 100 && (d === 111 || d === 101)) return 'cri';
    }
  }
  return 'prefix';
}

/** The journalctl prefix `s` starts with carries the envelope's time (read only if a record needs it: LineParser.envTime). */
function syslogEnvelopeTime(s: string): void {
  if (L.timeText !== '' || L.sysLine !== '') return;
  L.sysLine = s;
}

/**
 * Whether the text at p (after an envelope's prefix, in a line already scanned for a text header) may
 * start a record: JSON, a digit (a custom asctime, a CRI payload), a first word followed by `:` (the
 * journald layout, BASIC_FORMAT) or `Level ` (BASIC_FORMAT), or ` - ` (a text header without its asctime).
 * Traceback lines fail here, and are spared the search inside the envelope.
 */
function mayHoldRecord(s: string, p: number, scanned: boolean): boolean {
  if (!scanned) return true;
  MAY_HOLD_RECORD.lastIndex = p;
  return MAY_HOLD_RECORD.test(s);
}

/** mayHoldRecord's test (a regex: irregexp reads a run of characters faster than charCodeAt calls). */
const MAY_HOLD = String.raw`[{\d]|[\w.-]+:|Level | - `;
const MAY_HOLD_RECORD = new RegExp(MAY_HOLD, 'y');

/**
 * A `name | ` prefix: docker compose (`synapse-1  | `), the workers image's supervisord `prefix-log`
 * (`synapse_main | `), the forking launcher's `worker_name | ` (spec §1.4). Sticky, read with test():
 * its length is lastIndex. The second form also wants a record's start after it (mayHoldRecord).
 */
const NAME_BAR = /[A-Za-z0-9][\w.@-]* *\| /y;
const NAME_BAR_HOLDING = new RegExp(String.raw`[A-Za-z0-9][\w.@-]* *\| (?=${MAY_HOLD})`, 'y');

/**
 * Envelopes and layouts the fast checks above do not cover (`scanned`: see locateIn). Order: excerpt
 * decoration, CRI, custom asctime, a journalctl prefix (the journald layout after it first), `name | `,
 * BASIC_FORMAT.
 */
function slowLocate(s: string, depth: number, scanned: boolean): Layout {
  const c0 = s.charCodeAt(0);
  const n = s.length;
  if (c0 === 32 || c0 === 9) {
    // an indented line (most are traceback lines): only decoration or JSON after the blanks can make a record
    let i = 1;
    while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++;
    const c = s.charCodeAt(i);
    if (!(c === 123 || c === 62 || c === 96 || c === 126 || c === 42 || c === 43 || c === 45 || s.charCodeAt(n - 1) === 96)) return Layout.None;
  }
  // excerpts: indentation, `>` quotes, bullets, backticks, fences
  if (c0 === 32 || c0 === 9 || c0 === 62 || c0 === 96 || c0 === 126 || c0 === 42 || c0 === 43 || c0 === 45 || s.charCodeAt(n - 1) === 96) {
    const a = decorationEnd(s);
    // a fence: three backticks (which decorationEnd took) or tildes after the quotes and the bullet
    const fenceChar = s.charCodeAt(a) === 126 || (a >= 3 && s.charCodeAt(a - 1) === 96 && s.charCodeAt(a - 3) === 96);
    if (fenceChar && FENCE.test(s)) {
      enter('excerpt', '');
      return Layout.Fence;
    }
    const b = decorationTailStart(s, a);
    if (a > 0 || b < n) {
      let indentOnly = b === n;
      for (let i = 0; i < a && indentOnly; i++) indentOnly = s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9;
      // Indentation alone is traceback text far more often than decoration: it is taken off only before
      // JSON (an indented text header was found above, with the indentation as its prefix).
      if (!indentOnly || s.charCodeAt(a) === 123) {
        enter('excerpt', s.substring(0, a));
        return locateIn(s.substring(a, b), depth + 1, scanned);
      }
    }
  }
  if (!isLetterOrDigit(c0)) return Layout.None;
  if (c0 >= 48 && c0 <= 57) {
    const cri = CRI_PREFIX.exec(s);
    if (cri !== null) {
      const head = cri[0];
      enter('cri', head);
      if (depth === 0) L.cri = cri[3] as string;
      const t = cri[1] as string;
      envelopeTime(t, parseIsoTimeMs(t) ?? Number.NaN);
      return mayHoldRecord(s, head.length, scanned) ? locateIn(s.substring(head.length), depth + 1, scanned) : Layout.None;
    }
    if (customAsctimeAt(s)) return found(s, Layout.TextCustom);
  }
  const sys = syslogPrefixEnd(s);
  if (sys > 0) {
    if (journaldAt(s, sys)) {
      enter('syslog', '');
      syslogEnvelopeTime(s);
      return found(s, Layout.Journald);
    }
    if (!mayHoldRecord(s, sys, scanned)) return Layout.None;
    enter('syslog', s.substring(0, sys));
    syslogEnvelopeTime(s);
    return locateIn(s.substring(sys), depth + 1, scanned);
  }
  const bar = scanned ? NAME_BAR_HOLDING : NAME_BAR;
  bar.lastIndex = 0;
  if (bar.test(s)) {
    const k = bar.lastIndex;
    enter('prefix', s.substring(0, k));
    return locateIn(s.substring(k), depth + 1, scanned);
  }
  if (c0 >= 65 && c0 <= 90 && basicAt(s)) return found(s, Layout.Basic);
  return Layout.None;
}

// ---- tag / message / access resolution (scratch X) --------------------------------------------

const enum Access {
  None = 0,
  Processed = 1,
  Received = 2,
  Malformed = 3,
}

const X = {
  /** tag text span; tagStart < 0 means the layout had no tag field */
  tagStart: -1,
  tagEnd: -1,
  msgStart: 0,
  access: Access.None as Access,
  /** captured values of the slow split search (resolve returns the hot path's match instead) */
  values: null as Values | null,
  /** malformed: why, and the column (1-based, in the line) */
  error: null as AccessError | null,
  errorColumn: 0,
  /** the first split's shape (for the access split search) */
  hasStd: false,
  hasLegacy: false,
};

/** One way to split `rest` into tag and message; the access grammar picks among them. */
interface Split {
  tagStart: number;
  tagEnd: number;
  msgStart: number;
}

function setSplit(sp: Split): void {
  X.tagStart = sp.tagStart;
  X.tagEnd = sp.tagEnd;
  X.msgStart = sp.msgStart;
}

const splitLegacy: Split = { tagStart: 0, tagEnd: 0, msgStart: 0 };
const splitNone: Split = { tagStart: -1, tagEnd: -1, msgStart: 0 };
const candidates: Split[] = [];

function hasTagSplits(layout: Layout): boolean {
  return layout === Layout.Text || layout === Layout.TextCustom;
}

/** The first split of `rest` into tag and message (no access grammar): X.tagStart/tagEnd/msgStart. */
function splitFirst(s: string, layout: Layout): void {
  const rest = H.restStart;
  X.hasStd = false;
  X.hasLegacy = false;
  if (layout === Layout.Journald) {
    X.tagStart = H.tagStart;
    X.tagEnd = H.tagEnd;
    X.msgStart = rest;
  } else if (!hasTagSplits(layout)) {
    X.tagStart = -1;
    X.tagEnd = -1;
    X.msgStart = rest;
  } else {
    const n = s.length;
    let sp = rest;
    while (sp < n && !isWs(s.charCodeAt(sp))) sp++;
    const hasStd = sepAt(s, sp);
    const hasLegacy = sp > rest && s.charCodeAt(sp - 1) === 45 && s.charCodeAt(sp) === 32;
    X.hasStd = hasStd;
    X.hasLegacy = hasLegacy;
    if (hasStd) {
      X.tagStart = rest;
      X.tagEnd = sp;
      X.msgStart = sp + 3;
    } else if (hasLegacy) {
      X.tagStart = rest;
      X.tagEnd = sp - 1;
      X.msgStart = sp + 1;
    } else {
      X.tagStart = -1;
      X.tagEnd = -1;
      X.msgStart = rest;
    }
  }
}

/**
 * Resolves tag, message start and (for access lines) the access fields of the header in H.
 * Text: the standard ` - ` split first, then the legacy `tag- msg` split (spec §1.2), then no tag at all
 * (spec §9.2 fallback, example 27); for a non-access line the first split that exists wins, for an
 * access line the first whose message the access grammar reads.
 */
function resolve(s: string, layout: Layout): Values | null {
  X.access = Access.None;
  X.values = null;
  X.error = null;
  splitFirst(s, layout);
  if (!isAccessLogger(s, H.loggerStart, H.loggerEnd)) return null;
  // Hot path: a Processed match implies the literal, so try the regex before scanning for it.
  // (Returned, not kept in X: storing a new object into the long-lived X costs a write barrier.)
  const m0 = execProcessedAt(s, X.msgStart);
  if (m0 !== null) {
    X.access = Access.Processed;
    return m0;
  }
  resolveAccessSlowly(s, layout, X.hasStd, X.hasLegacy);
  return X.values;
}

/** Access logger, but the first split's message is no well-formed Processed message. */
function resolveAccessSlowly(s: string, layout: Layout, hasStd: boolean, hasLegacy: boolean): void {
  const rest = H.restStart;
  const kind = s.includes(PROCESSED_LITERAL, rest) ? Access.Processed : s.includes(RECEIVED_LITERAL, rest) ? Access.Received : Access.None;
  if (kind === Access.None) return;
  candidates.length = 0;
  const first: Split = { tagStart: X.tagStart, tagEnd: X.tagEnd, msgStart: X.msgStart };
  candidates.push(first);
  if (hasTagSplits(layout)) {
    if (hasStd && hasLegacy) {
      splitLegacy.tagStart = rest;
      splitLegacy.tagEnd = X.tagEnd - 1;
      splitLegacy.msgStart = X.tagEnd + 1;
      candidates.push(splitLegacy);
    }
    if (hasStd || hasLegacy) {
      splitNone.msgStart = rest;
      candidates.push(splitNone);
    }
  }
  for (const c of candidates) {
    const m = kind === Access.Processed ? execProcessedAt(s, c.msgStart) : execReceivedAt(s, c.msgStart);
    if (m !== null) {
      setSplit(c);
      X.access = kind;
      X.values = m;
      return;
    }
  }
  // The fast path rejected every split: let chevrotain read them and explain the best failure.
  let best: Split = first;
  let bestErr: AccessError | null = null;
  let bestCol = -1;
  for (const c of candidates) {
    const r = lexAccessValues(kind === Access.Processed ? 'processed' : 'received', s.slice(c.msgStart));
    if (!isAccessError(r)) {
      setSplit(c);
      X.access = kind;
      X.values = r;
      return;
    }
    const col = c.msgStart + r.offset + 1;
    if (col > bestCol) {
      best = c;
      bestErr = r;
      bestCol = col;
    }
  }
  setSplit(best);
  X.access = Access.Malformed;
  X.error = bestErr;
  X.errorColumn = bestCol;
}

/** The character codes of ACCESS_LOGGER (reading them from the string would double the charCodeAt calls). */
const ACCESS_LOGGER_CODES: readonly number[] = Array.from(ACCESS_LOGGER, (c) => c.charCodeAt(0));

/** `synapse.access.<scheme>.<tag>` (spec §2.6); only these loggers write access lines. */
function isAccessLogger(s: string, start: number, end: number): boolean {
  const n = ACCESS_LOGGER_CODES.length;
  if (end - start <= n) return false;
  // `synapse.` is shared by most loggers: compare from its end, where they differ
  for (let k = ACCESS_DISTINCT; k < n; k++) if (s.charCodeAt(start + k) !== ACCESS_LOGGER_CODES[k]) return false;
  for (let k = 0; k < ACCESS_DISTINCT; k++) if (s.charCodeAt(start + k) !== ACCESS_LOGGER_CODES[k]) return false;
  return true;
}

/** `''` and `None` mean "no request context" (spec §1.3). */
function normTag(t: string): string | null {
  return t === '' || t === 'None' ? null : t;
}

function resolvedTag(s: string): string | null {
  return X.tagStart < 0 ? null : normTag(s.slice(X.tagStart, X.tagEnd));
}

// ---- JSON (spec §6) and JSON envelopes --------------------------------------------------------

interface JsonLine {
  readonly message: string;
  readonly logger: string;
  readonly level: Level | null;
  readonly levelName: string | null;
  readonly timeMs: number | null;
  /** `time out of range: …` when the object's time is no time, else '' */
  readonly timeBad: string;
  readonly tag: string | null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A JSON object on one line, or null (Python's NaN/Infinity tolerated, see replaceNonFinite). */
function jsonObject(s: string): Record<string, unknown> | null {
  let e = s.length - 1;
  while (e > 0 && isWs(s.charCodeAt(e))) e--;
  if (s.charCodeAt(e) !== 125) return null;
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    const fixed = s.includes('NaN') || s.includes('Infinity') ? replaceNonFinite(s) : null;
    if (fixed === null) return null;
    try {
      o = JSON.parse(fixed);
    } catch {
      return null;
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  return o as Record<string, unknown>;
}

/** A JSON `time`: epoch seconds (TerseJsonFormatter) or ISO text (GcpJsonFormatter), range-checked. */
function jsonTime(t: unknown): { ms: number | null; bad: string } {
  if (typeof t === 'number') {
    const ms = Math.round(t * 1000);
    return timeInRange(ms) ? { ms, bad: '' } : { ms: null, bad: `time out of range: ${String(t)}` };
  }
  if (typeof t === 'string') {
    if (t.startsWith(NONFINITE_MARK)) return { ms: null, bad: `time out of range: ${t.slice(NONFINITE_MARK.length)}` };
    const ms = parseIsoTimeMs(t);
    if (ms === null) return { ms: null, bad: '' };
    return timeInRange(ms) ? { ms, bad: '' } : { ms: null, bad: `time out of range: ${t}` };
  }
  return { ms: null, bad: '' };
}

/** A JSON object: a Synapse JSON log line (J), a docker json-file or a journalctl -o json envelope, or none. */
function jsonLayout(s: string, depth: number): Layout {
  const r = jsonObject(s);
  if (r === null) return Layout.None;
  const logged = str(r['log']) ?? str(r['message']);
  const logger = str(r['namespace']) ?? str(r['log_namespace']) ?? str(r['logger']);
  if (logged !== undefined && logger !== undefined) {
    J = synapseJson(r, logged, logger);
    return Layout.Json;
  }
  if (depth >= MAX_DEPTH) return Layout.None;
  const log = str(r['log']);
  if (log !== undefined && ('stream' in r || 'time' in r)) {
    // Docker's json-file driver: one object per physical line, the line with its '\n' in `log`
    enter('docker-json', '');
    const t = str(r['time']);
    if (t !== undefined) envelopeTime(t, parseIsoTimeMs(t) ?? Number.NaN);
    const text = log.endsWith('\r\n') ? log.slice(0, -2) : log.endsWith('\n') ? log.slice(0, -1) : log;
    L.logText = text;
    const k = locateIn(text, depth + 1, false);
    return k === Layout.None ? keepLogText(text) : k;
  }
  if ('MESSAGE' in r && ('__REALTIME_TIMESTAMP' in r || '__CURSOR' in r)) {
    enter('journal-json', '');
    const us = r['__REALTIME_TIMESTAMP'];
    const ms = journalTimeMs(us);
    envelopeTime(typeof us === 'string' || typeof us === 'number' ? String(us) : '', ms);
    const p = r['PRIORITY'];
    if (L.level === null) L.level = levelOfPriority(typeof p === 'string' ? Number(p) : typeof p === 'number' ? p : Number.NaN);
    const msg = journalMessage(r['MESSAGE']);
    if (msg === null) {
      L.error = 'journal entry without a readable MESSAGE (journalctl -o json prints null for fields over 4096 bytes; add --all)';
      L.text = s;
      return Layout.Broken;
    }
    // JournalHandler sends the formatted record, traceback included, as one MESSAGE
    const nl = msg.indexOf('\n');
    const first = nl < 0 ? msg : msg.slice(0, nl);
    L.tail = nl < 0 ? '' : msg.slice(nl);
    L.logText = msg;
    const k = locateIn(first, depth + 1, false);
    return k === Layout.None ? keepLogText(msg) : k;
  }
  return Layout.None;
}

/** A JSON envelope's log text was no record: the continuation shows that text, not the JSON. */
function keepLogText(text: string): Layout {
  L.logText = text;
  return Layout.None;
}

function synapseJson(r: Record<string, unknown>, logged: string, logger: string): JsonLine {
  // JsonFormatter gives an exception as exc_type / exc_value instead of a traceback (spec §6.1):
  // appended as the traceback's last line would read, the way GcpJsonFormatter appends the
  // traceback itself, so `Too many open files` or SQLite's errors are seen in every layout.
  const excType = str(r['exc_type']);
  const excValue = str(r['exc_value']);
  const message = excType === undefined ? logged : `${logged}\n${excType}${excValue ? `: ${excValue}` : ''}`;
  const lv = str(r['level']) ?? str(r['severity']);
  const { ms, bad } = jsonTime(r['time']);
  const req = str(r['request']);
  return {
    message,
    logger,
    level: lv === undefined ? null : isStandardLevel(lv) ? lv : levelOfWord(lv),
    levelName: lv === undefined || isStandardLevel(lv) ? null : lv,
    timeMs: ms,
    timeBad: bad,
    tag: req === undefined ? null : normTag(req),
  };
}

// ---- kinds ------------------------------------------------------------------------------------

type OtherKind =
  | { kind: 'other' }
  | { kind: 'startup' }
  | { kind: 'connection-lost'; legacy: boolean }
  | { kind: 'fd-exhaustion'; signal: 'emfile' | 'too-many-open-files' | 'accept-failed' };

const K_OTHER: OtherKind = { kind: 'other' };
const K_STARTUP: OtherKind = { kind: 'startup' };
const K_LOST: OtherKind = { kind: 'connection-lost', legacy: false };
const K_LOST_LEGACY: OtherKind = { kind: 'connection-lost', legacy: true };
const K_ACCEPT: OtherKind = { kind: 'fd-exhaustion', signal: 'accept-failed' };
const K_EMFILE: OtherKind = { kind: 'fd-exhaustion', signal: 'emfile' };
const K_TOO_MANY: OtherKind = { kind: 'fd-exhaustion', signal: 'too-many-open-files' };

/** fd-exhaustion evidence; one scan instead of one `includes` per phrase. */
const FD_SIGNAL = /Could not accept new connection|EMFILE|Too many open files|Errno 24/;

/** The kind of a non-access record, from its message (spec §4.2, §4.4). */
function classify(msg: string): OtherKind {
  switch (msg.charCodeAt(0)) {
    case 42: // *
      if (msg.startsWith(STARTUP_BANNER)) return K_STARTUP;
      break;
    case 67: // C
      if (msg.startsWith('Connection from client lost before response was sent')) return K_LOST;
      break;
    case 69: // E: the pre-v1.18 predecessor of the line above (WARNING, synapse.http.site)
      if (msg.startsWith('Error processing request ') && (msg.includes('ConnectionDone') || msg.includes('ConnectionLost'))) {
        return K_LOST_LEGACY;
      }
      break;
    default:
  }
  if (!FD_SIGNAL.test(msg)) return K_OTHER;
  // rare: decide by precedence. Twisted's `Could not accept new connection (EMFILE)` is the accept failure.
  if (msg.includes('Could not accept new connection')) return K_ACCEPT;
  if (msg.includes('EMFILE')) return K_EMFILE;
  return K_TOO_MANY;
}

// ---- whole-line fast path for Processed lines ---------------------------------------------------

/** Regex source matching `text` literally. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * The common access line in one match, run at the timestamp (column 0, or after a prefix the general
 * header scan found): a text header with an access logger (TEXT_HEADER with the logger narrowed as
 * isAccessLogger does, `\S+` being `!isWs`), the standard ` - ` tag split as resolve finds it (the tag
 * runs to the first whitespace, which must start ` - `), then the composed Processed grammar to the end
 * of the line. Every part of it can match in one way only, so a line it accepts is one the general path
 * reads the same way: textHeaderAt, the first split of resolve, execProcessedAt at the same message
 * start, hence the same values (test/parse/line-parser.test.ts compares the two on fixtures and
 * mutations). Groups: 1 logger, 2 tag, then the grammar's values (the line number is skipped by hand).
 */
const TEXT_PROCESSED = processedRegexAfter(
  String.raw`\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d\d\d - (${escapeRegex(ACCESS_LOGGER)}\S+) - \d+ - (?:INFO|DEBUG|WARNING|ERROR|CRITICAL) - (\S*) - `,
);

/** The whole-line regex itself, for bench/floor.mjs (what the parse costs without building records). */
export const TEXT_PROCESSED_REGEX: RegExp = TEXT_PROCESSED.re;

/** TEXT_PROCESSED on `s` with the timestamp at `ts`. */
function execTextProcessed(s: string, ts: number): RegExpExecArray | null {
  const re = TEXT_PROCESSED.re;
  re.lastIndex = ts;
  return re.exec(s);
}

/** Where TEXT_PROCESSED's logger starts, and the two characters there that only access loggers have. */
const ACCESS_PROBE = 26 + ACCESS_DISTINCT;
const ACCESS_PROBE_C0 = ACCESS_LOGGER.charCodeAt(ACCESS_DISTINCT);
const ACCESS_PROBE_C1 = ACCESS_LOGGER.charCodeAt(ACCESS_DISTINCT + 1);

/** Level of a text header whose level name starts at `i` (the header matched already). */
function levelNameAt(s: string, i: number): Level {
  switch (s.charCodeAt(i)) {
    case 73: // I
      return 'INFO';
    case 68: // D
      return 'DEBUG';
    case 87: // W
      return 'WARNING';
    case 69: // E
      return 'ERROR';
    default:
      return 'CRITICAL';
  }
}

// ---- public API -------------------------------------------------------------------------------

function stripCr(text: string): string {
  return text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
}

/**
 * Cheap test: does this line start a new record (a header in any layout and envelope, a JSON log
 * object, or an envelope whose text cannot be read)? A malformed access line or one with an impossible
 * time has a header, so it starts a record too (LineParser reports it as unparsed but it still ends the
 * previous record's continuation lines). A CRI `P` chunk with a header starts one; a Markdown fence does not.
 */
export function isRecordStart(text: string): boolean {
  const k = locate(stripCr(text));
  return k !== Layout.None && k !== Layout.Fence;
}

/**
 * Header only: the tag of a record-start line, undefined if the line is not a record start, null if the
 * record has no tag. Agrees with LineParser (same scan, same access-line split choice).
 */
export function tagOfLine(text: string): string | null | undefined {
  const s = stripCr(text);
  const k = locate(s);
  if (k === Layout.None || k === Layout.Fence) return undefined;
  if (k === Layout.Json) return J.tag;
  if (k === Layout.Broken) return null;
  const t = L.active ? L.text : s;
  if (L.active && L.cri === 'P') splitFirst(t, k);
  else resolve(t, k);
  return resolvedTag(t);
}

/** Context for lines whose time lacks a year or a date (journalctl's short prefix, a time-only asctime). */
export interface LineParserOptions {
  /** The year of the log's first such line (the CLI's `--year`); else the environment's SYNLOG_YEAR. */
  readonly year?: number;
  /** Epoch ms standing for "when the log was written" (the file's mtime); read from `file` when absent. */
  readonly contextMs?: number;
}

const DAY_MS = 86_400_000;

/** The year (and date) lines without one take, and where they came from. */
interface TimeContext {
  /** the option's year, else the context time's */
  readonly year: number;
  /** true when the year is the option's (no note, no guessing back a year) */
  readonly explicit: boolean;
  /** the context time's midnight and ms since it: "later than the end of the log" rules */
  readonly dayMs: number;
  readonly clockMs: number;
  /** where the context time came from: "the file's modification time", "the current date" */
  readonly source: string;
}

/** An open chain of CRI `P` chunks. */
interface Partial {
  text: string;
  readonly firstLine: number;
  lastLine: number;
  readonly prefix: string;
  readonly timeText: string;
  readonly timeMs: number;
  readonly opens: boolean;
  readonly tag: string | null;
  /** `stdout` / `stderr`: a chain continues in the same stream */
  readonly stream: string;
  truncated: boolean;
}

export class LineParser {
  private readonly file: string;
  private readonly options: LineParserOptions;
  private currentEpoch = 0;
  /** line of the record continuation lines attach to; 0 = none yet */
  private recordLine = 0;
  private recordTag: string | null = null;
  private recordWasJson = false;
  private pending: Partial | null = null;
  private timeContext: TimeContext | null = null;
  /** journalctl short times: the year in use and the last month seen (Dec → Jan moves to the next year) */
  private syslogYear = 0;
  private syslogMonth = 0;
  /** time-only asctime: the day in use (epoch ms of its midnight) and the last clock seen */
  private clockDayMs = Number.NaN;
  private lastClockMs = -1;
  private readonly notes: string[] = [];
  private unknownMonths = 0;
  private unknownMonthWord = '';
  private unfinishedPartials = 0;
  /** set by envTime */
  private tMs = Number.NaN;
  private tText: string | null = null;

  /** `startEpoch`: the epoch this source begins in (a rotated log's next file continues the last one's). */
  constructor(file: string, startEpoch = 0, options: LineParserOptions = {}) {
    this.file = file;
    this.currentEpoch = startEpoch;
    this.options = options;
  }

  /** Current restart epoch (0 before the first STARTING SERVER banner in this source). */
  get epoch(): number {
    return this.currentEpoch;
  }

  /**
   * What the caller should tell the user about this source (once each): a year or date taken from the
   * context, month words no table knows, CRI partial lines never completed. Read it after the last line.
   */
  warnings(): string[] {
    const out = [...this.notes];
    if (this.unknownMonths > 0) {
      out.push(
        `${this.file}: ${this.unknownMonths} line${this.unknownMonths === 1 ? '' : 's'} with an unknown month word in the journal prefix (e.g. '${this.unknownMonthWord}'): their time is left empty`,
      );
    }
    if (this.pending !== null) {
      this.unfinishedPartials++;
      this.pending = null;
    }
    if (this.unfinishedPartials > 0) {
      out.push(
        `${this.file}: ${this.unfinishedPartials} CRI partial (P) line${this.unfinishedPartials === 1 ? ' was' : 's were'} never completed by an F line`,
      );
    }
    return out;
  }

  /** Parse one physical line (no '\n'; a trailing '\r' is ignored). lineNo is 1-based. Never throws. */
  parse(text: string, lineNo: number): LogEvent {
    try {
      return this.parseLine(stripCr(text), lineNo);
    } catch (e) {
      // Defensive: a bug must cost one line, not the run.
      return this.unparsed(text, lineNo, `internal error: ${e instanceof Error ? e.message : String(e)}`, null, null);
    }
  }

  private parseLine(s: string, lineNo: number): LogEvent {
    if (this.pending !== null) {
      const e = this.continuePartial(s, lineNo);
      if (e !== null) return e;
    }
    if (s.charCodeAt(ACCESS_PROBE) === ACCESS_PROBE_C0 && s.charCodeAt(ACCESS_PROBE + 1) === ACCESS_PROBE_C1) {
      const m = execTextProcessed(s, 0);
      if (m !== null) return this.textProcessedAtZero(s, m, lineNo);
    }
    const layout = locate(s);
    if (L.active && L.cri === 'P') return this.startPartial(s, layout, lineNo);
    if (layout === Layout.None) return this.nonRecord(s, lineNo, L.active && L.logText !== null ? L.logText : s);
    return this.fromLayout(s, layout, lineNo, true);
  }

  /** The record (or not-understood line) of a located header; `s` is the physical line. */
  private fromLayout(s: string, layout: Layout, lineNo: number, mayStrip: boolean): LogEvent {
    switch (layout) {
      case Layout.Json:
        return this.jsonRecord(s, J, lineNo);
      case Layout.Fence:
        return this.unparsed(s, lineNo, 'Markdown code fence: decoration of a pasted excerpt, not a log line', null, null);
      case Layout.Broken:
        this.opened(lineNo, null, false);
        return this.unparsed(s, lineNo, L.error, null, null);
      default:
    }
    const t = L.active ? L.text : s;
    const envelope = L.active ? L.envelope : H.prefixEnd > 0 ? H.envelope : null;
    const outer = L.active ? L.outer : '';
    const ts = H.tsStart;
    if (
      ts >= 0 &&
      layout === Layout.Text &&
      (ts > 0 || L.active) &&
      t.charCodeAt(ts + ACCESS_PROBE) === ACCESS_PROBE_C0 &&
      t.charCodeAt(ts + ACCESS_PROBE + 1) === ACCESS_PROBE_C1
    ) {
      // a prefixed layout (docker, journalctl, …): the same whole-line read after the prefix
      const m = execTextProcessed(t, ts);
      if (m !== null) return this.textProcessed(s, t, m, ts, lineNo, outer, envelope);
    }
    // scratch L is overwritten by a nested locate: keep what this record needs
    const tail = L.active ? L.tail : '';
    const fallbackLevel = L.active ? L.level : null;
    const v = resolve(t, layout);
    const tag = resolvedTag(t);
    // the record's time: its own, else the envelope's
    let timeMs: number | null = null;
    let time: string | null = null;
    if (ts >= 0) {
      if (layout === Layout.TextCustom) {
        time = t.substring(ts, H.tsEnd);
        const ms = H.clockMs >= 0 ? this.clockTimeMs(H.clockMs) : H.timeMs;
        if (!timeInRange(ms)) return this.badTime(s, lineNo, tag, time);
        timeMs = ms;
      } else {
        time = t.substring(ts, ts + 23);
        if (!timeInRange(H.timeMs)) return this.badTime(s, lineNo, tag, time);
        timeMs = H.timeMs;
      }
    } else if (L.active) {
      const bad = this.envTime();
      if (bad !== '') return this.badTime(s, lineNo, tag, bad);
      if (!Number.isNaN(this.tMs)) {
        timeMs = this.tMs;
        time = this.tText;
      }
    }
    this.opened(lineNo, tag, false);
    if (X.access === Access.Malformed) {
      // a closing inline-code backtick (an excerpt pasted without the opening one) is no part of the line
      if (mayStrip && t.charCodeAt(t.length - 1) === 96) {
        const e = decorationTailStart(t, 0);
        const k = locateInside(t.substring(0, e), envelope ?? 'excerpt', outer, '', Number.NaN);
        if (k === layout) return this.fromLayout(s, k, lineNo, false);
      }
      const why = X.error === null ? 'unreadable' : describeAccessError(X.error, X.errorColumn, 'end of line');
      return this.unparsed(s, lineNo, `access line: ${why}`, tag, timeMs);
    }
    const format: LineFormat = layout === Layout.Journald ? 'journald' : layout === Layout.Basic ? 'basic' : 'text';
    const logger = t.substring(H.loggerStart, H.loggerEnd);
    const level = H.level ?? fallbackLevel;
    const levelName = H.levelName;
    const message = tail === '' ? t.substring(X.msgStart) : t.substring(X.msgStart) + tail;
    const own = H.prefixEnd === 0 ? '' : t.substring(0, H.prefixEnd);
    const prefix = outer === '' ? own : outer + own;
    if (v !== null) {
      return X.access === Access.Processed
        ? buildProcessed(v, 0, this.file, lineNo, this.currentEpoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope)
        : buildReceived(v, this.file, lineNo, this.currentEpoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope);
    }
    return this.otherRecord(classify(message), lineNo, format, time, timeMs, logger, level, levelName, tag, message, prefix, envelope);
  }

  /** Continuation lines attach to the record (or header line) at `lineNo` from now on. */
  private opened(lineNo: number, tag: string | null, json: boolean): void {
    this.recordLine = lineNo;
    this.recordTag = tag;
    this.recordWasJson = json;
  }

  private badTime(s: string, lineNo: number, tag: string | null, time: string): UnparsedLine {
    // the header still opens a record: its traceback lines are its continuations, as for a malformed access line
    this.opened(lineNo, tag, false);
    const why = time.startsWith('time out of range: ') ? time : /^\d/.test(time) || time === '' ? `time out of range: ${time}` : `time not understood: ${time}`;
    return this.unparsed(s, lineNo, why, tag, null);
  }

  /**
   * The time of a record whose layout has none, from its envelope (this.tMs / this.tText, NaN / null when
   * there is none). Returns '' or, when the envelope's time is no time, the reason.
   */
  private envTime(): string {
    this.tMs = Number.NaN;
    this.tText = null;
    const sys = L.sysLine === '' ? null : syslogTime(L.sysLine);
    if (sys !== null && sys.monthWord === '') {
      // a dated journalctl format (short-iso, short-full, short-unix)
      if (!timeInRange(sys.ms)) return `time out of range: ${sys.text}`;
      this.tMs = sys.ms;
      this.tText = formatLogTime(sys.ms);
      return '';
    }
    if (sys !== null) {
      if (sys.month === 0) {
        // a month word in no table: the prefix is still a prefix, the line has no time
        if (this.unknownMonths++ === 0) this.unknownMonthWord = sys.monthWord;
        return '';
      }
      const ms = syslogTimeInYear(sys, this.syslogYearFor(sys));
      if (ms === null || !timeInRange(ms)) return `time out of range: ${sys.text}`;
      this.tMs = ms;
      this.tText = formatLogTime(ms);
      return '';
    }
    if (L.timeText === '') return '';
    const ms = L.timeMs;
    if (!timeInRange(ms)) return Number.isNaN(ms) && !/^\d/.test(L.timeText) ? `time not understood: ${L.timeText}` : `time out of range: ${L.timeText}`;
    this.tMs = ms;
    this.tText = formatLogTime(ms);
    return '';
  }

  /** The context a year or a date is taken from: the option, SYNLOG_YEAR, the file's mtime, now. */
  private context(): TimeContext {
    if (this.timeContext !== null) return this.timeContext;
    let explicit = this.options.year;
    if (explicit === undefined && process.env.SYNLOG_YEAR !== undefined && /^\d{4}$/.test(process.env.SYNLOG_YEAR)) explicit = Number(process.env.SYNLOG_YEAR);
    let ms = this.options.contextMs;
    let source = 'the given context time';
    if (ms === undefined && this.file !== '-') {
      try {
        ms = statSync(this.file).mtimeMs;
        source = "the file's modification time";
      } catch {
        ms = undefined;
      }
    }
    if (ms === undefined || !timeInRange(ms)) {
      ms = Date.now();
      source = 'the current date';
    }
    const d = new Date(ms);
    const dayMs = Math.floor(ms / DAY_MS) * DAY_MS;
    this.timeContext = { year: explicit ?? d.getUTCFullYear(), explicit: explicit !== undefined, dayMs, clockMs: ms - dayMs, source };
    return this.timeContext;
  }

  /** The year of a journalctl short time, carried across Dec → Jan. */
  private syslogYearFor(t: SyslogTime): number {
    const month = t.month;
    if (this.syslogYear === 0) {
      const c = this.context();
      // a log last written in March whose first line says December began the year before
      const inYear = syslogTimeInYear(t, c.year);
      this.syslogYear = !c.explicit && inYear !== null && inYear > c.dayMs + c.clockMs + DAY_MS ? c.year - 1 : c.year;
      if (!c.explicit) {
        this.notes.push(`${this.file}: the journal prefix's times have no year: took ${this.syslogYear} from ${c.source} (set it with --year)`);
      }
    } else if (month < this.syslogMonth - 6) {
      this.syslogYear++;
    } else if (month > this.syslogMonth + 6) {
      this.syslogYear--;
    }
    this.syslogMonth = month;
    return this.syslogYear;
  }

  /** The epoch ms of a time-only clock, on the context's date, carried across midnight. */
  private clockTimeMs(clockMs: number): number {
    if (Number.isNaN(this.clockDayMs)) {
      const c = this.context();
      // the context time (the mtime, or now) is after the log's end: a first line later in the day than it is from the day before
      this.clockDayMs = c.dayMs - (clockMs > c.clockMs ? DAY_MS : 0);
      this.notes.push(`${this.file}: the log's times have no date: took ${formatLogTime(this.clockDayMs).slice(0, 10)} from ${c.source}`);
    } else if (clockMs < this.lastClockMs - DAY_MS / 2) {
      this.clockDayMs += DAY_MS;
    }
    this.lastClockMs = clockMs;
    return this.clockDayMs + clockMs;
  }

  // ---- CRI partial lines ----

  /** A CRI `P` line with no chain open: the chain's first chunk. */
  private startPartial(s: string, layout: Layout, lineNo: number): LogEvent {
    const opens = layout !== Layout.None && layout !== Layout.Fence;
    const t = L.active ? L.text : s;
    let tag: string | null = null;
    if (layout === Layout.Json) tag = J.tag;
    else if (opens && layout !== Layout.Broken) {
      splitFirst(t, layout);
      tag = resolvedTag(t);
    }
    // the CRI prefix is L.outer's end; the chunk's text is everything after it
    const head = CRI_PREFIX.exec(s);
    const prefix = head === null ? '' : head[0];
    const payload = s.substring(prefix.length);
    this.pending = {
      text: payload,
      firstLine: lineNo,
      lastLine: lineNo,
      prefix,
      timeText: head === null ? '' : (head[1] as string),
      timeMs: head === null ? Number.NaN : (parseIsoTimeMs(head[1] as string) ?? Number.NaN),
      opens,
      tag,
      stream: head === null ? '' : (head[2] as string),
      truncated: false,
    };
    if (!opens) return this.nonRecord(s, lineNo, s);
    return { kind: 'continuation', file: this.file, line: lineNo, epoch: this.currentEpoch, recordLine: lineNo, tag, text: s, partial: true };
  }

  /** The line after a `P` chunk: the chain's next chunk, its end (`F`), or (null) a line that breaks it. */
  private continuePartial(s: string, lineNo: number): LogEvent | null {
    const p = this.pending as Partial;
    const head = lineNo === p.lastLine + 1 ? CRI_PREFIX.exec(s) : null;
    if (head === null || head[2] !== p.stream) {
      this.pending = null;
      this.unfinishedPartials++;
      return null;
    }
    const payload = s.substring(head[0].length);
    if (p.text.length + payload.length > JOINED_MAX_CHARS) p.truncated = true;
    else p.text += payload;
    p.lastLine = lineNo;
    if (head[3] === 'P') {
      if (!p.opens) return this.nonRecord(s, lineNo, s);
      return { kind: 'continuation', file: this.file, line: lineNo, epoch: this.currentEpoch, recordLine: p.firstLine, tag: p.tag, text: s, partial: true };
    }
    this.pending = null;
    if (!p.opens) return this.nonRecord(s, lineNo, s);
    if (p.truncated) {
      this.opened(lineNo, p.tag, false);
      return this.unparsed(s, lineNo, `CRI partial lines joined from line ${p.firstLine} are longer than ${JOINED_MAX_CHARS} characters; skipped`, p.tag, null);
    }
    const layout = locateInside(p.text, 'cri', p.prefix, p.timeText, p.timeMs);
    if (layout === Layout.None || layout === Layout.Fence) return this.nonRecord(s, lineNo, s);
    return this.fromLayout(s, layout, lineNo, true);
  }

  /**
   * The record of a line TEXT_PROCESSED matched at `ts` in `t` (`t` is the physical line `s`, or the
   * text inside its envelope): what the general path would build.
   */
  /** textProcessed for the common line: the timestamp at column 0, no envelope (kept apart: the hot path). */
  private textProcessedAtZero(s: string, m: RegExpExecArray, lineNo: number): LogEvent {
    const logger = m[1] as string;
    const tagText = m[2] as string;
    let levelAt = 26 + logger.length + 3;
    while (s.charCodeAt(levelAt) !== 32) levelAt++;
    levelAt += 3;
    const level = levelNameAt(s, levelAt);
    const msgStart = levelAt + level.length + 3 + tagText.length + 3;
    const tag = normTag(tagText);
    this.recordLine = lineNo;
    this.recordTag = tag;
    this.recordWasJson = false;
    const timeMs = logTimeMsOfShape(s, 0);
    if (timeMs === null || timeMs < TIME_MIN_MS || timeMs >= TIME_END_MS) return this.badTime(s, lineNo, tag, s.substring(0, 23));
    return buildProcessed(
      m,
      TEXT_PROCESSED.offset,
      this.file,
      lineNo,
      this.currentEpoch,
      'text',
      s.substring(0, 23),
      timeMs,
      logger,
      level,
      tag,
      s.substring(msgStart),
      '',
      null,
      null,
    );
  }

  private textProcessed(s: string, t: string, m: RegExpExecArray, ts: number, lineNo: number, outer: string, envelope: Envelope | null): LogEvent {
    const logger = m[1] as string;
    const tagText = m[2] as string;
    // after the logger: ` - `, the source line number (not captured: one string less per line), ` - `
    let levelAt = ts + 26 + logger.length + 3;
    while (t.charCodeAt(levelAt) !== 32) levelAt++;
    levelAt += 3;
    const level = levelNameAt(t, levelAt);
    const msgStart = levelAt + level.length + 3 + tagText.length + 3;
    const tag = normTag(tagText);
    this.recordLine = lineNo;
    this.recordTag = tag;
    this.recordWasJson = false;
    const timeMs = logTimeMsOfShape(t, ts);
    if (timeMs === null || timeMs < TIME_MIN_MS || timeMs >= TIME_END_MS) return this.badTime(s, lineNo, tag, t.substring(ts, ts + 23));
    const own = ts === 0 ? '' : t.substring(0, ts);
    return buildProcessed(
      m,
      TEXT_PROCESSED.offset,
      this.file,
      lineNo,
      this.currentEpoch,
      'text',
      t.substring(ts, ts + 23),
      timeMs,
      logger,
      level,
      tag,
      t.substring(msgStart),
      outer === '' ? own : outer + own,
      null,
      envelope,
    );
  }

  private jsonRecord(s: string, j: JsonLine, lineNo: number): LogEvent {
    const envelope = L.active ? L.envelope : null;
    const prefix = L.active ? L.outer : '';
    this.opened(lineNo, j.tag, true);
    if (j.timeBad !== '') return this.unparsed(s, lineNo, j.timeBad, j.tag, null);
    let timeMs = j.timeMs;
    if (timeMs === null && L.active) {
      const bad = this.envTime();
      if (bad !== '') return this.unparsed(s, lineNo, bad, j.tag, null);
      if (!Number.isNaN(this.tMs)) timeMs = this.tMs;
    }
    const time = timeMs === null ? null : formatLogTime(timeMs);
    const level = j.level ?? (L.active ? L.level : null);
    if (isAccessLogger(j.logger, 0, j.logger.length)) {
      const kind = j.message.includes(PROCESSED_LITERAL) ? 'processed' : j.message.includes(RECEIVED_LITERAL) ? 'received' : null;
      if (kind !== null) {
        const m = kind === 'processed' ? execProcessedAt(j.message, 0) : execReceivedAt(j.message, 0);
        const v = m ?? lexAccessValues(kind, j.message);
        if (isAccessError(v)) {
          const why = describeAccessError(v, v.offset + 1, 'end of the value');
          return this.unparsed(s, lineNo, `access line: ${why} in the JSON "log" value`, j.tag, timeMs);
        }
        const epoch = this.currentEpoch;
        return kind === 'processed'
          ? buildProcessed(v, 0, this.file, lineNo, epoch, 'json', time, timeMs, j.logger, level, j.tag, j.message, prefix, j.levelName, envelope)
          : buildReceived(v, this.file, lineNo, epoch, 'json', time, timeMs, j.logger, level, j.tag, j.message, prefix, j.levelName, envelope);
      }
    }
    return this.otherRecord(classify(j.message), lineNo, 'json', time, timeMs, j.logger, level, j.levelName, j.tag, j.message, prefix, envelope);
  }

  private otherRecord(
    k: OtherKind,
    line: number,
    format: LineFormat,
    time: string | null,
    timeMs: number | null,
    logger: string,
    level: Level | null,
    levelName: string | null,
    tag: string | null,
    message: string,
    prefix: string,
    envelope: Envelope | null,
  ): LogRecord {
    const file = this.file;
    switch (k.kind) {
      case 'startup': {
        // the banner opens the new epoch and belongs to it
        const epoch = ++this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope, kind: 'startup' };
      }
      case 'connection-lost': {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope, kind: 'connection-lost', legacy: k.legacy };
      }
      case 'fd-exhaustion': {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope, kind: 'fd-exhaustion', signal: k.signal };
      }
      default: {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, levelName, envelope, kind: 'other' };
      }
    }
  }

  /**
   * A line without a header: a continuation of the previous record, or unparsed when it cannot be one.
   * `text` is what the continuation shows (the log text inside a JSON envelope, else the line).
   */
  private nonRecord(s: string, lineNo: number, text: string): LogEvent {
    const bad = CONTROL.exec(s);
    if (bad !== null) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      return this.unparsed(s, lineNo, `binary data: control character U+${code} at column ${bad.index + 1}`, null, null);
    }
    if (this.recordLine === 0) return this.unparsed(s, lineNo, 'no record header before this line in this source', null, null);
    if (this.recordWasJson) {
      return this.unparsed(s, lineNo, `not a JSON log object, and JSON records (line ${this.recordLine}) have no continuation lines`, null, null);
    }
    const c: ContinuationLine = {
      kind: 'continuation',
      file: this.file,
      line: lineNo,
      epoch: this.currentEpoch,
      recordLine: this.recordLine,
      tag: this.recordTag,
      text,
    };
    return c;
  }

  private unparsed(s: string, lineNo: number, reason: string, tag: string | null, timeMs: number | null): UnparsedLine {
    return {
      kind: 'unparsed',
      file: this.file,
      line: lineNo,
      epoch: this.currentEpoch,
      text: s.length > UNPARSED_TEXT_MAX ? s.slice(0, UNPARSED_TEXT_MAX) : s,
      reason,
      tag,
      timeMs,
    };
  }
}

/**
 * The layout a record was read as, for summaries: its formatter (`text`, `journald`, `json`, `basic`),
 * after the envelope it arrived in, if any (`docker-json+text`, `syslog+journald`, `cri+text`).
 */
export function layoutName(r: LogRecord): string {
  const e = r.envelope ?? null;
  return e === null ? r.format : `${e}+${r.format}`;
}
