/**
 * The findings of a full analysis (stats, slow, stuck, fds, errors) as one object, for the report and for
 * tests: what every engine result of those four analyzers reads as.
 */
import type { EngineLive, EngineResult } from './engine.js';
import type { ErrorsLive, ErrorsResult } from './errors/types.js';
import type { WaitFacts } from './model/waits.js';
import type { EndpointStats, FdReport, FdVerdict, FileSummary, LifetimeSummary, SlowFinding, StuckEvidence, StuckFinding } from './types.js';

export const FULL_ANALYSIS = ['stats', 'slow', 'stuck', 'fds', 'errors'] as const;
export type FullAnalysis = (typeof FULL_ANALYSIS)[number];

export interface AnalysisResult {
  readonly files: FileSummary[];
  /** By sumSec, descending. */
  readonly endpoints: EndpointStats[];
  /** The slowest first (as many as the run kept). */
  readonly slow: SlowFinding[];
  /** Every slow request found, kept or not. */
  readonly slowCount: number;
  readonly longPollsNormal: number;
  /** Oldest first. */
  readonly stuck: StuckFinding[];
  readonly lifetimes: LifetimeSummary[];
  /** Open or hung requests counted in lifetimes but not listed in `stuck` (memory bound). */
  readonly stuckNotListed: number;
  readonly fds: FdReport[];
  /** ERROR/WARNING lines and tracebacks grouped into kinds (#14). */
  readonly errors: ErrorsResult;
  /** No Received lines anywhere: at INFO some evidence is indirect. */
  readonly infoOnly: boolean;
}

export function analysisResult(r: EngineResult<FullAnalysis>): AnalysisResult {
  return {
    files: r.files,
    endpoints: r.stats.endpoints,
    slow: r.slow.slowest,
    slowCount: r.slow.count,
    longPollsNormal: r.slow.longPollsNormal,
    stuck: r.stuck.findings,
    lifetimes: r.stuck.lifetimes,
    stuckNotListed: r.stuck.notListed,
    fds: r.fds.reports,
    errors: r.errors,
    infoOnly: r.stuck.infoOnly,
  };
}

/** One request known to be open, for live views. */
export interface LiveInFlight {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly startMs: number | null;
  readonly ageSec: number | null;
  readonly servlet: string | null;
  readonly evidence: readonly StuckEvidence[];
  /** What its lines say it waits on (#10 §4). */
  readonly waits: WaitFacts | null;
}

/** How things stand now, for the dashboard (top) and live summaries. */
export interface LiveSnapshot {
  /** Latest log time seen. */
  readonly nowMs: number | null;
  readonly linesRead: number;
  readonly unparsed: number;
  /** Requests finished per second (Processed lines passing the filter), last 60 s of log time, oldest first. */
  readonly requestRate: number[];
  /** Of those, 4xx, 5xx or dropped per second (each request once). */
  readonly errorRate: number[];
  /** Requests known to be open, oldest first, capped at 200: every one at DEBUG (Received), at INFO those that logged a line. */
  readonly inFlight: LiveInFlight[];
  /** Last 50, oldest first. */
  readonly recentSlow: SlowFinding[];
  /** Percentiles from the sketch (cheap). */
  readonly endpoints: EndpointStats[];
  readonly fds: ReadonlyArray<{ readonly file: string; readonly verdict: FdVerdict; readonly inFlight: number; readonly fdErrorLines: number }>;
  /** Logged errors (#14): lines per second over the last 60 s, and the commonest kinds. */
  readonly loggedErrors: ErrorsLive;
}

export function liveSnapshot(l: EngineLive<FullAnalysis>): LiveSnapshot {
  return {
    nowMs: l.nowMs,
    linesRead: l.linesRead,
    unparsed: l.unparsed,
    requestRate: l.stats.requestRate,
    errorRate: l.stats.errorRate,
    inFlight: l.stuck.open.map((f) => ({
      file: f.file,
      epoch: f.epoch,
      tag: f.tag ?? `#${f.seq ?? '?'}`,
      startMs: f.startMs,
      ageSec: f.ageSec,
      servlet: f.servlet,
      evidence: f.evidence,
      waits: f.waits,
    })),
    recentSlow: l.slow.recent,
    endpoints: l.stats.endpoints,
    fds: l.fds.logs.map((x) => ({ file: x.file, verdict: x.verdict, inFlight: x.inFlight, fdErrorLines: x.fdErrorLines })),
    loggedErrors: l.errors,
  };
}
