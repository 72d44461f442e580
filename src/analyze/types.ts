import type { LineFormat } from '../core/types.js';
import type { LifetimeEnd } from './model/lifetime.js';
import type { UnloggedRise } from './model/unlogged.js';
import type { WaitFacts } from './model/waits.js';

/**
 * What the analyzers find. Plain data with stable field names: the text, NDJSON, Markdown and
 * Ink renderers all read these. Times are as in core/types.ts (`…Ms` = ms since 1970, log
 * clock); durations are seconds (`…Sec`).
 */

/** One-word reason a request was slow. */
export type SlowVerdict = 'cpu' | 'db' | 'db-pool' | 'waiting';

/**
 * Where a request's total time went. Synapse sums DB times over parallel work, so they can
 * exceed the total; then the CPU and DB parts are scaled down to fit (dbParallel = true) and the
 * split stays honest: cpuSec + dbPoolSec + dbTxnSec + waitingSec = totalSec.
 */
export interface CauseSplit {
  readonly totalSec: number;
  readonly cpuSec: number;
  readonly dbPoolSec: number;
  readonly dbTxnSec: number;
  /** Unaccounted: locks, remote servers, long-polls, the reactor being busy. */
  readonly waitingSec: number;
  /** The logged DB/CPU times added up to more than the total (parallel DB work). */
  readonly dbParallel: boolean;
  readonly verdict: SlowVerdict;
}

/** Identity and endpoint of one finished request (a Processed line). */
export interface RequestRef {
  readonly file: string;
  readonly epoch: number;
  /** Line number of the Processed line. */
  readonly line: number;
  readonly tag: string;
  /** When the Processed line was logged. */
  readonly timeMs: number | null;
  /** Reconstructed start: logged − total − max(send, 0) (spec §2.2). */
  readonly startMs: number | null;
  readonly servlet: string;
  readonly method: string;
  readonly uri: string;
  readonly status: number | null;
  readonly dropped: boolean;
  /** Acting user or origin server; null when unauthenticated. */
  readonly user: string | null;
  readonly userAgent: string;
}

export interface SlowFinding extends RequestRef {
  readonly analyzer: 'slow';
  readonly totalSec: number;
  readonly cause: CauseSplit;
  /** For `!` requests with a negative send time: how long the client waited before leaving. */
  readonly clientLeftAfterSec: number | null;
  /** Its `!` line was written during its process's shutdown (#10 §1): cut off, not slow by itself. */
  readonly cutOff: boolean;
  /** What it waited on, from the lines logged under its tag (#10 §4); null when it logged none about that. */
  readonly waits: WaitFacts | null;
}

/** What a stuck finding rests on. */
export type StuckEvidence =
  /** DEBUG access log: a Received line with no Processed line (exact). */
  | 'received-without-processed'
  /** INFO: lines logged under the tag, but no Processed line. */
  | 'lines-without-processed'
  /** `Connection from client lost before response was sent` with no Processed line: the client gave up, the handler kept running. */
  | 'client-gave-up'
  /** The same line, written while the process shut down: the shutdown dropped the connection. */
  | 'connection-dropped-at-shutdown'
  /** A `!` Processed line written during the shutdown (spec §2.3). */
  | 'cut-off-by-shutdown'
  /** A Processed line whose duration reached --stuck-after (not a long-poll within its timeout). */
  | 'long-processing'
  /** INFO: a request number handed out but never logged, while the rate of such numbers rose (indirect). */
  | 'unlogged-rise'
  /** INFO: a request number handed out shortly before the process stopped and never logged (indirect). */
  | 'unlogged-at-stop'
  /** Outbound requests to other servers failed or hung while it ran. */
  | 'waiting-on-remote'
  /** It waited for a lock for over 10 minutes (synapse/handlers/worker_lock.py). */
  | 'waiting-on-lock';

export type StuckState =
  /** Live: open for longer than --stuck-after, input still going. */
  | 'open'
  /** Still open when the input ended while its process was running. */
  | 'open-at-end'
  /** No Processed line when its process was shut down. */
  | 'open-at-shutdown'
  /** No Processed line when its process stopped without shutdown lines (killed, crashed, OOM). */
  | 'open-at-kill'
  /** Its `!` Processed line was written during the shutdown: cut off, not finished. */
  | 'cut-off'
  /** Finished, but only after running at least --stuck-after. */
  | 'ran-long'
  /** INFO: a request number never logged (OPTIONS/health at DEBUG, rejected, or still running: indirect). */
  | 'unlogged';

