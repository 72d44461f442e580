/**
 * One physical log line → one LogEvent (spec §1, §5, §6, §9, §11).
 *
 * Layouts, decided per line:
 *  - text: `[prefix]YYYY-MM-DD HH:MM:SS,mmm - logger - lineno - LEVEL - tag - message`. The header is
 *    checked by one sticky regex at the timestamp (column 0 first); otherwise the timestamp is searched
 *    for (journald, docker, supervisord, custom prefixes), never with a lazy `.*?` regex.
 *  - journald (contrib/systemd/log_config.yaml): `logger: [tag] message`, optionally after a journalctl
 *    `Mon DD HH:MM:SS host ident[pid]: ` prefix; no time, no level.
 *  - JSON (JsonFormatter, TerseJsonFormatter, GcpJsonFormatter, legacy `log_namespace`).
 * Any other line continues the previous record (tracebacks), unless it cannot (see `nonRecord`).
 *
 * Access messages (`synapse.access.*` + the Processed/Received literal) go through access.ts. The
 * common one, a Processed line in the text layout, is read in one match: header, tag and the composed
 * access grammar (TEXT_PROCESSED); any line it does not match takes the general path.
 *
 * Performance notes (V8): a charCodeAt call costs ~20 machine instructions (it dispatches on the
 * string's representation every time), irregexp ~5–15 per character; so headers are checked by regex,
 * and charCodeAt is kept for the few characters whose values are needed (timestamp digits, numbers).
 */
import type { ContinuationLine, Level, LineFormat, LogEvent, LogRecord, ProcessedRecord, UnparsedLine } from '../core/types.js';
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
import { formatLogTime, logTimeMsOfShape, parseIsoTimeMs } from './time.js';

/** Longest text kept on an unparsed line (the caller already bounds lines at 1 MiB). */
export const UNPARSED_TEXT_MAX = 8192;

const STARTUP_BANNER = '***** STARTING SERVER *****';
const ACCESS_LOGGER = 'synapse.access.';
/** Where access loggers start to differ from most others (after `synapse.`). */
const ACCESS_DISTINCT = 'synapse.'.length;

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
}

/** Scratch filled by scanHeader. */
const H = {
  prefixEnd: 0,
  /** index of the timestamp, -1 when the layout has none */
  tsStart: -1,
  /**
   * parsed timestamp; NaN: no timestamp, or its fields are out of range (a number field rather than
   * `number | null`: V8 then stores it in place instead of allocating a heap number each time)
   */
  timeMs: Number.NaN,
  loggerStart: 0,
  loggerEnd: 0,
  level: null as Level | null,
  /** text: start of `tag - message`; journald: start of the message */
  restStart: 0,
  /** journald: the bracketed tag */
  tagStart: 0,
  tagEnd: 0,
};

