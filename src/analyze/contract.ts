/**
 * The analyzer contract (#11). The engine (engine.ts) reads events and keeps the log model: logs
 * (one per worker file, a rotated log's files as one), their process lifetimes (model/lifetime.ts)
 * and requests (model/requests.ts). Analyzers get the events with that context, keep their own
 * state, and can be cut along the log: the engine runs a fresh set on each byte range of a file
 * (a job) and merges the jobs' states in file order, so one pass and any split give the same
 * result. An analyzer is one folder (analyze/<name>/) and one line in registry.ts.
 *
 * What a merge must handle (the engine says it in a Join):
 *  - line numbers and restart numbers of the next job count from its start: add `lineBase` /
 *    `epochBase`;
 *  - the next job's first lifetime (epoch 0 there) is the last lifetime of what came before, unless
 *    the job began with a start banner;
 *  - requests open before the job that finished in it (`stitches`): their Processed line was
 *    handled in the job without the lines logged before it.
 */
import type { ContinuationLine, LogRecord, ProcessedRecord, UnparsedLine } from '../core/types.js';
import type { Endpoint } from './endpoints.js';
import type { RecordPredicate } from './filter.js';
import type { EndedLifetime, Lifetime } from './model/lifetime.js';
import type { OpenFacts } from './model/requests.js';
import type { RecordFilter } from './types.js';

/** Options every analyzer may read; set once per run. */
export interface EngineOptions {
  /** Requests at least this long are slow (long-polls within their timeout excepted). */
  readonly slowThresholdSec: number;
  /** Requests in flight (or that ran) at least this long are stuck. */
  readonly stuckAfterSec: number;
  readonly filter: RecordFilter;
  /** Per endpoint; past it percentiles come from a bounded sketch (≤ 1 % error). */
  readonly exactPercentileLimit: number;
  /** How many slow findings the result keeps: the slowest; the rest are counted. */
  readonly slowKept: number;
}

/** Built once per run from EngineOptions. */
export interface AnalyzerContext {
  readonly options: EngineOptions;
  readonly accept: RecordPredicate;
  /** This analyzer reads one job (a byte range) whose state will be merged: keep what the merge needs, not what the run prints. */
  readonly job: boolean;
}

/** Where an event is: its log (label of its first file) and the lifetime it belongs to. */
export interface Place {
  readonly log: string;
  readonly life: Lifetime;
}

/**
 * A Processed line, with what the engine knows of its request. The engine reuses one object for
 * every line (millions of them): keep its values, never the object.
 */
export interface Finished {
  /** Root tag (`GET-37`), null when the line has no tag. */
  readonly root: string | null;
  /** Its request number, -1 when none. */
  readonly seq: number;
  /** What its earlier lines (in this job) said, null when it logged none (or no analyzer of the run reads requests). */
  readonly open: OpenFacts | null;
  readonly endpoint: Endpoint;
  /** Reconstructed start: logged − total − max(send, 0) (spec §2.2). */
  readonly startMs: number | null;
  /** A `!` line written during its lifetime's shutdown (#10 §1): cut off, not finished. */
  readonly cutOff: boolean;
}

/** How the next job's state joins what came before it (see the file comment). */
export interface Join {
  readonly log: string;
  readonly lineBase: number;
  readonly epochBase: number;
  /** The job's first lifetime continues the last one (it did not begin with a banner line). */
  readonly continues: boolean;
  /** The continued lifetime was already shutting down before the job began. */
  readonly shutdownBefore: boolean;
  /** Requests open before the job that finished in it, keyed by `${epoch}\u0000${root}` (epoch after epochBase). */
  readonly stitches: ReadonlyMap<string, OpenFacts>;
}

export function stitchKey(epoch: number, root: string): string {
  return `${epoch}\u0000${root}`;
}

let lastLog = '';
let lastEpoch = NaN;
let lastLifeKey = '';

/**
 * A lifetime's key in an analyzer's maps: `${log}\u0000${epoch}`. Analyzers look their lifetime up
 * on every line: the last key is kept, so the lookup reuses one string and its cached hash instead
 * of building and hashing a new one each time (fds: 9 % of a run).
 */
export function lifeKey(log: string, epoch: number): string {
  if (epoch !== lastEpoch || log !== lastLog) {
    lastLifeKey = `${log}\u0000${epoch}`;
    lastLog = log;
    lastEpoch = epoch;
  }
  return lastLifeKey;
}

export interface Analyzer<State, Result, Live = never> {
  /** Every record (a line with a header), after the engine updated its model. */
  onRecord?(r: LogRecord, at: Place): void;
  /** A Processed line (also given to onRecord first). */
  onProcessed?(r: ProcessedRecord, req: Finished, at: Place): void;
  /** A line continuing the record before it (traceback). `owner` is that record when it is known. */
  onContinuation?(c: ContinuationLine, at: Place): void;
  onUnparsed?(u: UnparsedLine, at: Place): void;
  /** A lifetime is over (or, with `provisional`, how it stands now): its requests are final. */
  onLifetimeEnd?(life: EndedLifetime): void;
  /** Plain data (structured-clone safe) for merging in another thread; the analyzer is spent after. */
  toState(): State;
  /** Adds a later job's state (see Join). */
  merge(next: State, join: Join): void;
  /** The result at the end of the input (after every onLifetimeEnd). */
  result(): Result;
  /** Live views: how things stand now (cheap; may be called every second). */
  live?(now: LiveContext): Live;
}

/** What live snapshots may read besides their own state. */
export interface LiveContext {
  readonly nowMs: number | null;
  /** The lifetimes still running, as they stand (provisional ends). */
  readonly current: readonly EndedLifetime[];
}

/** Creates an analyzer: one per run, or one per job (whose states the run merges in file order). */
export interface AnalyzerFactory<State, Result, Live = never> {
  create(ctx: AnalyzerContext): Analyzer<State, Result, Live>;
  /**
   * False: the analyzer reads nothing of the request model (Finished.open, a lifetime's requests
   * and hung ones). A run of only such analyzers does not keep it: that is per-line work on every
   * tagged line. Absent means it does read it.
   */
  readonly usesRequests?: boolean;
  /** The buffers of a state, to transfer instead of copy when posting it to another thread. */
  transferables?(state: State): ArrayBuffer[];
}