export interface StuckFinding {
  readonly analyzer: 'stuck';
  /** The log it belongs to (a rotated log's first file), and the file of its first line. */
  readonly log: string;
  readonly file: string;
  /** Restart number in its log (0 before the first start banner). */
  readonly epoch: number;
  /** Root tag; null for an unlogged number (its method is unknown). */
  readonly tag: string | null;
  /** Its request number, when it has one. */
  readonly seq: number | null;
  readonly state: StuckState;
  readonly evidence: readonly StuckEvidence[];
  /** Received time (DEBUG), reconstructed start (finished ones), or estimated from its number (INFO). */
  readonly startMs: number | null;
  /** From start to the process's stop / the end of input / now, or the total for finished ones. */
  readonly ageSec: number | null;
  /** When its process stopped (open-at-shutdown, open-at-kill, cut-off, unlogged), else null. */
  readonly stopMs: number | null;
  /** Known from Received or Processed lines; null at INFO for requests that never finished. */
  readonly servlet: string | null;
  readonly method: string | null;
  readonly uri: string | null;
  /** Status of finished ones (a `!` line's code), else null. */
  readonly status: number | null;
  readonly user: string | null;
  /** Line number of its first line, and how many lines it logged (0 for unlogged numbers). */
  readonly firstLine: number | null;
  readonly lineCount: number;
  /** The last message logged under the tag (a hint of what it was waiting for). */
  readonly lastMessage: string | null;
  readonly waits: WaitFacts | null;
}

/** How a process lifetime of one log ended, and what was in flight then (#10 §1). */
export interface LifetimeSummary {
  readonly file: string;
  readonly epoch: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly end: LifetimeEnd;
  /** When it stopped: the shutdown's first line, or its last line. */
  readonly stopMs: number | null;
  readonly signal: string | null;
  /** `Main loop terminated.` was logged. */
  readonly terminated: boolean;
  /** Requests with lines but no Processed line when it stopped (or when the input ended). */
  readonly openAtStop: number;
  /**
   * Of those, at the end of the input (the process still running): open for less than
   * --stuck-after, so not stuck (yet): counted here, not listed.
   */
  readonly openRecent: number;
  /** `!` Processed lines written during its shutdown. */
  readonly cutOff: number;
  /** Finished requests that ran at least --stuck-after. */
  readonly ranLong: number;
  /** Request numbers never logged (INFO only; null at DEBUG): see model/unlogged.ts. */
  readonly unlogged: UnloggedSummary | null;
  readonly synapseVersion: string | null;
  /** Open or hung requests of this lifetime counted but not listed one by one (bounds). */
  readonly notListed: number;
}

export interface UnloggedSummary {
  readonly fromSeq: number;
  readonly highestSeq: number;
  readonly missing: number;
  /** The first few. */
  readonly sample: readonly number[];
  /** Handed out within --stuck-after before the process stopped. */
  readonly nearStop: number;
  readonly rise: UnloggedRise | null;
}

export type PercentileMethod = 'exact' | 'sketch';

export interface EndpointStats {
  readonly servlet: string;
  readonly count: number;
  readonly status4xx: number;
  readonly status5xx: number;
  readonly dropped: number;
  /** (4xx + 5xx + dropped) / count. */
  readonly errorRate: number;
  readonly p50Sec: number;
  readonly p90Sec: number;
  readonly p95Sec: number;
  readonly p99Sec: number;
  readonly maxSec: number;
  /** Sum of total times: where the server spent its time. */
  readonly sumSec: number;
  readonly meanCpuSec: number;
  readonly meanDbPoolSec: number;
  readonly meanDbTxnSec: number;
  readonly meanDbEvents: number;
  /** Long-poll requests that returned near their timeout: normal, counted apart. */
  readonly longPolls: number;
  /**
   * Requests counted but not timed: their total time cannot be a duration (negative, or longer
   * than since 1970: the wall clock stepped during them; parse/access.ts possibleTotalSec).
   */
  readonly untimed: number;
  readonly percentiles: PercentileMethod;
}