/** `lit` at s[i…]: char codes compared by hand (`startsWith(lit, i)` is several times slower on V8). */
function litAt(s: string, i: number, lit: string): boolean {
  const n = lit.length;
  if (s.length < i + n) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(i + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Level name at i, followed by ` - `. Returns the level or null. */
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
  const level = levelAt(s, j);
  if (level === null) return false;
  H.loggerStart = p;
  H.loggerEnd = i;
  H.level = level;
  H.restStart = j + level.length + 3;
  return true;
}

/**
 * A text header, `isLogTimeAt(s, ts)` + ` - ` + `tailAt(s, ts + 26)`, as one sticky regex (`\d` is [0-9]
 * and `\S` is `!isWs`, as in those functions). irregexp checks the ~70 header characters several times
 * faster than the same checks as charCodeAt calls; the fields are then found from the match's end (the
 * level, the line number) without scanning the logger again.
 */
const TEXT_HEADER = /\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d\d\d - \S+ - \d+ - (?:INFO|DEBUG|WARNING|ERROR|CRITICAL) - /y;

/** A text header with its timestamp at `ts`: fills H (prefix = everything before `ts`). */
function textHeaderAt(s: string, ts: number): boolean {
  // most other lines (tracebacks, other layouts) fail these two characters: no regex call for them
  if (s.charCodeAt(ts + 19) !== 44 || s.charCodeAt(ts + 13) !== 58) return false; // `,` `:`
  const re = TEXT_HEADER;
  re.lastIndex = ts;
  if (!re.test(s)) return false;
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
  // before ` - <level>`: the line number's digits, and before them ` - ` and the logger
  let j = rest - 6 - level.length;
  for (;;) {
    const c = s.charCodeAt(j - 1);
    if (c < 48 || c > 57) break;
    j--;
  }
  H.prefixEnd = ts;
  H.tsStart = ts;
  // an out-of-range date (month 13) still has the header's shape: a record without timeMs
  H.timeMs = logTimeMsOfShape(s, ts) ?? Number.NaN;
  H.loggerStart = ts + 26;
  H.loggerEnd = j - 3;
  H.level = level;
  H.restStart = rest;
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
  if (sepAt(s, 0) && tailAt(s, 3)) {
    H.prefixEnd = 0;
    H.tsStart = -1;
    H.timeMs = Number.NaN;
    return true;
  }
  TS_TAIL.lastIndex = 20; // a timestamp at column 0 was tried by textAtZero
  // test() + lastIndex rather than exec(): no match array per candidate
  while (TS_TAIL.test(s)) {
    const ts = TS_TAIL.lastIndex - 26;
    if (textHeaderAt(s, ts)) return true;
    TS_TAIL.lastIndex = ts + 20;
  }
  return false;
}

/** journalctl short format: `Apr 27 15:11:08 host ident[pid]: ` (spec §1.4). */
const JOURNALCTL_PREFIX = /^[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d{1,9})? \S+ [^\s[\]:]+(?:\[\d+\])?: /;

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
  H.tagStart = tagStart;
  H.tagEnd = j;
  H.restStart = after < n ? after + 1 : n;
  return true;
}

function journald(s: string): boolean {
  if (journaldAt(s, 0)) return true;
  const c = s.charCodeAt(0);
  if (c < 65 || c > 90) return false;
  const m = JOURNALCTL_PREFIX.exec(s);
  return m !== null && journaldAt(s, m[0].length);
}

