/**
 * Runs the engine over the inputs: big plain files as jobs on every core (jobs.ts, merged in file
 * order a round at a time, so memory stays flat and findings come as the file is read), everything
 * else (stdin, pipes, .gz, --follow) line by line. Rotated files of one log (`homeserver.log.1`, then
 * `homeserver.log`) are one log either way.
 */
import type { Engine, EngineState } from '../analyze/engine.js';
import type { AnalyzerName } from '../analyze/registry.js';
import type { LineAccounting, LogEvent } from '../core/types.js';
import { followFile } from '../input/follow.js';
import { jobCountFor, streamJobs } from '../input/parallel.js';
import { newAccounting, readSourceEvents, type EventSink } from '../input/read-events.js';
import { continuesRotation, type SourceInfo } from '../input/sources.js';
import { keepHeapUnder } from './heap.js';
import { LogClock } from './log-clock.js';
import {
  addJobLines,
  engineJob,
  planJobs,
  rangeThreads,
  type EngineJobResult,
  type EngineJobsRequest,
  type EngineJobsResult,
  type JobLines,
  type RangeJob,
} from './jobs.js';

export interface RunHooks {
  /** Follow each named file like tail -F after reading it (until the signal aborts). */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Every event also goes here with its text (sequential path only: a report keeps request lines). */
  readonly onEvent?: (e: LogEvent, text: string) => void;
  /** Live input (a pipe or --follow): called about once a second with the current log time. */
  readonly onTick?: (nowMs: number | null) => void;
  /** Bytes read so far and each line read (progress line, sequential path); the parallel path reports both with onProgress. */
  readonly onBytes?: (bytes: number) => void;
  readonly onLine?: () => void;
  readonly onProgress?: (bytesDone: number, lines: number) => void;
  /** Lets a slow stdout hold the reader back. */
  readonly flush?: () => Promise<void> | undefined;
  /** Threads to use (default: by size, see jobs.ts rangeThreads); tests and benchmarks set it. */
  readonly threads?: number;
  /** How the files are cut (tests cut finer). */
  readonly jobCount?: number;
  readonly roundJobs?: number;
}

export interface RunOutcome {
  readonly accounting: LineAccounting;
  /** The restart epoch each source (by label) began in: not 0 for the later files of a rotated log. */
  readonly startEpochs: ReadonlyMap<string, number>;
  readonly warnings: string[];
  readonly live: boolean;
  /** Threads used (1: line by line). */
  readonly threads: number;
}

/** The label of each source's log: its own, or its rotated log's first file's. */
export function logLabels(sources: readonly SourceInfo[]): Map<string, string> {
  const out = new Map<string, string>();
  let chain: string | null = null;
  sources.forEach((src, i) => {
    const prev = sources[i - 1];
    if (prev === undefined || !continuesRotation(prev, src)) chain = src.label;
    out.set(src.label, chain ?? src.label);
  });
  return out;
}

export async function runEngine<K extends AnalyzerName>(sources: readonly SourceInfo[], engine: Engine<K>, hooks: RunHooks = {}): Promise<RunOutcome> {
  const live = hooks.follow === true || sources.some((s) => s.isStdin);
  const threads = live || hooks.onEvent ? 1 : (hooks.threads ?? rangeThreads(sources));
  if (threads > 1 || hooks.jobCount !== undefined) return runJobs(sources, engine, Math.max(1, threads), hooks);
  return runSequential(sources, engine, hooks, live);
}

