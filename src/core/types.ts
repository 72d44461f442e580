/**
 * The typed records synlog produces from Synapse log lines.
 *
 * Every input line becomes exactly one LogEvent: a record (a line with a Synapse header),
 * a continuation (a line without a header that belongs to the previous record, e.g. a
 * traceback), or an unparsed line (not understood; counted and reported with its number).
 *
 * Field names carry units (`totalSec`, `bytes`). Times: `time` is the timestamp text as
 * logged; `timeMs` is milliseconds since 1970 where text timestamps (local time, no zone in
 * the log) are read as if they were UTC, and JSON epoch times are exact.
 */

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** How Synapse's formatter laid the line out (the envelope around it is `RecordBase.envelope`). */
export type LineFormat =
  /**
   * `2024-01-01 00:00:00,000 - logger - lineno - LEVEL - tag - message`, any prefix before it; also a
   * custom `asctime` (`08:02:11 - …`, `08:02:11,411 - …`, `2024-01-01 00:00:00 - …`) before the same fields
   */
  | 'text'
  /** contrib/systemd/log_config.yaml: `logger: [tag] message` (journald keeps time/level) */
  | 'journald'
  /** JsonFormatter / TerseJsonFormatter / GcpJsonFormatter / legacy `log_namespace` */
  | 'json'
  /** Python's `logging.BASIC_FORMAT`, `LEVEL:logger:message` (a log config without a formatter): no time, no tag */
  | 'basic';

/**
 * What the line arrived in, around the formatter's text (outermost first when nested):
 * - `syslog`: a journalctl / syslog prefix, `Jun 01 08:02:11 host ident[pid]: ` (any locale's month word,
 *   `-o short-precise`, `-o short-iso`, `-o short-full`, `-o short-unix`);
 * - `cri`: Kubernetes / CRI-O / containerd, `2024-06-01T08:02:11.411182649Z stderr F `;
 * - `docker-json`: Docker's json-file driver, `{"log":"…\n","stream":"stderr","time":"…"}`;
 * - `journal-json`: `journalctl -o json` (`MESSAGE`, `__REALTIME_TIMESTAMP`, `PRIORITY`, …);
 * - `prefix`: any other text before the line (docker compose `name  | `, supervisord, custom);
 * - `excerpt`: pasted from chat or an issue (inline backticks, `> ` quotes, list bullets, indentation).
 */
export type Envelope = 'syslog' | 'cri' | 'docker-json' | 'journal-json' | 'prefix' | 'excerpt';

/** Fields every record has, whatever its kind. */
export interface RecordBase {
  /** Source name as given by the user (path, or `-` for stdin). */
  readonly file: string;
  /** 1-based line number in that source. */
  readonly line: number;
  /** Restart epoch within the source: 0 before the first `***** STARTING SERVER *****`, then 1, 2, … */
  readonly epoch: number;
  readonly format: LineFormat;
  /**
   * Timestamp text as logged (`2026-11-22 07:42:21,260`, `08:02:11` for a time-only asctime); for a time
   * taken from JSON or from the envelope (the formatter wrote none: journald layout, BASIC_FORMAT) its
   * text form `YYYY-MM-DD HH:MM:SS,mmm`. null if the line carries no readable time.
   */
  readonly time: string | null;
  /**
   * See the file comment. Always in [1970-01-01, 2100-01-01): a line whose time is outside is not a
   * record but not understood (`time out of range: …`). null when the line carries no time.
   */
  readonly timeMs: number | null;
  /** Logger name, e.g. `synapse.access.http.8008`. */
  readonly logger: string;
  /** null when the layout carries no level (journald keeps it outside the text). */
  readonly level: Level | null;
  /**
   * Log-context name (request tag), e.g. `GET-37`, `PUT-556442-$event…`, `sentinel`, `main`.
   * null when the field is empty, `None`, or absent from the layout.
   */
  readonly tag: string | null;
  /** The message text (for JSON: the `log` / `message` value). */
  readonly message: string;
  /** Text before the timestamp (journald / docker / supervisord prefix); '' if none. */
  readonly prefix: string;
  /**
   * The level word as logged when it is not one of the five standard names (`Level 5`, `WARN`,
   * `TRACE`, `notice`…; `level` then holds its canonical severity), else null. Set on every record the
   * parser builds (optional only so that hand-built records need not spell it out).
   */
  readonly levelName?: string | null;
  /** The envelope the line arrived in (see Envelope), null for a bare line. Set on every parsed record. */
  readonly envelope?: Envelope | null;
}