export type FdVerdict = 'no sign' | 'suspicious' | 'likely';

export interface InFlightPoint {
  readonly tMs: number;
  /** Requests in flight: the time-weighted average over each second, the largest of those over the bucket. */
  readonly inFlight: number;
}

/** What the hung requests of a rise share (#10 §3): "40 requests to X waiting on 12 remote servers". */
export interface HungShare {
  readonly requests: number;
  /** Hung requests that left no line at all (INFO: unlogged numbers). */
  readonly unlogged: number;
  readonly endpoints: ReadonlyArray<{ readonly name: string; readonly count: number }>;
  readonly users: ReadonlyArray<{ readonly name: string; readonly count: number }>;
  /** Remote servers they waited on: how many of the requests, and their failed attempts. */
  readonly destinations: ReadonlyArray<{ readonly name: string; readonly requests: number; readonly failures: number }>;
  readonly destinationCount: number;
}

/** The file-descriptor view of one process lifetime. */
export interface FdLifetime {
  readonly epoch: number;
  readonly verdict: FdVerdict;
  readonly evidence: readonly string[];
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
  readonly end: LifetimeEnd;
  readonly stopMs: number | null;
  /** Requests in flight (all), per second average: first decile and peak. */
  readonly baselineInFlight: number;
  readonly peakInFlight: number;
  readonly peakAtMs: number | null;
  /** Requests in flight for at least --stuck-after: the most at once, and when. */
  readonly hungPeak: number;
  readonly hungPeakAtMs: number | null;
  /** Hung requests kept rising for minutes without coming back (#10 §3). */
  readonly growing: boolean;
  readonly hung: HungShare | null;
  readonly fdErrorLines: number;
  readonly sqliteOpenErrors: number;
  readonly disconnects: number;
  /** Distinct remote servers contacted around the fd errors (admin FAQ: a busy room can run a server out). */
  readonly outboundDestinations: number | null;
}

export interface FdReport {
  readonly analyzer: 'fds';
  readonly file: string;
  /** The worst of its lifetimes'. */
  readonly verdict: FdVerdict;
  /** One line each, plain text; prefixed with the restart number when the log has several lifetimes. */
  readonly evidence: readonly string[];
  /** The time window the verdict is about, when there is one. */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
  readonly baselineInFlight: number;
  readonly peakInFlight: number;
  readonly peakAtMs: number | null;
  /** Whether requests that hang kept piling up in some lifetime. */
  readonly growing: boolean;
  readonly fdErrorLines: number;
  readonly disconnects: number;
  readonly disconnectBursts: ReadonlyArray<{ readonly tMs: number; readonly count: number }>;
  /** Down-sampled timeline for charts (≤ ~200 points), all lifetimes. */
  readonly timeline: readonly InFlightPoint[];
  readonly lifetimes: readonly FdLifetime[];
  /** In-flight time beyond the grid's bound (never sized from log data), in seconds: not charted. */
  readonly uncharted: number;
}

/** Filters shared by every analysis command. */
export interface RecordFilter {
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
  /** Substring (case-insensitive) of the servlet name or route. */
  readonly endpoint: string | null;
  /** `5xx`, `404`, `4xx`, `!` (dropped). */
  readonly status: string | null;
  /** Substring of the requester. */
  readonly user: string | null;
  readonly minDurationSec: number | null;
}

export interface FileSummary {
  /** The file, or a rotated log's files oldest first joined by ` + `. */
  file: string;
  /** How many files it was read from: more than 1 for a rotated log. */
  pieces: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Process lifetimes seen in the file (restart epochs with at least one line). */
  epochs: number;
  /** From `Server … version 1.67.0` at startup; the last one seen (upgrades restart). */
  synapseVersion: string | null;
  /** 'debug' when Received lines or DEBUG access lines were seen. */
  accessLevel: 'debug' | 'info';
  format: LineFormat | 'mixed';
  /** Lines with a header (continuations and unparsed lines excluded). */
  records: number;
  processed: number;
  received: number;
  unparsed: number;
}