async function runSequential<K extends AnalyzerName>(sources: readonly SourceInfo[], engine: Engine<K>, hooks: RunHooks, live: boolean): Promise<RunOutcome> {
  const acc = newAccounting();
  const warnings: string[] = [];
  const startEpochs = new Map<string, number>();
  const followed = hooks.follow ? sources.filter((s) => !s.isStdin).length : 0;
  // Only live input reads the clock (onTick, --follow's catch-up): a file read to its end needs no wall time per line.
  const clock = live ? new LogClock(followed) : null;
  const sink: EventSink = {
    event(e, text) {
      clock?.saw(e.kind === 'continuation' ? null : e.timeMs);
      engine.onEvent(e);
      hooks.onEvent?.(e, text);
      hooks.onLine?.();
    },
    flush: hooks.flush,
    warning: (m) => warnings.push(m),
  };
  const timer = clock !== null && hooks.onTick ? setInterval(() => hooks.onTick?.(clock.now()), 1000) : undefined;
  try {
    if (hooks.follow) {
      // Followed files never end: read them side by side (each file keeps its own order).
      const signal = hooks.signal ?? new AbortController().signal;
      await Promise.all(
        sources.map((src) =>
          src.isStdin ? readSourceEvents(src, sink, acc) : followFile(src.name, sink, acc, { signal, onCaughtUp: () => clock?.caughtUp() }),
        ),
      );
    } else {
      let prev: SourceInfo | null = null;
      let epoch = 0;
      for (const src of sources) {
        const continues = prev !== null && continuesRotation(prev, src);
        if (continues && prev !== null) engine.continueFile(prev.label, src.label);
        const startEpoch = continues ? epoch : 0;
        startEpochs.set(src.label, startEpoch);
        epoch = await readSourceEvents(src, sink, acc, hooks.onBytes, undefined, startEpoch);
        prev = src;
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  return { accounting: acc, startEpochs, warnings, live, threads: 1 };
}

/** Merges jobs' results into the run's engine in file order; one merger per run. */
export class JobMerger<K extends AnalyzerName> {
  readonly accounting = newAccounting();
  readonly startEpochs = new Map<string, number>();
  private readonly linesBefore = new Map<string, number>();
  /** A rotated log's next file begins in the restart epoch its previous file ended in. */
  private readonly epochAt = new Map<string, number>();
  linesDone = 0;

  constructor(private readonly engine: Engine<K>) {}

  /** The next job in file order, with what it read. */
  add(job: RangeJob, lines: JobLines, state: EngineState): void {
    const before = job.start === 0 ? 0 : (this.linesBefore.get(job.label) ?? 0);
    if (job.start === 0) this.startEpochs.set(job.label, this.epochAt.get(job.log) ?? 0);
    addJobLines(this.accounting, lines, before);
    this.engine.merge(state, before);
    this.linesBefore.set(job.label, before + lines.ownLines);
    this.epochAt.set(job.log, this.engine.currentEpoch(job.log));
    this.linesDone += lines.ownLines;
  }

  /** A round's thread results, put back in job order; every job must have been done. */
  addRound(round: readonly RangeJob[], results: readonly EngineJobsResult[], firstIndex = 0): void {
    const byJob = new Array<{ lines: JobLines; state: EngineState } | undefined>(round.length);
    for (const r of results) r.jobs.forEach((job, k) => (byJob[job] = { lines: r.lines[k]!, state: r.states[k]! }));
    round.forEach((job, i) => {
      const done = byJob[i];
      if (done === undefined) throw new Error(`job ${firstIndex + i} was not done`);
      this.add(job, done.lines, done.state);
    });
  }
}

/**
 * Plain files as line-aligned jobs shared by this thread and a worker per further core
 * (input/parallel.ts streamJobs); each job's state is merged into `engine` in file order as soon
 * as it and the jobs before it are done, so memory holds only the few that finished early and
 * findings come out as the file is read. `roundJobs` starts fresh workers every so many jobs
 * (tests use it to cut finer; a round costs one worker start-up).
 */
async function runJobs<K extends AnalyzerName>(sources: readonly SourceInfo[], engine: Engine<K>, threads: number, hooks: RunHooks): Promise<RunOutcome> {
  const labels = logLabels(sources);
  const bytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const jobs = planJobs(sources, hooks.jobCount ?? jobCountFor(bytes, threads), (s) => labels.get(s.label) ?? s.label);
  const roundJobs = hooks.roundJobs ?? jobs.length;
  const merger = new JobMerger(engine);
  for (let from = 0; from < jobs.length; from += roundJobs) {
    const round = jobs.slice(from, from + roundJobs);
    const request: EngineJobsRequest = { names: engine.names, options: engine.ctx.options, jobs: round };
    const linesBefore = merger.linesDone;
    const progress =
      hooks.onProgress && ((finished: number, lines: number) => hooks.onProgress?.((bytes * (from + finished)) / jobs.length, linesBefore + lines));
    let flushing: Promise<void> | undefined;
    await streamJobs<EngineJobResult>(
      round.length,
      threads,
      './engine-worker.js',
      import.meta.url,
      request,
      (i) => {
        const r = engineJob(request, i);
        return { result: r, lines: r.lines.ownLines };
      },
      (i, r) => {
        merger.add(round[i]!, r.lines, r.state);
        if (threads > 1) keepHeapUnder();
        flushing ??= hooks.flush?.();
      },
      progress,
    );
    if (flushing) await flushing;
  }
  return { accounting: merger.accounting, startEpochs: merger.startEpochs, warnings: [], live: false, threads };
}