/** `Processed request:` — the access line written when a request finishes (spec §2). */
export interface ProcessedRecord extends RecordBase {
  readonly kind: 'processed';
  /** Opaque client address field (IP, XFF value, socket path, `-`, user-redacted text). */
  readonly ip: string | null;
  /** Listener tag / port (`8008`, `unix`). */
  readonly siteTag: string | null;
  /** Acting user / origin server; null when `{None}`. */
  readonly requester: string | null;
  /** Who authenticated (differs when puppeting, `a|b` or `a,b`); equals requester otherwise; null when `{None}`. */
  readonly authenticatedEntity: string | null;
  /** Processing time from dispatch to handler finish. ms-format logs are converted. */
  readonly totalSec: number;
  /** Response send time; may be negative (client left before processing finished). null before v0.33.3. */
  readonly sendSec: number | null;
  readonly cpuUserSec: number | null;
  readonly cpuSysSec: number | null;
  /** Waiting for a DB connection, summed over parallel work (can exceed totalSec). null before v0.27. */
  readonly dbSchedSec: number | null;
  /** Time in DB transactions, summed over parallel work (can exceed totalSec). */
  readonly dbTxnSec: number | null;
  readonly dbTxnCount: number | null;
  /** Response body bytes. */
  readonly bytes: number;
  /** Numeric HTTP status (`HTTPStatus.OK` → 200); null if unreadable. */
  readonly status: number | null;
  /** Status text as logged, without the drop marker (`200`, `HTTPStatus.OK`). */
  readonly statusText: string;
  /** `!` after (or, in the docs example, before) the status: the response was not fully sent. */
  readonly dropped: boolean;
  readonly method: string;
  /** Raw request target as logged (percent-encoding kept, query included, tokens already redacted by Synapse). */
  readonly uri: string;
  readonly protocol: string;
  /** User agent; '-' in text when absent. Unescaped, attacker-controlled. */
  readonly userAgent: string;
  /** Events fetched from the DB; null before v0.32. */
  readonly dbEvents: number | null;
}

/** `Received request:` — logged at dispatch (INFO ≤ v1.10, DEBUG since v1.11). */
export interface ReceivedRecord extends RecordBase {
  readonly kind: 'received';
  readonly ip: string | null;
  readonly siteTag: string | null;
  readonly method: string;
  readonly uri: string;
}

/**
 * The client went away before the response was sent: `Connection from client lost before response
 * was sent` (v1.18+) or the pre-v1.18 `Error processing request … ConnectionDone …` WARNING.
 */
export interface ConnectionLostRecord extends RecordBase {
  readonly kind: 'connection-lost';
  readonly legacy: boolean;
}

/** `***** STARTING SERVER *****`: a process (re)start; this record opens a new epoch. */
export interface StartupRecord extends RecordBase {
  readonly kind: 'startup';
}

/** File-handle exhaustion evidence: EMFILE, `Too many open files`, `Could not accept new connection`. */
export interface FdExhaustionRecord extends RecordBase {
  readonly kind: 'fd-exhaustion';
  /** Which signal matched. */
  readonly signal: 'emfile' | 'too-many-open-files' | 'accept-failed';
}

/** Any other line with a Synapse header. */
export interface GenericRecord extends RecordBase {
  readonly kind: 'other';
}

export type LogRecord = ProcessedRecord | ReceivedRecord | ConnectionLostRecord | StartupRecord | FdExhaustionRecord | GenericRecord;

export type RecordKind = LogRecord['kind'];

/** A line without a header that continues the previous record (traceback, blank line inside one). */
export interface ContinuationLine {
  readonly kind: 'continuation';
  readonly file: string;
  readonly line: number;
  readonly epoch: number;
  /** Line number of the record it belongs to. */
  readonly recordLine: number;
  /** Tag of the record it belongs to (so grouping needs no lookback). */
  readonly tag: string | null;
  /**
   * The line as read; for a JSON envelope (docker json-file, journalctl -o json) the log text it
   * carries, since the physical line is its JSON encoding.
   */
  readonly text: string;
  /**
   * Set (true) only on a container runtime's partial chunk (CRI `P`) that starts a record: the record
   * is the next record event, built when the following `F` line completes the physical line. Such a
   * chunk's `recordLine` is the line of the chain's first chunk and `tag` is the tag in its header.
   */
  readonly partial?: true;
}

/** A line synlog could not read. Data, never an exception. */
export interface UnparsedLine {
  readonly kind: 'unparsed';
  readonly file: string;
  readonly line: number;
  readonly epoch: number;
  /** The line text (possibly cut to a bounded length for over-long lines). */
  readonly text: string;
  /** One line saying what could not be read, e.g. `access line: expected status at column 212`. */
  readonly reason: string;
  /**
   * When the line had a readable header but its message could not be read (a malformed access
   * line), the tag from that header, so `grep` still finds it. null otherwise.
   */
  readonly tag: string | null;
  /** Header time when there was one. */
  readonly timeMs: number | null;
}

export type LogEvent = LogRecord | ContinuationLine | UnparsedLine;

/** Counters every run keeps: each input line lands in exactly one of the three. */
export interface LineAccounting {
  records: number;
  continuations: number;
  unparsed: number;
  /** First few not-understood line numbers, per source, for the stderr summary. */
  firstUnparsed: Array<{ file: string; line: number; reason: string }>;
  /**
   * What the parser had to guess (a year, a date) or could not finish, once each: said on stderr
   * after the results, never an error (input/accounting.ts addNotes).
   */
  notes?: string[];
}