/** Finds a header; order: text at column 0, journald, text anywhere. */
function scanHeader(s: string): Layout {
  if (textAtZero(s)) return Layout.Text;
  if (journald(s)) return Layout.Journald;
  if (textAnywhere(s)) return Layout.Text;
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
  const rest = H.restStart;
  let hasStd = false;
  let hasLegacy = false;
  if (layout === Layout.Journald) {
    X.tagStart = H.tagStart;
    X.tagEnd = H.tagEnd;
    X.msgStart = rest;
  } else {
    const n = s.length;
    let sp = rest;
    while (sp < n && !isWs(s.charCodeAt(sp))) sp++;
    hasStd = sepAt(s, sp);
    hasLegacy = sp > rest && s.charCodeAt(sp - 1) === 45 && s.charCodeAt(sp) === 32;
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
  if (!isAccessLogger(s, H.loggerStart, H.loggerEnd)) return null;
  // Hot path: a Processed match implies the literal, so try the regex before scanning for it.
  // (Returned, not kept in X: storing a new object into the long-lived X costs a write barrier.)
  const m0 = execProcessedAt(s, X.msgStart);
  if (m0 !== null) {
    X.access = Access.Processed;
    return m0;
  }
  resolveAccessSlowly(s, layout, hasStd, hasLegacy);
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
  if (layout !== Layout.Journald) {
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

// ---- JSON (spec §6) ---------------------------------------------------------------------------

interface JsonLine {
  readonly message: string;
  readonly logger: string;
  readonly level: Level | null;
  readonly timeMs: number | null;
  readonly tag: string | null;
}

const LEVELS: ReadonlySet<string> = new Set(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A JSON log object, or null if the line is not one (then it is read as text). */
function jsonLine(s: string): JsonLine | null {
  if (s.charCodeAt(0) !== 123) return null;
  let e = s.length - 1;
  while (e > 0 && isWs(s.charCodeAt(e))) e--;
  if (s.charCodeAt(e) !== 125) return null;
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  const logged = str(r['log']) ?? str(r['message']);
  const logger = str(r['namespace']) ?? str(r['log_namespace']) ?? str(r['logger']);
  if (logged === undefined || logger === undefined) return null;
  // JsonFormatter gives an exception as exc_type / exc_value instead of a traceback (spec §6.1):
  // appended as the traceback's last line would read, the way GcpJsonFormatter appends the
  // traceback itself, so `Too many open files` or SQLite's errors are seen in every layout.
  const excType = str(r['exc_type']);
  const excValue = str(r['exc_value']);
  const message = excType === undefined ? logged : `${logged}\n${excType}${excValue ? `: ${excValue}` : ''}`;
  const lv = str(r['level']) ?? str(r['severity']);
  const t = r['time'];
  let timeMs: number | null = null;
  if (typeof t === 'number' && Number.isFinite(t)) timeMs = Math.round(t * 1000);
  else if (typeof t === 'string') timeMs = parseIsoTimeMs(t);
  const req = str(r['request']);
  return {
    message,
    logger,
    level: lv !== undefined && LEVELS.has(lv) ? (lv as Level) : null,
    timeMs,
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
 * Cheap test: does this line start a new record (text header, journald `logger: [tag] msg` layout, or a
 * JSON log object)? A malformed access line has a header, so it starts a record too (LineParser reports
 * it as unparsed but it still ends the previous record's continuation lines).
 */
export function isRecordStart(text: string): boolean {
  const s = stripCr(text);
  if (s.charCodeAt(0) === 123 && jsonLine(s) !== null) return true;
  return scanHeader(s) !== Layout.None;
}

/**
 * Header only: the tag of a record-start line, undefined if the line is not a record start, null if the
 * record has no tag. Agrees with LineParser (same scan, same access-line split choice).
 */
export function tagOfLine(text: string): string | null | undefined {
  const s = stripCr(text);
  if (s.charCodeAt(0) === 123) {
    const j = jsonLine(s);
    if (j !== null) return j.tag;
  }
  const layout = scanHeader(s);
  if (layout === Layout.None) return undefined;
  resolve(s, layout);
  return resolvedTag(s);
}

export class LineParser {
  private readonly file: string;
  private currentEpoch = 0;
  /** line of the record continuation lines attach to; 0 = none yet */
  private recordLine = 0;
  private recordTag: string | null = null;
  private recordWasJson = false;

  /** `startEpoch`: the epoch this source begins in (a rotated log's next file continues the last one's). */
  constructor(file: string, startEpoch = 0) {
    this.file = file;
    this.currentEpoch = startEpoch;
  }

  /** Current restart epoch (0 before the first STARTING SERVER banner in this source). */
  get epoch(): number {
    return this.currentEpoch;
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
    if (s.charCodeAt(0) === 123) {
      const j = jsonLine(s);
      if (j !== null) return this.jsonRecord(s, j, lineNo);
    }
    if (s.charCodeAt(ACCESS_PROBE) === ACCESS_PROBE_C0 && s.charCodeAt(ACCESS_PROBE + 1) === ACCESS_PROBE_C1) {
      const m = execTextProcessed(s, 0);
      if (m !== null) return this.textProcessed(s, m, 0, lineNo);
    }
    const layout = scanHeader(s);
    if (layout === Layout.None) return this.nonRecord(s, lineNo);
    const ts = H.tsStart;
    if (ts > 0 && layout === Layout.Text && s.charCodeAt(ts + ACCESS_PROBE) === ACCESS_PROBE_C0 && s.charCodeAt(ts + ACCESS_PROBE + 1) === ACCESS_PROBE_C1) {
      // a prefixed layout (docker, journalctl, …): the same whole-line read after the prefix
      const m = execTextProcessed(s, ts);
      if (m !== null) return this.textProcessed(s, m, ts, lineNo);
    }
    const v = resolve(s, layout);
    const tag = resolvedTag(s);
    const tsStart = H.tsStart;
    const t = H.timeMs;
    const timeMs = Number.isNaN(t) ? null : t;
    this.recordLine = lineNo;
    this.recordTag = tag;
    this.recordWasJson = false;
    if (X.access === Access.Malformed) {
      const why = X.error === null ? 'unreadable' : describeAccessError(X.error, X.errorColumn, 'end of line');
      return this.unparsed(s, lineNo, `access line: ${why}`, tag, timeMs);
    }
    const format: LineFormat = layout === Layout.Journald ? 'journald' : 'text';
    const time = tsStart < 0 ? null : s.substring(tsStart, tsStart + 23);
    const logger = s.substring(H.loggerStart, H.loggerEnd);
    const level = H.level;
    const message = s.substring(X.msgStart);
    const prefix = H.prefixEnd === 0 ? '' : s.substring(0, H.prefixEnd);
    if (v !== null) {
      return X.access === Access.Processed
        ? buildProcessed(v, 0, this.file, lineNo, this.currentEpoch, format, time, timeMs, logger, level, tag, message, prefix)
        : buildReceived(v, this.file, lineNo, this.currentEpoch, format, time, timeMs, logger, level, tag, message, prefix);
    }
    return this.otherRecord(classify(message), lineNo, format, time, timeMs, logger, level, tag, message, prefix);
  }

  /**
   * The record of a line TEXT_PROCESSED matched at `ts` (the prefix's length): what parseLine's general
   * path would build.
   */
  private textProcessed(s: string, m: RegExpExecArray, ts: number, lineNo: number): ProcessedRecord {
    const logger = m[1] as string;
    const tagText = m[2] as string;
    // after the logger: ` - `, the source line number (not captured: one string less per line), ` - `
    let levelAt = ts + 26 + logger.length + 3;
    while (s.charCodeAt(levelAt) !== 32) levelAt++;
    levelAt += 3;
    const level = levelNameAt(s, levelAt);
    const msgStart = levelAt + level.length + 3 + tagText.length + 3;
    const tag = normTag(tagText);
    this.recordLine = lineNo;
    this.recordTag = tag;
    this.recordWasJson = false;
    return buildProcessed(
      m,
      TEXT_PROCESSED.offset,
      this.file,
      lineNo,
      this.currentEpoch,
      'text',
      s.substring(ts, ts + 23),
      logTimeMsOfShape(s, ts),
      logger,
      level,
      tag,
      s.substring(msgStart),
      ts === 0 ? '' : s.substring(0, ts),
    );
  }

  private jsonRecord(s: string, j: JsonLine, lineNo: number): LogEvent {
    this.recordLine = lineNo;
    this.recordTag = j.tag;
    this.recordWasJson = true;
    const time = j.timeMs === null ? null : formatLogTime(j.timeMs);
    if (isAccessLogger(j.logger, 0, j.logger.length)) {
      const kind = j.message.includes(PROCESSED_LITERAL) ? 'processed' : j.message.includes(RECEIVED_LITERAL) ? 'received' : null;
      if (kind !== null) {
        const m = kind === 'processed' ? execProcessedAt(j.message, 0) : execReceivedAt(j.message, 0);
        const v = m ?? lexAccessValues(kind, j.message);
        if (isAccessError(v)) {
          const why = describeAccessError(v, v.offset + 1, 'end of the value');
          return this.unparsed(s, lineNo, `access line: ${why} in the JSON "log" value`, j.tag, j.timeMs);
        }
        const epoch = this.currentEpoch;
        return kind === 'processed'
          ? buildProcessed(v, 0, this.file, lineNo, epoch, 'json', time, j.timeMs, j.logger, j.level, j.tag, j.message, '')
          : buildReceived(v, this.file, lineNo, epoch, 'json', time, j.timeMs, j.logger, j.level, j.tag, j.message, '');
      }
    }
    return this.otherRecord(classify(j.message), lineNo, 'json', time, j.timeMs, j.logger, j.level, j.tag, j.message, '');
  }

  private otherRecord(
    k: OtherKind,
    line: number,
    format: LineFormat,
    time: string | null,
    timeMs: number | null,
    logger: string,
    level: Level | null,
    tag: string | null,
    message: string,
    prefix: string,
  ): LogRecord {
    const file = this.file;
    switch (k.kind) {
      case 'startup': {
        // the banner opens the new epoch and belongs to it
        const epoch = ++this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, kind: 'startup' };
      }
      case 'connection-lost': {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, kind: 'connection-lost', legacy: k.legacy };
      }
      case 'fd-exhaustion': {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, kind: 'fd-exhaustion', signal: k.signal };
      }
      default: {
        const epoch = this.currentEpoch;
        return { file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix, kind: 'other' };
      }
    }
  }

  /** A line without a header: a continuation of the previous record, or unparsed when it cannot be one. */
  private nonRecord(s: string, lineNo: number): LogEvent {
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
      text: s,
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
