/**
 * Analysis jobs (#11): a log's plain files cut into line-aligned byte ranges, each read by a fresh
 * engine on any thread (this one or a worker: engine-worker.ts) and merged back in file order by
 * the run's engine. The same code reads every analyzer of the registry.
 */
import type { AnalyzerName } from '../analyze/registry.js';
import { Engine, type EngineState } from '../analyze/engine.js';
import type { EngineOptions } from '../analyze/contract.js';
import type { LineAccounting } from '../core/types.js';
import type { JobTaker } from '../input/parallel.js';
import { threadsFor } from '../input/parallel.js';
import { lineAlignedRanges } from '../input/ranges.js';
import { readRangeLines } from '../input/range-reader.js';
import { account, addNotes, newAccounting, overlongEvent } from '../input/read-events.js';
import type { SourceInfo } from '../input/sources.js';
import { LineParser } from '../parse/line-parser.js';

/** As input/read-events.ts: how many not-understood line numbers are named in the summary. */
const FIRST_UNPARSED_KEPT = 5;

/** One line-aligned byte range of a file of a log. */
export interface RangeJob {
  readonly path: string;
  readonly label: string;
  /** The log it belongs to: the label of the log's first file (a rotated log's oldest). */
  readonly log: string;
  readonly start: number;
  readonly end: number;
  /** The first range of its log: its first lifetime begins here, nothing is open before it. */
  readonly first: boolean;
}

/** The lines of one job: its accounting (line numbers count from the job's start) and how many lines start in it. */
export interface JobLines {
  readonly accounting: LineAccounting;
  readonly ownLines: number;
}

/** What a thread did: the jobs it took (indexes, in the order taken), their lines and engine states. */
export interface EngineJobsResult {
  readonly jobs: readonly number[];
  readonly lines: readonly JobLines[];
  readonly states: readonly EngineState[];
}

export interface EngineJobsRequest {
  readonly names: readonly AnalyzerName[];
  readonly options: EngineOptions;
  readonly jobs: readonly RangeJob[];
}

/**
 * Threads for a parallel analysis over these logs; 1 means the sequential path. Only plain regular
 * files can be cut into byte ranges (not stdin, pipes or .gz), and only big inputs are worth workers.
 */
export function rangeThreads(sources: readonly SourceInfo[]): number {
  if (sources.length === 0) return 1;
  let bytes = 0;
  for (const s of sources) {
    if (!s.seekable || s.isStdin || s.gzip || s.bytes === null) return 1;
    bytes += s.bytes;
  }
  return threadsFor(bytes, import.meta.url);
}

/**
 * Line-aligned jobs in input order; each file gets a share of `jobCount` by size (≥ 1). `logOf`
 * names the log of each file (its own label, or its rotated log's first file).
 */
export function planJobs(sources: readonly SourceInfo[], jobCount: number, logOf: (s: SourceInfo) => string): RangeJob[] {
  const total = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const out: RangeJob[] = [];
  const started = new Set<string>();
  for (const s of sources) {
    const size = s.bytes ?? 0;
    const n = total === 0 ? 1 : Math.max(1, Math.round((jobCount * size) / total));
    const log = logOf(s);
    for (const [start, end] of lineAlignedRanges(s.name, size, n)) {
      out.push({ path: s.name, label: s.label, log, start, end, first: !started.has(log) });
      started.add(log);
    }
  }
  return out;
}

/** One job's engine state and lines. */
export interface EngineJobResult {
  readonly lines: JobLines;
  readonly state: EngineState;
}

/** Runs job `i` with a fresh engine (on a worker thread or this one). */
export function engineJob(request: EngineJobsRequest, i: number): EngineJobResult {
  const job = request.jobs[i]!;
  const engine = new Engine(request.names, request.options, job.first ? 'first-job' : 'job');
  if (job.log !== job.label) engine.continueFile(job.log, job.label);
  const parser = new LineParser(job.label);
  const accounting = newAccounting();
  const read = readRangeLines(job.path, job.start, job.end, {
    line(text, lineNo) {
      const e = parser.parse(text, lineNo);
      account(accounting, e);
      engine.onEvent(e);
    },
    overlong(lineNo, bytes) {
      const e = overlongEvent(job.label, lineNo, parser.epoch, bytes);
      account(accounting, e);
      engine.onEvent(e);
    },
  });
  addNotes(accounting, parser.warnings());
  return { lines: { accounting, ownLines: read.ownLines }, state: engine.toState() };
}

/** Runs the jobs a taker hands out, each with a fresh engine (on a worker thread or this one). */
export function engineJobs(request: EngineJobsRequest, taker: JobTaker): EngineJobsResult {
  const taken: number[] = [];
  const lines: JobLines[] = [];
  const states: EngineState[] = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const r = engineJob(request, i);
    taken.push(i);
    lines.push(r.lines);
    states.push(r.state);
    taker.finished(r.lines.ownLines);
  }
  return { jobs: taken, lines, states };
}

/** The buffers of a thread's result, to transfer instead of copying. */
export function engineJobsTransferables(request: EngineJobsRequest, r: EngineJobsResult): ArrayBuffer[] {
  return [...new Set(r.states.flatMap((s) => Engine.transferables(request.names, s)))];
}

/** The buffers of one job's result. */
export function engineJobTransferables(request: EngineJobsRequest, r: EngineJobResult): ArrayBuffer[] {
  return Engine.transferables(request.names, r.state);
}

/**
 * Adds a job's line accounting to `into` (input order), with its not-understood line numbers made
 * absolute: `linesBefore` lines of its file come before it.
 */
export function addJobLines(into: LineAccounting, lines: JobLines, linesBefore: number): void {
  const a = lines.accounting;
  into.records += a.records;
  into.continuations += a.continuations;
  into.unparsed += a.unparsed;
  for (const u of a.firstUnparsed) {
    if (into.firstUnparsed.length < FIRST_UNPARSED_KEPT) into.firstUnparsed.push({ ...u, line: linesBefore + u.line });
  }
}

export { newAccounting };
