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
}

/** What a stuck finding rests on. */
export type StuckEvidence =
  /** DEBUG access log: a Received line with no Processed line (exact). */
  | 'received-without-processed'
  /** INFO: lines logged under the tag, but no Processed line. */
  | 'lines-without-processed'
  /** `Connection from client lost before response was sent` with no Processed line: the handler kept running. */
  | 'client-gave-up'
  /** A Processed line whose duration shows it ran far longer than its endpoint normally takes. */
  | 'long-processing';

export type StuckState =
  /** Still open when the input ended (may also be in flight: see ageSec). */
  | 'open-at-end'
  /** Still open when the process restarted: it never finished. */
  | 'open-at-restart'
  /** Live mode: open for longer than the threshold, input still going. */
  | 'open'
  /** Finished, but only after running for minutes. */
  | 'ran-long';

export interface StuckFinding {
  readonly analyzer: 'stuck';
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly state: StuckState;
  readonly evidence: readonly StuckEvidence[];
  /** Received time (DEBUG), reconstructed start (ran-long), or the first line seen (INFO). */
  readonly startMs: number | null;
  /** For open requests: from start to the end of input / restart / now; for ran-long: totalSec. */
  readonly ageSec: number | null;
  /** Known from Received or Processed lines; null at INFO for requests that never finished. */
  readonly servlet: string | null;
  readonly method: string | null;
  readonly uri: string | null;
  /** Line number of the first line of the request, and how many lines it logged. */
  readonly firstLine: number;
  readonly lineCount: number;
  /** The last message logged under the tag (a hint of what it was waiting for). */
  readonly lastMessage: string | null;
  /** For ran-long: how many times its endpoint's median the total was; else null. */
  readonly timesEndpointMedian: number | null;
}

/** Request-number gaps: numbers of one process lifetime that never appeared in the log. */
export interface CounterGapSummary {
  readonly file: string;
  readonly epoch: number;
  readonly highestSeq: number;
  readonly missing: number;
  /** The first few missing numbers. */
  readonly sample: readonly number[];
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
  readonly percentiles: PercentileMethod;
}

export type FdVerdict = 'no sign' | 'suspicious' | 'likely';

export interface InFlightPoint {
  readonly tMs: number;
  /** Requests in flight: the time-weighted average over each second, the largest of those over the bucket. */
  readonly inFlight: number;
}

export interface FdReport {
  readonly analyzer: 'fds';
  readonly file: string;
  readonly verdict: FdVerdict;
  /** One line each, plain text, e.g. `168 EMFILE lines between 07:46:33 and 07:46:35`. */
  readonly evidence: readonly string[];
  /** The time window the verdict is about, when there is one. */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
  readonly baselineInFlight: number;
  readonly peakInFlight: number;
  readonly peakAtMs: number | null;
  /** Whether in-flight kept growing without returning to its baseline. */
  readonly growing: boolean;
  readonly fdErrorLines: number;
  readonly disconnects: number;
  readonly disconnectBursts: ReadonlyArray<{ readonly tMs: number; readonly count: number }>;
  /** Down-sampled timeline for charts (≤ ~200 points). */
  readonly timeline: readonly InFlightPoint[];
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
