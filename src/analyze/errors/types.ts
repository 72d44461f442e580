/**
 * What `errors` finds (#14): error kinds with their counts, times, places, requests, known cause and
 * one example. Plain data with stable field names for the text, NDJSON and Markdown renderers.
 */
import type { Level } from '../../core/types.js';
import type { CauseId } from './causes.js';

export interface NamedCount {
  readonly name: string;
  readonly count: number;
}

/** One example of a kind: its record and traceback lines, bounded (see index.ts). */
export interface ErrorExample {
  /** The file and line of the record (a rotated log's piece). */
  readonly file: string;
  readonly line: number;
  /** Restart number in its log. */
  readonly epoch: number;
  readonly timeMs: number | null;
  readonly tag: string | null;
  /** The record as `time - logger - LEVEL - tag - message` (the source line number is not kept), then its traceback. */
  readonly lines: readonly string[];
  /** Lines left out of the middle of a long traceback (marked where they were). */
  readonly omittedLines: number;
}

export interface ErrorKind {
  /** Identity: `traceback` kinds by exception type and innermost Synapse frame, `message` kinds by logger and template. */
  readonly key: string;
  readonly type: 'traceback' | 'message';
  /** `sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute`, or `synapse.http.server: Not sending response to request <XForwardedForRequest>, already disconnected.` */
  readonly title: string;
  /** Exception type (traceback kinds). */
  readonly exception: string | null;
  /** `synapse/storage/database.py:432 in _do_execute` (traceback kinds), null when there were no frames (JSON logs). */
  readonly frame: string | null;
  /** The message with IDs, numbers, hosts and quoted values masked (message kinds). */
  readonly template: string | null;
  /** Logger of the example. */
  readonly logger: string;
  /** Highest level seen (null: the layout has no level, journald). */
  readonly level: Level | null;
  readonly count: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** Per log (worker: the label of its first file) and restart. */
  readonly places: ReadonlyArray<{ readonly log: string; readonly epoch: number; readonly count: number }>;
  readonly requests: {
    /** Distinct requests (tags) it was logged under. */
    readonly count: number;
    /** A few of them, earliest first, with the file of their first error line. */
    readonly tags: ReadonlyArray<{ readonly tag: string; readonly file: string; readonly epoch: number }>;
    /** Their endpoints (servlets), from each request's Processed line. */
    readonly endpoints: readonly NamedCount[];
    /** Of them, without a Processed line (still running, or the log ends). */
    readonly unfinished: number;
    /** Lines whose request was not tracked (over the bound on requests). */
    readonly untracked: number;
  };
  /** Non-request contexts it was logged in (`sentinel`, background processes without their counter). */
  readonly background: readonly NamedCount[];
  /** Traceback kinds: the exception messages, masked. */
  readonly messages: readonly NamedCount[];
  /** Remote servers named by its lines (federation failures). */
  readonly destinations: readonly NamedCount[];
  readonly destinationCount: number;
  /** Known causes (causes.ts) and how many of its lines each explains, most first. */
  readonly causes: ReadonlyArray<{ readonly id: CauseId; readonly lines: number }>;
  /** Lines per time bucket (bucketMs wide, starts in ms since 1970), oldest first. */
  readonly timeline: { readonly bucketMs: number; readonly counts: ReadonlyArray<readonly [number, number]> };
  readonly example: ErrorExample | null;
}

export interface ErrorsResult {
  /** Most lines first. */
  readonly kinds: ErrorKind[];
  /** Error lines counted (each record once, a traceback with its record). */
  readonly lines: number;
  readonly byLevel: { readonly CRITICAL: number; readonly ERROR: number; readonly WARNING: number; readonly INFO: number; readonly unknown: number };
  /** Lines of kinds beyond the bound on kinds: counted here, not grouped. */
  readonly droppedLines: number;
  readonly maxKinds: number;
}

/** One kind as the dashboard shows it (the commonest, live). */
export interface LiveErrorKind {
  readonly key: string;
  readonly title: string;
  readonly level: Level | null;
  readonly count: number;
  readonly lastMs: number | null;
  /** The known cause of most of its lines, if any. */
  readonly cause: CauseId | null;
  readonly example: ErrorExample | null;
}

/** How things stand now, for `synlog top`. */
export interface ErrorsLive {
  /** Error lines per second over the last 60 s of log time, oldest first. */
  readonly rate: number[];
  readonly lines: number;
  readonly kinds: number;
  /** The kinds with the most lines, at most 20. */
  readonly top: LiveErrorKind[];
}
